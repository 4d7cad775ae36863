import { FAKE_CLOCK_START, FakeClock } from '../../support/fake-clock';

describe('FakeClock', () => {
  it('starts at the given instant (default 2026-05-01T12:00:00Z)', () => {
    expect(new FakeClock().now()).toBe(FAKE_CLOCK_START);
    expect(new FakeClock(1000).now()).toBe(1000);
  });

  it('fires due timers in due order, ties in scheduling order, with now() at the due time', () => {
    const clock = new FakeClock(0);
    const log: string[] = [];
    clock.schedule(300, () => log.push(`c@${clock.now()}`));
    clock.schedule(100, () => log.push(`a@${clock.now()}`));
    clock.schedule(100, () => log.push(`b@${clock.now()}`));
    clock.schedule(1000, () => log.push('late'));
    clock.advance(500);
    expect(log).toEqual(['a@100', 'b@100', 'c@300']);
    expect(clock.now()).toBe(500);
    expect(clock.pending()).toBe(1);
    expect(clock.nextDelay()).toBe(500);
  });

  it('fires timers scheduled during advance that fall inside the window, not beyond', () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    const poll = (): void => {
      fired.push(clock.now());
      clock.schedule(100, poll);
    };
    clock.schedule(100, poll);
    clock.advance(350);
    expect(fired).toEqual([100, 200, 300]);
    expect(clock.pending()).toBe(1);
    expect(clock.nextDelay()).toBe(50);
  });

  it('cancel removes a timer; cancelling twice is harmless', () => {
    const clock = new FakeClock(0);
    const fn = jest.fn();
    const cancel = clock.schedule(10, fn);
    expect(clock.pending()).toBe(1);
    cancel();
    cancel();
    expect(clock.pending()).toBe(0);
    clock.advance(100);
    expect(fn).not.toHaveBeenCalled();
    expect(clock.nextDelay()).toBeUndefined();
  });

  it('set() jumps the wall clock without firing or moving timers', () => {
    const clock = new FakeClock(0);
    const fn = jest.fn();
    clock.schedule(1000, fn);
    clock.set(10_000_000);
    expect(clock.now()).toBe(10_000_000);
    expect(fn).not.toHaveBeenCalled();
    clock.advance(999);
    expect(fn).not.toHaveBeenCalled();
    clock.advance(1);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(clock.now()).toBe(10_001_000);
  });

  it('advance(0) fires timers scheduled with zero or negative delay', () => {
    const clock = new FakeClock(0);
    const fn = jest.fn();
    clock.schedule(0, fn);
    clock.schedule(-10, fn);
    clock.advance(0);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('advanceAsync lets promise-chained callbacks schedule their follow-up inside the window', async () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    const refresh = async (): Promise<void> => {
      fired.push(clock.now());
      await Promise.resolve();
      await Promise.resolve();
      clock.schedule(100, () => void refresh());
    };
    clock.schedule(100, () => void refresh());
    await clock.advanceAsync(250);
    expect(fired).toEqual([100, 200]);
    expect(clock.now()).toBe(250);
    expect(clock.nextDelay()).toBe(50);
  });

  it('plain advance does not wait for promise work, so the follow-up is not yet scheduled', () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    const refresh = async (): Promise<void> => {
      fired.push(clock.now());
      await Promise.resolve();
      clock.schedule(100, () => void refresh());
    };
    clock.schedule(100, () => void refresh());
    clock.advance(250);
    expect(fired).toEqual([100]);
    expect(clock.pending()).toBe(0);
  });
});
