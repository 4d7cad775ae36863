/**
 * An agent without telemetry configured must not load OpenTelemetry at all (startup
 * time, memory, attack surface). Checked on jest's require.cache in a fresh registry.
 */
const otelLoaded = (): string[] => Object.keys(require.cache).filter((id) => id.includes('@opentelemetry'));

describe('lazy loading of the OpenTelemetry SDK', () => {
  it('loads no @opentelemetry module for the log, buffered, fan-out, memory and config pieces', () => {
    jest.isolateModules(() => {
      require('../../../src/adapters/telemetry/log-telemetry');
      require('../../../src/adapters/telemetry/buffered-telemetry');
      require('../../../src/adapters/telemetry/fanout-telemetry');
      require('../../../src/adapters/telemetry/otlp-config');
      require('../../../src/adapters/telemetry/load-otlp-telemetry');
      require('../../../src/adapters/memory/memory-telemetry');
      expect(Object.keys(require.cache).some((id) => id.includes('log-telemetry'))).toBe(true); // the probe sees this registry
      expect(otelLoaded()).toEqual([]);
    });
  });

  it('loads the SDK only when loadOtlpTelemetry is called', async () => {
    await jest.isolateModulesAsync(async () => {
      const { loadOtlpTelemetry } = require('../../../src/adapters/telemetry/load-otlp-telemetry');
      expect(otelLoaded()).toEqual([]);
      const telemetry = await loadOtlpTelemetry({
        logsUrl: 'http://127.0.0.1:9/v1/logs', // never contacted: nothing is emitted
        protocol: 'http/json',
        headers: () => ({}),
        resource: { serviceVersion: '1', agentId: 'a', identity: 'unknown', environment: 'unknown', sourceType: 'file' },
      });
      expect(otelLoaded()).toEqual(expect.arrayContaining([expect.stringContaining('@opentelemetry/sdk-logs')]));
      expect(otelLoaded().some((id) => id.includes('exporter-logs-otlp-proto'))).toBe(false); // only the chosen protocol
      expect(otelLoaded().some((id) => id.includes('sdk-metrics'))).toBe(true);
      await telemetry.shutdown(100);
    });
  });
});
