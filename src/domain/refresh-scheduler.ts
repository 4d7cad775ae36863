import type { CoreDeps } from './core-deps';
import { pollIntervalMs } from './policy';
import type { CancelTimer } from './ports/clock';
import type { RefreshOutcome, RefreshService } from './refresh-service';

/** Floor for any computed delay, so a misconfiguration can never spin. */
const MIN_DELAY_MS = 50;

/**
 * Background polling. One timer chain: the next poll is armed only after the current
 * refresh settles, and never after stop(). Success → the regular interval, pulled in
 * before `expiresAt`; failure → jittered exponential backoff, capped so a retry always
 * lands before the TTL or expiry deadline.
 */
export class RefreshScheduler {
  private cancel: CancelTimer | null = null;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly deps: CoreDeps,
    private readonly refresher: RefreshService,
  ) {}

  /** Runs a refresh now and keeps polling; resolves with the first outcome. */
  start(): Promise<RefreshOutcome> {
    return this.tick();
  }

  /** Stops polling and aborts the fetch in flight; resolves once the refresh in flight (if any) has settled. */
  stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    this.cancel = null;
    this.refresher.stop();
    return this.refresher.settled();
  }

  private async tick(): Promise<RefreshOutcome> {
    this.cancel = null;
    const outcome = await this.refresher.refresh();
    if (!this.stopped) {
      const delay = this.nextDelay(outcome);
      this.cancel = this.deps.clock.schedule(delay, () => void this.tick());
    }
    return outcome;
  }

  /** Exposed for tests of the schedule's bounds. */
  nextDelay(outcome: RefreshOutcome): number {
    const { policy, clock, state } = this.deps;
    const now = clock.now();
    const interval = pollIntervalMs(policy);
    const deadline = this.deadline();
    if (outcome.status !== 'failed') {
      this.failures = 0;
      const exp = state.accepted?.artifact.expiresAtMs;
      const beforeExpiry = exp === undefined ? interval : Math.max(0.8 * (exp - now), MIN_DELAY_MS);
      return Math.max(MIN_DELAY_MS, Math.min(interval, beforeExpiry));
    }
    this.failures += 1;
    const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.min(this.failures - 1, 30));
    const random = policy.random ?? Math.random;
    let delay = ceiling / 2 + (random() * ceiling) / 2; // "equal jitter": spread, never near zero
    if (outcome.error.retryAfterMs !== undefined) delay = Math.max(delay, outcome.error.retryAfterMs);
    if (deadline !== undefined && deadline > now) delay = Math.min(delay, Math.max(MIN_DELAY_MS, (deadline - now) / 2));
    return Math.max(MIN_DELAY_MS, delay);
  }

  /** The earliest instant at which the served data stops being servable. */
  private deadline(): number | undefined {
    const { policy, state } = this.deps;
    const candidates: number[] = [];
    if (policy.mode === 'cached' && state.lastRefreshAt !== null) candidates.push(state.lastRefreshAt + policy.ttlMs);
    const exp = state.accepted?.artifact.expiresAtMs;
    if (exp !== undefined) candidates.push(exp);
    return candidates.length ? Math.min(...candidates) : undefined;
  }
}
