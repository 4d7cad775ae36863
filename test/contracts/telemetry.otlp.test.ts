import { loadOtlpTelemetry } from '../../src/adapters/telemetry/load-otlp-telemetry';
import { OtlpCollector } from '../support/fakes/otlp-collector';
import { useRequireBasedOtlpTransport } from '../adapters/telemetry/support/jest-otlp-transport';
import { telemetryContract } from './telemetry.contract';

useRequireBasedOtlpTransport();

/** The SDK adapter against a loopback collector decoding OTLP/HTTP JSON. */
telemetryContract('otlp http/json', async () => {
  const collector = await OtlpCollector.start();
  const telemetry = await loadOtlpTelemetry({
    logsUrl: collector.logsUrl,
    metricsUrl: collector.metricsUrl,
    protocol: 'http/json',
    headers: () => ({}),
    exportIntervalMs: 60_000,
    timeoutMs: 2000,
    accessLog: true,
    debugEvents: true,
    resource: { serviceVersion: '0.1.0', agentId: 'agent-1', identity: 'api', environment: 'prod', sourceType: 'http' },
  });
  return {
    telemetry,
    received: async () => {
      await telemetry.flush(2000);
      return collector.logs.map((log) => ({
        type: log.type,
        attributes: Object.fromEntries(
          Object.entries(log.attributes)
            .filter(([key]) => key.startsWith('clef.'))
            .map(([key, value]) => [key.slice('clef.'.length), value]),
        ),
      }));
    },
    close: async () => {
      await telemetry.shutdown(1000);
      await collector.close();
    },
  };
});
