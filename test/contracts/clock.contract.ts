/** Jest adapter of the Clock contract (the suite: src/testing/clock.ts). */
import { testClock, type ClockHarness } from '../../src/testing/clock';
import { jestRunner } from '../support/jest-runner';

export type { ClockHarness } from '../../src/testing/clock';

export function clockContract(name: string, factory: () => ClockHarness): void {
  testClock(jestRunner, name, factory);
}
