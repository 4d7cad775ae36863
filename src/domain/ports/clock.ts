/** Time and timers, so the schedule, TTL and expiry logic run under a fake clock in tests. */
export const Clock = Symbol.for('clef-agent.Clock');

export type CancelTimer = () => void;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms`; the returned function cancels it. Timers must not
   * keep the process alive on their own. */
  schedule(ms: number, fn: () => void): CancelTimer;
}
