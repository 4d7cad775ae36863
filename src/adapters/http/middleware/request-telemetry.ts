import type { Middleware } from 'koa';
import type { Telemetry } from '../../../domain/ports/telemetry';
import { httpState } from './require-auth';

/** One access-log line. Deliberately no path, query, headers or client address: the
 * raw path of `/v1/secrets/:key` names a secret, and headers carry the token. */
export interface AccessLogLine {
  method: string;
  route: string;
  status: number;
  durationMs: number;
}

export const UNMATCHED_ROUTE = 'unmatched';

/** Monotonic milliseconds. Not performance.now(): node:perf_hooks costs every start a few
 * milliseconds of module loading before the first request (issue 20), for the same clock. */
const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

const KNOWN_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Arbitrary method tokens are attacker-chosen: bound their cardinality (OTel's `_OTHER`). */
function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : '_OTHER';
}

/**
 * Outermost middleware: observes the final status the error handler chose. Sinks must
 * not be able to break a response, so their exceptions are swallowed.
 */
export function requestTelemetry(telemetry?: Telemetry, accessLog?: (line: AccessLogLine) => void): Middleware {
  return async function observeRequest(ctx, next) {
    if (!telemetry && !accessLog) return next();
    const started = monotonicMs();
    try {
      await next();
    } finally {
      const line: AccessLogLine = {
        method: methodLabel(ctx.method),
        route: httpState(ctx).route ?? UNMATCHED_ROUTE,
        status: ctx.status,
        durationMs: monotonicMs() - started,
      };
      try {
        telemetry?.emit({ type: 'http.request', ...line });
      } catch {
        /* Telemetry.emit is specified never to throw; a broken sink must not fail a response. */
      }
      try {
        accessLog?.(line);
      } catch {
        /* same for the owner's log sink */
      }
    }
  };
}
