import type { Logger } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, type MetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { AgentEvent, Telemetry } from '../../domain/ports/telemetry';
import { settleWithin } from './bounded';
import { eventFields, levelOf, severityNumbers } from './event-fields';
import type { MetricsText, OtlpTelemetryOptions } from './otlp-config';
import { createLogExporter, createMetricExporter } from './otlp-exporters';
import { OtlpMetrics } from './otlp-metrics';

/** Instrumentation scope of the reference (AGENT.md §11). */
export const scopeName = 'clef.runtime';

const defaults = {
  exportIntervalMs: 60_000,
  logBatchDelayMs: 10_000, // the reference flushes every 10 s…
  logBatchSize: 50, // …or as soon as 50 events are buffered
  timeoutMs: 10_000,
  maxQueueSize: 2048,
};

/**
 * Telemetry over OTLP/HTTP with the OpenTelemetry SDK: events become log records in the
 * reference's shape (body = event type, `event.name` = `clef.<type>`, `clef.<field>` per
 * field), and feed the agent's metrics.
 *
 * Do not import this module directly from startup code: it loads the SDK. Use
 * `loadOtlpTelemetry` so nothing of OpenTelemetry is loaded when telemetry is off.
 */
export class OtlpTelemetry implements Telemetry {
  private readonly loggerProvider?: LoggerProvider;
  private readonly meterProvider?: MeterProvider;
  private readonly logger?: Logger;
  private readonly metrics?: OtlpMetrics;
  /** The Prometheus text of the same meters, when `prometheus` is set. */
  readonly prometheus?: MetricsText;
  private stopped = false;
  private shutdownDone?: Promise<void>;

  constructor(private readonly options: OtlpTelemetryOptions) {
    const r = options.resource;
    const resource = resourceFromAttributes({
      'service.name': 'clef-agent',
      'service.version': r.serviceVersion,
      'clef.agent.id': r.agentId,
      'clef.identity': r.identity,
      'clef.environment': r.environment,
      'clef.source.type': r.sourceType,
    });
    const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
    const exporter = { protocol: options.protocol, headers: options.headers, timeoutMs };

    if (options.logsUrl) {
      const processor = new BatchLogRecordProcessor({
        exporter: createLogExporter({ ...exporter, url: options.logsUrl }),
        // Bounded queue: with the collector down, new records are dropped, memory stays flat.
        maxQueueSize: options.maxQueueSize ?? defaults.maxQueueSize,
        maxExportBatchSize: Math.min(defaults.logBatchSize, options.maxQueueSize ?? defaults.maxQueueSize),
        scheduledDelayMillis: options.logBatchDelayMs ?? defaults.logBatchDelayMs,
        exportTimeoutMillis: timeoutMs,
      });
      this.loggerProvider = new LoggerProvider({ resource, processors: [processor] });
      this.logger = this.loggerProvider.getLogger(scopeName, r.serviceVersion);
    }

    const readers: MetricReader[] = [];
    if (options.metricsUrl) {
      readers.push(
        new PeriodicExportingMetricReader({
          exporter: createMetricExporter({ ...exporter, url: options.metricsUrl }),
          exportIntervalMillis: options.exportIntervalMs ?? defaults.exportIntervalMs,
          exportTimeoutMillis: Math.min(timeoutMs, options.exportIntervalMs ?? defaults.exportIntervalMs),
        }),
      );
    }
    if (options.prometheus) {
      // Loaded only when a metrics listener is configured.
      const { PrometheusScrape } = require('./prometheus-scrape') as typeof import('./prometheus-scrape');
      const scrape = new PrometheusScrape();
      readers.push(scrape.reader as unknown as MetricReader); // its own sdk-metrics copy: same class, other instance
      this.prometheus = scrape;
    }
    if (readers.length > 0) {
      this.meterProvider = new MeterProvider({ resource, readers });
      this.metrics = new OtlpMetrics(this.meterProvider.getMeter(scopeName, r.serviceVersion), Date.now, options.serving);
    }
  }

  emit(event: AgentEvent): void {
    if (this.stopped) return;
    try {
      this.metrics?.record(event);
      if (this.logger && this.shouldLog(event)) this.logger.emit(toLogRecord(event));
    } catch {
      // Never throws, per the port: a malformed event costs at most its own record.
    }
  }

  flush(timeoutMs: number): Promise<void> {
    return settleWithin(
      () => Promise.allSettled([this.loggerProvider?.forceFlush(), this.meterProvider?.forceFlush({ timeoutMillis: timeoutMs })]),
      timeoutMs,
    );
  }

  shutdown(timeoutMs: number): Promise<void> {
    this.stopped = true;
    // Raced with a timer: a hung collector must not hold up process exit. An abandoned
    // request ends by itself within `timeoutMs` of the options (the SDK's export timeout,
    // retries included). Repeated calls share the first shutdown.
    this.shutdownDone ??= settleWithin(
      () => Promise.allSettled([this.loggerProvider?.shutdown(), this.meterProvider?.shutdown({ timeoutMillis: timeoutMs })]),
      timeoutMs,
    );
    return this.shutdownDone;
  }

  private shouldLog(event: AgentEvent): boolean {
    if (event.type === 'http.request') return this.options.accessLog === true;
    return levelOf(event.type) !== 'debug' || this.options.debugEvents === true;
  }
}

/** AGENT.md §11: `event.name` first, then each field as `clef.<field>`. Numbers are sent as
 * the SDK types them (intValue for integers, doubleValue otherwise). */
function toLogRecord(event: AgentEvent) {
  const level = levelOf(event.type);
  const attributes: Record<string, string | number | boolean> = { 'event.name': `clef.${event.type}` };
  for (const [key, value] of eventFields(event)) attributes[`clef.${key}`] = value;
  return {
    timestamp: Date.now(),
    severityNumber: severityNumbers[level],
    severityText: level.toUpperCase(),
    body: String(event.type),
    attributes,
  };
}
