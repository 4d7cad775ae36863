/**
 * The behaviour every Clock adapter must share. `advance(ms)` lets time pass: real time
 * for the system clock (resolves once it has), simulated time for a fake one.
 *
 *   testClock(runner, 'my-clock', () => ({ clock, advance }));
 */
import assert from 'node:assert/strict';
import type { Clock } from '../domain/ports/clock';
import type { TestRunner } from './runner';

export interface ClockHarness {
  clock: Clock;
  advance(ms: number): Promise<void>;
}

export function testClock(runner: TestRunner, name: string, factory: () => ClockHarness): void {
  const { describe, test } = runner;
  describe(`Clock contract: ${name}`, () => {
    test('now() is epoch milliseconds and does not go backwards across a timer', async () => {
      const { clock, advance } = factory();
      const before = clock.now();
      assert.ok(Number.isInteger(before), 'now() must be an integer');
      assert.ok(before > Date.parse('2020-01-01T00:00:00Z'), 'now() must be epoch milliseconds');
      await advance(5);
      assert.ok(clock.now() >= before, 'now() went backwards');
    });

    test('fires a scheduled callback once, after its delay, in due order', async () => {
      const { clock, advance } = factory();
      const fired: string[] = [];
      clock.schedule(20, () => fired.push('late'));
      clock.schedule(5, () => fired.push('early'));
      assert.deepEqual(fired, []);
      await advance(40);
      assert.deepEqual(fired, ['early', 'late']);
      await advance(40);
      assert.deepEqual(fired, ['early', 'late']);
    });

    test('a cancelled timer never fires; cancelling twice is harmless', async () => {
      const { clock, advance } = factory();
      let fired = false;
      const cancel = clock.schedule(5, () => (fired = true));
      cancel();
      cancel();
      await advance(20);
      assert.equal(fired, false);
    });

    test('a delay beyond the 32-bit timer limit does not fire early', async () => {
      const { clock, advance } = factory();
      let fired = false;
      const cancel = clock.schedule(2 ** 31 + 10_000, () => (fired = true));
      await advance(20);
      assert.equal(fired, false);
      cancel();
    });
  });
}
