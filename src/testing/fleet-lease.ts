/**
 * The behaviour every FleetLease adapter must share. A harness gives two independent
 * clients of the same backend (two agents of one fleet) and a way to let time pass
 * beyond a TTL.
 *
 *   testFleetLease(runner, 'my-lease', async () => ({ a, b, expire: (ms) => ..., close }));
 */
import assert from 'node:assert/strict';
import type { FleetLease } from '../domain/ports/fleet-lease';
import type { TestRunner } from './runner';

export interface FleetLeaseHarness {
  a: FleetLease;
  b: FleetLease;
  /** Resolves once a lease taken with `ttlMs` has expired for every client. */
  expire(ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

export function testFleetLease(runner: TestRunner, name: string, factory: () => Promise<FleetLeaseHarness>): void {
  const { describe, test, beforeEach, afterEach } = runner;
  describe(`FleetLease contract: ${name}`, () => {
    let h: FleetLeaseHarness;
    let n = 0;
    const key = () => `lease-contract-${process.pid}-${n++}`;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(() => h.close());

    test('only one client holds a lease at a time', async () => {
      const k = key();
      const first = await h.a.tryAcquire(k, 10_000);
      const second = await h.b.tryAcquire(k, 10_000);
      assert.equal(first.acquired, true);
      assert.equal(second.acquired, false);
    });

    test('release by the owner frees it; release by a non-owner is a no-op', async () => {
      const k = key();
      const first = await h.a.tryAcquire(k, 10_000);
      assert.equal(await h.b.release(k, 'not-the-token'), false);
      assert.equal((await h.b.tryAcquire(k, 10_000)).acquired, false);
      assert.equal(await h.a.release(k, first.token), true);
      assert.equal((await h.b.tryAcquire(k, 10_000)).acquired, true);
    });

    test('an expired lease can be taken over, and the old holder cannot release the new one', async () => {
      const k = key();
      const first = await h.a.tryAcquire(k, 300);
      await h.expire(300);
      const second = await h.b.tryAcquire(k, 10_000);
      assert.equal(second.acquired, true);
      assert.equal(await h.a.release(k, first.token), false);
      assert.equal((await h.a.tryAcquire(k, 10_000)).acquired, false);
    });

    test('different names are independent', async () => {
      assert.equal((await h.a.tryAcquire(key(), 10_000)).acquired, true);
      assert.equal((await h.b.tryAcquire(key(), 10_000)).acquired, true);
    });
  });
}
