import type { Telemetry } from '../../domain/ports/telemetry';
import type { OtlpTelemetryOptions } from './otlp-config';

/**
 * Builds the OTLP adapter, loading the OpenTelemetry SDK only now. Startup code imports
 * this file (and otlp-config for resolveOtlpConfig / telemetryHeadersFromSecrets), never
 * otlp-telemetry itself, so an agent without telemetry loads no OpenTelemetry module.
 * The type-only import above is erased at compile time.
 */
export async function loadOtlpTelemetry(options: OtlpTelemetryOptions): Promise<Telemetry> {
  const { OtlpTelemetry } = await import('./otlp-telemetry');
  return new OtlpTelemetry(options);
}
