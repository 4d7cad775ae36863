import pino from 'pino';
import type { AgentEvent, Telemetry } from '../../domain/ports/telemetry';
import { settleWithin } from './bounded';
import { eventFields, levelOf } from './event-fields';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface CreateLoggerOptions {
  level: LogLevel;
  /** Where JSON lines go; defaults to stderr (stdout stays free for the process's own output). */
  destination?: pino.DestinationStream | NodeJS.WritableStream;
}

/**
 * Keys that must never reach a log line even if some caller puts them in a log object.
 * Events cannot carry them by design; this is defence in depth for ad-hoc log calls.
 */
export const redactedPaths: readonly string[] = [
  'authorization',
  'Authorization',
  'token',
  'password',
  'secret',
  'cookie',
  'headers.authorization',
  'headers.Authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.authorization',
  '*.token',
];

/** Caps what an unwritable stderr (full pipe, stopped reader) can buffer: lines beyond it
 * are dropped rather than growing memory or blocking emit(). */
const maxBufferedBytes = 4 * 1024 * 1024;

export function createLogger(options: CreateLoggerOptions): pino.Logger {
  const destination =
    options.destination ?? pino.destination({ dest: 2, sync: false, minLength: 0, maxLength: maxBufferedBytes });
  return pino(
    {
      level: options.level,
      base: { name: 'clef-agent', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names rather than numbers: the lines are read by people and log pipelines alike.
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...redactedPaths], censor: '[redacted]' },
    },
    destination,
  );
}

export interface LogTelemetryOptions {
  logger: pino.Logger;
  /** Log `http.request` events (one line per request); off by default as it is noisy. */
  accessLog: boolean;
}

/**
 * Telemetry as JSON lines: one line per event, `event` = the event type, its fields flat
 * beside it. Routine outcomes stay at debug so the default info level shows only state
 * changes, as the reference's logs do.
 */
export class LogTelemetry implements Telemetry {
  private stopped = false;

  constructor(private readonly options: LogTelemetryOptions) {}

  emit(event: AgentEvent): void {
    if (this.stopped) return;
    try {
      if (event.type === 'http.request') {
        if (this.options.accessLog) this.logAccess(event);
        return;
      }
      const fields: Record<string, unknown> = { event: event.type };
      for (const [key, value] of eventFields(event)) fields[key] = value;
      this.options.logger[levelOf(event.type)](fields, event.type);
    } catch {
      // The port promises emit never throws; a broken stream must not break the caller.
    }
  }

  flush(timeoutMs: number): Promise<void> {
    return settleWithin(() => this.flushLogger(), timeoutMs);
  }

  async shutdown(timeoutMs: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.flush(timeoutMs);
  }

  /** An allow-list of fields, so a future richer http.request can never leak headers. */
  private logAccess(event: Extract<AgentEvent, { type: 'http.request' }>): void {
    const { method, route, status, durationMs } = event;
    this.options.logger.info({ event: event.type, method, route, status, durationMs }, event.type);
  }

  private flushLogger(): Promise<void> {
    return new Promise<void>((resolve) => this.options.logger.flush(() => resolve()));
  }
}
