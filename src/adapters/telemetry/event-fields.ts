import type { AgentEvent, AgentEventType } from '../../domain/ports/telemetry';

/**
 * What the log and OTLP adapters share about an event: how loud it is and which of its
 * fields leave the process. Kept free of pino and OpenTelemetry imports so that using it
 * never loads an SDK.
 */
export type EventLevel = 'debug' | 'info' | 'warn' | 'error';

/** Severities of the reference (AGENT.md §11) for its eight events; the others are ours:
 * routine outcomes (unchanged poll, decrypt timing) are debug so that logs keep the
 * reference's state-change-only character. */
export const eventLevels: Readonly<Record<AgentEventType, EventLevel>> = {
  'agent.started': 'info',
  'agent.stopped': 'info',
  'artifact.refreshed': 'info',
  'artifact.unchanged': 'debug',
  'artifact.revoked': 'warn',
  'artifact.expired': 'warn',
  'artifact.invalid': 'error',
  'fetch.failed': 'warn',
  'cache.served': 'info',
  'cache.expired': 'error',
  'kms.denied': 'error',
  'decrypt.completed': 'debug',
  'http.request': 'info',
  'files.rendered': 'info',
  'files.render_failed': 'error',
  'files.removed': 'warn',
  'files.skipped': 'warn',
  'files.action_scheduled': 'debug',
  'files.action_ok': 'info',
  'files.action_failed': 'warn',
  'source.request': 'debug',
  'decrypt.result': 'debug',
  'cache.lookup': 'debug',
};

export function levelOf(type: string): EventLevel {
  return (eventLevels as Record<string, EventLevel | undefined>)[type] ?? 'info';
}

/** OTLP SeverityNumber values (DEBUG 5, INFO 9, WARN 13, ERROR 17) as the reference sends them. */
export const severityNumbers: Readonly<Record<EventLevel, number>> = { debug: 5, info: 9, warn: 13, error: 17 };

export type FieldValue = string | number | boolean;

/**
 * The event's own fields (without `type`) in declaration order, as scalar values.
 * Undefined fields are left out (`keyCount` in JIT mode), anything non-scalar is
 * stringified so that an odd value can never make an exporter throw, and strings go
 * through {@link scrubText}.
 */
export function eventFields(event: AgentEvent): Array<[string, FieldValue]> {
  const out: Array<[string, FieldValue]> = [];
  for (const [key, value] of Object.entries(event as unknown as Record<string, unknown>)) {
    if (key === 'type' || value === undefined || value === null) continue;
    if (typeof value === 'boolean') out.push([key, value]);
    else if (typeof value === 'number') out.push([key, Number.isFinite(value) ? value : String(value)]);
    else out.push([key, scrubText(safeString(value))]);
  }
  return out;
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? value : String(value);
  } catch {
    // e.g. an object whose toString throws, or a null-prototype object
    return '[unprintable]';
  }
}

const maxTextLength = 1024;

/**
 * Defence in depth for W13: events carry messages the domain wrote, but an error string
 * may still quote a URL. Userinfo and query strings (where presigned or token-bearing URLs
 * keep their credentials) are masked; long strings are cut so one event stays small.
 */
export function scrubText(text: string): string {
  const scrubbed = text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1***@')
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s?#]*)\?[^\s#]*/gi, '$1?***');
  return scrubbed.length > maxTextLength ? `${scrubbed.slice(0, maxTextLength)}…` : scrubbed;
}
