/**
 * Reusable contract for FleetLease adapters. A harness gives two independent clients of
 * the same backend (two agents of one fleet) and a way to let time pass beyond a TTL.
 *
 *   fleetLeaseContract('my-lease', async () => ({ a, b, expire: (ms) => ..., close }));
 */
import type { FleetLease } from '../../src/domain/ports/fleet-lease';

export interface FleetLeaseHarness {
  a: FleetLease;
  b: FleetLease;
  /** Resolves once a lease taken with `ttlMs` has expired for every client. */
  expire(ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

export function fleetLeaseContract(name: string, factory: () => Promise<FleetLeaseHarness>): void {
  describe(`FleetLease contract: ${name}`, () => {
    let h: FleetLeaseHarness;
    let n = 0;
    const key = () => `lease-contract-${process.pid}-${n++}`;
    beforeEach(async () => (h = await factory()));
    afterEach(() => h.close());

    it('only one client holds a lease at a time', async () => {
      const k = key();
      const first = await h.a.tryAcquire(k, 10_000);
      const second = await h.b.tryAcquire(k, 10_000);
      expect(first.acquired).toBe(true);
      expect(second.acquired).toBe(false);
    });

    it('release by the owner frees it; release by a non-owner is a no-op', async () => {
      const k = key();
      const first = await h.a.tryAcquire(k, 10_000);
      expect(await h.b.release(k, 'not-the-token')).toBe(false);
      expect((await h.b.tryAcquire(k, 10_000)).acquired).toBe(false);
      expect(await h.a.release(k, first.token)).toBe(true);
      expect((await h.b.tryAcquire(k, 10_000)).acquired).toBe(true);
    });

    it('an expired lease can be taken over, and the old holder cannot release the new one', async () => {
      const k = key();
      const first = await h.a.tryAcquire(k, 300);
      await h.expire(300);
      const second = await h.b.tryAcquire(k, 10_000);
      expect(second.acquired).toBe(true);
      expect(await h.a.release(k, first.token)).toBe(false);
      expect((await h.a.tryAcquire(k, 10_000)).acquired).toBe(false);
    });

    it('different names are independent', async () => {
      expect((await h.a.tryAcquire(key(), 10_000)).acquired).toBe(true);
      expect((await h.b.tryAcquire(key(), 10_000)).acquired).toBe(true);
    });
  });
}
