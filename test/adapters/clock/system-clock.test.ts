import { MAX_TIMER_DELAY_MS, SystemClock, type TimerFunctions } from '../../../src/adapters/clock/system-clock';

/** Records every setTimeout the clock makes and lets the test fire them by hand. */
class RecordingTimers implements TimerFunctions {
  readonly armed: Array<{ ms: number; fn: () => void; cleared: boolean; unrefed: boolean }> = [];

  setTimeout(fn: () => void, ms: number) {
    const entry = { ms, fn, cleared: false, unrefed: false };
    this.armed.push(entry);
    return { entry, unref: () => (entry.unrefed = true) };
  }

  clearTimeout(handle: { unref?(): unknown }): void {
    (handle as unknown as { entry: { cleared: boolean } }).entry.cleared = true;
  }

  /** Fires the latest timer, as the event loop would when it is due. */
  fireLatest(): void {
    const last = this.armed[this.armed.length - 1];
    if (!last.cleared) last.fn();
  }
}

describe('SystemClock', () => {
  it('now() reads the injected or real wall clock', () => {
    expect(new SystemClock({ now: () => 42 }).now()).toBe(42);
    const before = Date.now();
    const now = new SystemClock().now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('arms a short delay once, unref()ed', () => {
    const timers = new RecordingTimers();
    const fn = jest.fn();
    new SystemClock({ timers }).schedule(1500, fn);
    expect(timers.armed.map((t) => t.ms)).toEqual([1500]);
    expect(timers.armed[0].unrefed).toBe(true);
    timers.fireLatest();
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('splits a delay beyond 2^31-1 ms into re-armed chunks instead of firing early', () => {
    const timers = new RecordingTimers();
    const fn = jest.fn();
    const total = 2 * MAX_TIMER_DELAY_MS + 1000; // ~49.7 days
    new SystemClock({ timers }).schedule(total, fn);
    expect(timers.armed.map((t) => t.ms)).toEqual([MAX_TIMER_DELAY_MS]);
    timers.fireLatest();
    expect(fn).not.toHaveBeenCalled();
    timers.fireLatest();
    expect(fn).not.toHaveBeenCalled();
    expect(timers.armed.map((t) => t.ms)).toEqual([MAX_TIMER_DELAY_MS, MAX_TIMER_DELAY_MS, 1000]);
    expect(timers.armed.every((t) => t.unrefed)).toBe(true);
    timers.fireLatest();
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('cancelling between chunks clears the armed chunk and never fires', () => {
    const timers = new RecordingTimers();
    const fn = jest.fn();
    const cancel = new SystemClock({ timers }).schedule(MAX_TIMER_DELAY_MS + 5, fn);
    timers.fireLatest();
    cancel();
    expect(timers.armed[1].cleared).toBe(true);
    timers.fireLatest();
    expect(fn).not.toHaveBeenCalled();
  });

  it('treats negative and NaN delays as "now" and Infinity as never', () => {
    const timers = new RecordingTimers();
    const clock = new SystemClock({ timers });
    clock.schedule(-5, () => undefined);
    clock.schedule(Number.NaN, () => undefined);
    const never = jest.fn();
    clock.schedule(Number.POSITIVE_INFINITY, never);
    expect(timers.armed.map((t) => t.ms)).toEqual([0, 0, MAX_TIMER_DELAY_MS]);
    timers.fireLatest();
    expect(never).not.toHaveBeenCalled();
    expect(timers.armed.at(-1)!.ms).toBe(MAX_TIMER_DELAY_MS);
  });

  describe('with the real (jest fake) timers', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('fires a long delay only after the full time has passed', () => {
      const fn = jest.fn();
      new SystemClock().schedule(MAX_TIMER_DELAY_MS + 60_000, fn);
      jest.advanceTimersByTime(MAX_TIMER_DELAY_MS);
      expect(fn).not.toHaveBeenCalled();
      jest.advanceTimersByTime(59_999);
      expect(fn).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1);
      expect(fn).toHaveBeenCalledTimes(1);
    });

    it('cancel prevents a short timer from firing', () => {
      const fn = jest.fn();
      const cancel = new SystemClock().schedule(100, fn);
      cancel();
      jest.advanceTimersByTime(1000);
      expect(fn).not.toHaveBeenCalled();
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  it('fires with the real global timers', async () => {
    const fired = await new Promise<boolean>((resolve) => {
      const timer = new SystemClock().schedule(1, () => resolve(true));
      expect(typeof timer).toBe('function');
    });
    expect(fired).toBe(true);
  });
});
