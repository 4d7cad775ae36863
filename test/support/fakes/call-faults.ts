/**
 * What the cloud KMS fakes (AWS KMS, Cloud KMS, Key Vault) let a test do to their calls:
 * hold every response until a promise settles, throttle the next `n` calls, and wait until
 * the n-th call has arrived. Each fake decides where in its handler these apply.
 */
export class CallFaults {
  private throttleLeft = 0;
  private hold?: Promise<unknown>;
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  /** Back to normal: nothing throttled, nothing held. */
  reset(): void {
    this.throttleLeft = 0;
    this.hold = undefined;
  }

  /** The next `n` calls are throttled (see `throttled()`). */
  throttle(n = Number.POSITIVE_INFINITY): void {
    this.throttleLeft = n;
  }

  /** Holds every response until `release` settles. */
  slow(release: Promise<unknown>): void {
    this.hold = release;
  }

  /** Resolves once `received()` has reported at least `n` calls (`count`: how many so far). */
  until(n: number, count: number): Promise<void> {
    if (count >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  /** A call arrived; `count` is how many so far. */
  received(count: number): void {
    const ready = this.waiters.filter((w) => count >= w.n);
    this.waiters = this.waiters.filter((w) => count < w.n);
    for (const w of ready) w.resolve();
  }

  /** Waits while responses are held. */
  async held(): Promise<void> {
    if (this.hold) await this.hold.catch(() => undefined);
  }

  /** Whether this call is one of the throttled ones (it uses one up). */
  throttled(): boolean {
    if (this.throttleLeft <= 0) return false;
    this.throttleLeft -= 1;
    return true;
  }
}
