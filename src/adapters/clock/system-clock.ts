import type { CancelTimer, Clock } from '../../domain/ports/clock';

/**
 * Wall-clock time and real timers. Node fires any setTimeout longer than 2^31-1 ms
 * (~24.8 days) after 1 ms, which would turn a long TTL or a far `expiresAt` into an
 * immediate wipe; longer delays are therefore split into chunks and re-armed.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** The slice of the timer API the clock uses, injectable for tests. */
export interface TimerFunctions {
  setTimeout(fn: () => void, ms: number): { unref?(): unknown };
  clearTimeout(handle: { unref?(): unknown }): void;
}

export interface SystemClockOptions {
  /** Defaults to the global timers. */
  timers?: TimerFunctions;
  /** Defaults to Date.now. */
  now?: () => number;
}

const globalTimers: TimerFunctions = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class SystemClock implements Clock {
  private readonly timers: TimerFunctions;
  private readonly nowFn: () => number;

  constructor(options: SystemClockOptions = {}) {
    this.timers = options.timers ?? globalTimers;
    this.nowFn = options.now ?? Date.now;
  }

  now(): number {
    return this.nowFn();
  }

  /**
   * Negative or NaN delays fire on the next turn; `Infinity` never fires. The remaining
   * time is counted down chunk by chunk (timers are monotonic), so a wall-clock jump
   * does not move the deadline.
   */
  schedule(ms: number, fn: () => void): CancelTimer {
    let remaining = Number.isNaN(ms) || ms < 0 ? 0 : ms;
    let cancelled = false;
    let handle: { unref?(): unknown } | undefined;
    const arm = (): void => {
      const chunk = Math.min(remaining, MAX_TIMER_DELAY_MS);
      handle = this.timers.setTimeout(() => {
        if (cancelled) return;
        remaining -= chunk;
        if (remaining > 0) arm();
        else fn();
      }, chunk);
      // Timers must never keep the process alive on their own (Clock port contract).
      handle.unref?.();
    };
    arm();
    return () => {
      cancelled = true;
      if (handle !== undefined) this.timers.clearTimeout(handle);
    };
  }
}
