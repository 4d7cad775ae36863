import type { AcceptResult, Acceptor } from './acceptor';
import type { CoreDeps } from './core-deps';
import { pollIntervalMs } from './policy';
import type { CachedArtifact } from './ports/artifact-cache';
import { creditedConfirmation, TrustMarks } from './trust-marks';

export type FleetDecision = { kind: 'served'; status: AcceptResult } | { kind: 'fetch'; leaseToken?: string };

/** A lease never outlives a few intervals, so a dead holder is replaced quickly. */
const MIN_LEASE_MS = 2_000;
const MAX_LEASE_MS = 30_000;

/**
 * The fleet's shared tier (e.g. Redis). Per interval one agent takes a short lease and
 * fetches from the source; the others use the entry it published. Every entry is verified
 * again by each reader (the tier is untrusted storage) and its `confirmedAt`, the last time
 * the source vouched for it, is what freshness and the TTL are measured from, bounded by
 * this agent's clock: an entry claiming a future time is never used, so one write to the
 * tier cannot stop the fleet from checking the source. The tier's trust record (tombstone,
 * high-water mark) is merged on every consult. Any backend failure degrades to fetching
 * from the source directly.
 */
export class FleetTier {
  private readonly trust: TrustMarks;

  constructor(
    private readonly deps: CoreDeps,
    private readonly acceptor: Acceptor,
  ) {
    this.trust = new TrustMarks(deps);
  }

  async consult(startedAt: number): Promise<FleetDecision> {
    const { fleet, source, clock, policy } = this.deps;
    const [stored, record] = await Promise.all([
      fleet!.cache.get(source.cacheKey).catch(() => undefined),
      fleet!.cache.getTrust(source.cacheKey).catch(() => undefined),
    ]);
    this.trust.adopt(record);
    const now = clock.now();
    const confirmedAt = stored && creditedConfirmation(stored.confirmedAt, now);
    const entry = stored && confirmedAt !== undefined ? { ...stored, confirmedAt } : undefined;
    const interval = pollIntervalMs(policy);
    if (entry && now - entry.confirmedAt < interval) {
      const status = await this.use(entry, startedAt);
      if (status) return { kind: 'served', status };
    }
    let lease;
    try {
      lease = await fleet!.lease.tryAcquire(source.cacheKey, Math.min(MAX_LEASE_MS, Math.max(MIN_LEASE_MS, interval)));
    } catch {
      return { kind: 'fetch' }; // backend down: never a single point of failure
    }
    if (lease.acquired) return { kind: 'fetch', leaseToken: lease.token };
    // Another agent is fetching right now: the last published entry is the best we know.
    const status = entry ? await this.use(entry, startedAt) : undefined;
    return status ? { kind: 'served', status } : { kind: 'fetch' };
  }

  /** After a refresh by this agent: publish what the source confirmed, then free the lease. */
  async finish(leaseToken: string | undefined, confirmedNow: boolean): Promise<void> {
    const { fleet, source, state } = this.deps;
    const held = state.accepted;
    if (confirmedNow && held && state.lastRefreshAt !== null) {
      const entry: CachedArtifact = { document: held.document, revision: held.artifact.revision, validator: held.validator, confirmedAt: state.lastRefreshAt };
      await fleet!.cache.set(source.cacheKey, entry).catch(() => undefined);
    }
    if (leaseToken !== undefined) await fleet!.lease.release(source.cacheKey, leaseToken).catch(() => false);
  }

  private async use(entry: CachedArtifact, startedAt: number): Promise<AcceptResult | undefined> {
    try {
      return await this.acceptor.accept({ document: entry.document, origin: 'fleet', validator: entry.validator, confirmedAt: entry.confirmedAt, startedAt });
    } catch {
      return undefined; // reported as artifact.invalid (origin fleet); fall back to the source
    }
  }
}
