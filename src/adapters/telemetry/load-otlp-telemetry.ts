import type { Telemetry } from '../../domain/ports/telemetry';
import type { MetricsText, OtlpTelemetryOptions } from './otlp-config';

/** The adapter, and the Prometheus text of its meters when `options.prometheus` is set. */
export type LoadedTelemetry = Telemetry & { readonly prometheus?: MetricsText };

/**
 * Builds the OTLP adapter, loading the OpenTelemetry SDK only now. Startup code imports
 * this file (and otlp-config for resolveOtlpConfig / telemetryHeadersFromSecrets), never
 * otlp-telemetry itself, so an agent without telemetry loads no OpenTelemetry module.
 * The type-only import above is erased at compile time.
 */
export async function loadOtlpTelemetry(options: OtlpTelemetryOptions): Promise<LoadedTelemetry> {
  const { OtlpTelemetry } = await import('./otlp-telemetry');
  return new OtlpTelemetry(options);
}
