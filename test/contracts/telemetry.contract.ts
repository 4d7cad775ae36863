/** Jest adapter of the Telemetry contract (the suite: src/testing/telemetry.ts). */
import { testTelemetry, type TelemetryHarness } from '../../src/testing/telemetry';
import { jestRunner } from '../support/jest-runner';

export { sampleEvents } from '../../src/testing/telemetry';
export type { TelemetryHarness } from '../../src/testing/telemetry';

export function telemetryContract(name: string, factory: () => Promise<TelemetryHarness>): void {
  testTelemetry(jestRunner, name, factory);
}
