/** Jest adapter of the FleetLease contract (the suite: src/testing/fleet-lease.ts). */
import { testFleetLease, type FleetLeaseHarness } from '../../src/testing/fleet-lease';
import { jestRunner } from '../support/jest-runner';

export type { FleetLeaseHarness } from '../../src/testing/fleet-lease';

export function fleetLeaseContract(name: string, factory: () => Promise<FleetLeaseHarness>): void {
  testFleetLease(jestRunner, name, factory);
}
