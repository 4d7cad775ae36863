import { MemoryTelemetry } from '../../src/adapters/memory/memory-telemetry';
import { telemetryContract } from './telemetry.contract';

telemetryContract('memory', async () => {
  const telemetry = new MemoryTelemetry();
  return {
    telemetry,
    received: async () =>
      telemetry.events.map(({ type, ...attributes }) => ({ type, attributes: attributes as Record<string, unknown> })),
    close: async () => undefined,
  };
});
