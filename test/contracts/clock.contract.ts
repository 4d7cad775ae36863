/**
 * Reusable contract for Clock adapters. `advance(ms)` lets time pass: real time for the
 * system clock (resolves once it has), simulated time for a fake one.
 *
 *   clockContract('my-clock', () => ({ clock, advance }));
 */
import type { Clock } from '../../src/domain/ports/clock';

export interface ClockHarness {
  clock: Clock;
  advance(ms: number): Promise<void>;
}

export function clockContract(name: string, factory: () => ClockHarness): void {
  describe(`Clock contract: ${name}`, () => {
    it('now() is epoch milliseconds and does not go backwards across a timer', async () => {
      const { clock, advance } = factory();
      const before = clock.now();
      expect(Number.isInteger(before)).toBe(true);
      expect(before).toBeGreaterThan(Date.parse('2020-01-01T00:00:00Z'));
      await advance(5);
      expect(clock.now()).toBeGreaterThanOrEqual(before);
    });

    it('fires a scheduled callback once, after its delay, in due order', async () => {
      const { clock, advance } = factory();
      const fired: string[] = [];
      clock.schedule(20, () => fired.push('late'));
      clock.schedule(5, () => fired.push('early'));
      expect(fired).toEqual([]);
      await advance(40);
      expect(fired).toEqual(['early', 'late']);
      await advance(40);
      expect(fired).toEqual(['early', 'late']);
    });

    it('a cancelled timer never fires; cancelling twice is harmless', async () => {
      const { clock, advance } = factory();
      let fired = false;
      const cancel = clock.schedule(5, () => (fired = true));
      cancel();
      cancel();
      await advance(20);
      expect(fired).toBe(false);
    });

    it('a delay beyond the 32-bit timer limit does not fire early', async () => {
      const { clock, advance } = factory();
      let fired = false;
      const cancel = clock.schedule(2 ** 31 + 10_000, () => (fired = true));
      await advance(20);
      expect(fired).toBe(false);
      cancel();
    });
  });
}
