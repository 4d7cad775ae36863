import type { Telemetry } from '../../../../src/domain/ports/telemetry';
import { loadOtlpTelemetry } from '../../../../src/adapters/telemetry/load-otlp-telemetry';
import type { OtlpTelemetryOptions } from '../../../../src/adapters/telemetry/otlp-config';
import { OtlpCollector } from '../../../support/fakes/otlp-collector';
import { useRequireBasedOtlpTransport } from './jest-otlp-transport';

export const testResource = {
  serviceVersion: '9.9.9',
  agentId: 'agent-123',
  identity: 'api',
  environment: 'production',
  sourceType: 'vcs',
};

export interface OtlpFixture {
  collector: OtlpCollector;
  telemetry: Telemetry;
  close(): Promise<void>;
}

/** A loopback collector plus an OTLP adapter pointed at it; metrics only leave on flush
 * (long interval) so tests decide when exports happen. */
export async function startOtlp(overrides: Partial<OtlpTelemetryOptions> = {}): Promise<OtlpFixture> {
  useRequireBasedOtlpTransport();
  const collector = await OtlpCollector.start();
  const telemetry = await loadOtlpTelemetry({
    logsUrl: collector.logsUrl,
    metricsUrl: collector.metricsUrl,
    protocol: 'http/json',
    headers: () => ({}),
    exportIntervalMs: 600_000,
    timeoutMs: 2000,
    resource: testResource,
    ...overrides,
  });
  return {
    collector,
    telemetry,
    close: async () => {
      await telemetry.shutdown(500);
      await collector.close();
    },
  };
}
