import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { isHeaderName, isHeaderValue, type OtlpProtocol } from './otlp-config';

/** The exporters' shared config type, named via a direct dependency (otlp-exporter-base,
 * which declares it, is only transitive). */
type ExporterConfig = NonNullable<ConstructorParameters<typeof import('@opentelemetry/exporter-logs-otlp-http').OTLPLogExporter>[0]>;

export interface ExporterSettings {
  url: string;
  protocol: OtlpProtocol;
  headers: () => Record<string, string>;
  timeoutMs: number;
}

/**
 * Few concurrent requests: against a hung collector each in-flight export holds a
 * serialized batch until its timeout, so this bounds that memory (the queue in front of
 * the exporter has its own bound).
 */
const concurrencyLimit = 2;

/** Only the chosen protocol's exporter package is loaded (each pulls in its serializer). */
export function createLogExporter(s: ExporterSettings): LogRecordExporter {
  const config = exporterConfig(s);
  if (s.protocol === 'http/protobuf') {
    const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-proto') as typeof import('@opentelemetry/exporter-logs-otlp-proto');
    return new OTLPLogExporter(config);
  }
  const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http') as typeof import('@opentelemetry/exporter-logs-otlp-http');
  return new OTLPLogExporter(config);
}

export function createMetricExporter(s: ExporterSettings): PushMetricExporter {
  const config = exporterConfig(s);
  if (s.protocol === 'http/protobuf') {
    const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-proto') as typeof import('@opentelemetry/exporter-metrics-otlp-proto');
    return new OTLPMetricExporter(config);
  }
  const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http');
  return new OTLPMetricExporter(config);
}

function exporterConfig(s: ExporterSettings): ExporterConfig {
  return {
    url: s.url,
    // The SDK calls this factory before every request (verified in
    // otlp-exporter-base 0.223: http-exporter-transport awaits headers() per send), which
    // is what lets rotated CLEF_TELEMETRY_HEADERS / TOKEN take effect without a restart.
    headers: async () => freshHeaders(s.headers),
    timeoutMillis: s.timeoutMs,
    concurrencyLimit,
  };
}

/** The SDK requires the factory never to throw; a bad header would also fail every
 * request in Node's http client, so invalid names/values are dropped here. Content-Type
 * is left to the exporter so that it always matches the body it sends. */
function freshHeaders(headers: () => Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    for (const [name, value] of Object.entries(headers() ?? {})) {
      if (name.toLowerCase() === 'content-type') continue;
      if (typeof value === 'string' && isHeaderName(name) && isHeaderValue(value)) out[name] = value;
    }
  } catch {
    // no extra headers this time; the next export asks again
  }
  return out;
}
