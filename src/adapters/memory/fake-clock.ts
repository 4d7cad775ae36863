import type { CancelTimer, Clock } from '../../domain/ports/clock';

/**
 * A manual Clock for schedule, TTL and expiry tests. Like the real thing it keeps two
 * notions of time: the wall clock returned by `now()` and the elapsed time that timers
 * run on. `advance(ms)` moves both; `set(ms)` only jumps the wall clock (an NTP step or
 * a suspended VM), so it fires no timer, exactly as setTimeout would not.
 */
interface FakeTimer {
  /** Elapsed time (ms) at which the timer is due. */
  due: number;
  /** Scheduling order, to fire timers due at the same instant first-come first-served. */
  seq: number;
  fn: () => void;
}

/** 2026-05-01T12:00:00.000Z, the packedAt of the spec's worked examples. */
export const FAKE_CLOCK_START = Date.parse('2026-05-01T12:00:00.000Z');

export class FakeClock implements Clock {
  private wall: number;
  private elapsed = 0;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(startMs: number = FAKE_CLOCK_START) {
    this.wall = startMs;
  }

  now(): number {
    return this.wall;
  }

  schedule(ms: number, fn: () => void): CancelTimer {
    const timer: FakeTimer = { due: this.elapsed + (Number.isNaN(ms) || ms < 0 ? 0 : ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Number of timers scheduled and neither fired nor cancelled. */
  pending(): number {
    return this.timers.length;
  }

  /** Milliseconds until the next timer is due, or undefined when none is pending. */
  nextDelay(): number | undefined {
    const next = this.peek();
    return next === undefined ? undefined : next.due - this.elapsed;
  }

  /** Jumps the wall clock to `ms` (epoch) without firing timers. */
  set(ms: number): void {
    this.wall = ms;
  }

  /**
   * Moves time forward by `ms`, firing due timers in due order (ties in scheduling
   * order). A timer scheduled by a callback fires too if it falls inside the window.
   * `now()` inside a callback reads the timer's due time. Callback errors propagate.
   */
  advance(ms: number): void {
    const target = this.elapsed + ms;
    for (let t = this.takeDue(target); t; t = this.takeDue(target)) {
      this.moveTo(t.due);
      t.fn();
    }
    this.moveTo(target);
  }

  /**
   * Like advance, but after each timer lets queued promise work run (one macrotask
   * turn) before looking for the next due timer, so a callback that awaits promises and
   * then schedules the next poll is followed within the same window. Work waiting on
   * real I/O is not awaited; drive that with explicit signals.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.elapsed + ms;
    await settle();
    for (let t = this.takeDue(target); t; t = this.takeDue(target)) {
      this.moveTo(t.due);
      t.fn();
      await settle();
    }
    this.moveTo(target);
  }

  private moveTo(elapsed: number): void {
    this.wall += elapsed - this.elapsed;
    this.elapsed = elapsed;
  }

  private peek(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers) if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    return best;
  }

  private takeDue(target: number): FakeTimer | undefined {
    const next = this.peek();
    if (next === undefined || next.due > target) return undefined;
    this.timers = this.timers.filter((t) => t !== next);
    return next;
  }
}

/** Lets queued microtasks and I/O callbacks run (a macrotask turn), without sleeping. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
