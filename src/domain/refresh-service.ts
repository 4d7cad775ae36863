import { Acceptor, type AcceptResult } from './acceptor';
import type { CoreDeps } from './core-deps';
import { AgentError, toAgentError } from './errors';
import type { CancelTimer } from './ports/clock';
import type { ArtifactCache } from './ports/artifact-cache';
import type { FetchResult, SourceValidator } from './ports/artifact-source';
import type { Origin } from './ports/telemetry';
import { FleetTier } from './fleet-tier';
import { creditedConfirmation, TrustMarks } from './trust-marks';
import { Wipes } from './wipes';

export type RefreshOutcome =
  | { status: AcceptResult }
  | { status: 'failed'; error: AgentError; servedFromCache: boolean };

/**
 * The one refresh path. The background schedule, on-request refreshes and lifecycle
 * hooks all go through `refresh()`, which is single-flight: concurrent callers share
 * one fetch and at most one decrypt. `stop()` aborts the in-flight fetch.
 */
export class RefreshService {
  readonly wipes: Wipes;
  private readonly acceptor: Acceptor;
  private readonly fleet: FleetTier | null;
  private readonly trust: TrustMarks;
  private inFlight: Promise<RefreshOutcome> | null = null;
  private controller: AbortController | null = null;
  private cancelExpiryTimer: CancelTimer | null = null;

  constructor(private readonly deps: CoreDeps) {
    this.wipes = new Wipes(deps);
    this.trust = new TrustMarks(deps);
    this.acceptor = new Acceptor(deps, this.wipes, () => {
      this.armExpiryTimer();
      deps.state.notifyChanged(); // a new revision is served: wake long-polls
    });
    this.fleet = deps.fleet ? new FleetTier(deps, this.acceptor) : null;
  }

  get decryptSnapshot(): Acceptor['decryptSnapshot'] {
    return (artifact, signal) => this.acceptor.decryptSnapshot(artifact, signal);
  }

  refresh(): Promise<RefreshOutcome> {
    if (this.deps.state.stopped) {
      return Promise.resolve({ status: 'failed', error: new AgentError('stopped', 'agent is stopping'), servedFromCache: false });
    }
    if (!this.inFlight) {
      this.inFlight = this.run().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  /** Resolves once no refresh is in flight (its cache and trust-record writes included); never rejects. */
  settled(): Promise<void> {
    return this.inFlight ? this.inFlight.then(
      () => undefined,
      () => undefined,
    ) : Promise.resolve();
  }

  stop(): void {
    this.deps.state.stopped = true;
    this.controller?.abort();
    this.cancelExpiryTimer?.();
    this.deps.state.notifyChanged(); // long-polls answer 503 now instead of holding the drain
  }

  private async run(): Promise<RefreshOutcome> {
    const startedAt = this.deps.clock.now();
    this.deps.state.lastAttemptAt = startedAt;
    // What the tiers remember (tombstone, high-water mark) applies before anything is accepted.
    // (No await when there is nothing to read: the fetch then starts synchronously, so a
    // stop() right after refresh() aborts it.)
    if (this.trust.pendingLoad()) await this.trust.load();
    try {
      return await this.runOnce(startedAt);
    } finally {
      await this.trust.flush();
    }
  }

  private async runOnce(startedAt: number): Promise<RefreshOutcome> {
    if (!this.fleet) return this.fetchAndAccept(startedAt);
    const decision = await this.fleet.consult(startedAt);
    if (decision.kind === 'served') {
      await this.writeCache();
      return { status: decision.status };
    }
    const outcome = await this.fetchAndAccept(startedAt);
    await this.fleet.finish(decision.leaseToken, outcome.status !== 'failed');
    return outcome;
  }

  private async fetchAndAccept(startedAt: number): Promise<RefreshOutcome> {
    const { state, source } = this.deps;
    // stop() may have come while the trust records or the fleet were being read.
    if (state.stopped) return { status: 'failed', error: new AgentError('stopped', 'agent is stopping'), servedFromCache: false };
    this.controller = new AbortController();
    let result: FetchResult;
    try {
      result = await source.fetch({ previous: state.accepted?.validator, signal: this.controller.signal });
    } catch (e) {
      if (state.stopped) return { status: 'failed', error: new AgentError('stopped', 'agent is stopping'), servedFromCache: false };
      return this.onFetchFailure(toAgentError(e, 'fetch_failed'), startedAt);
    } finally {
      this.controller = null;
    }
    try {
      const status = await this.handle(result, startedAt);
      return { status };
    } catch (e) {
      return { status: 'failed', error: toAgentError(e, 'unknown'), servedFromCache: false };
    }
  }

  private async handle(result: FetchResult, startedAt: number): Promise<AcceptResult> {
    const { state } = this.deps;
    const held = state.accepted;
    const sameContent = result.kind === 'fetched' && result.contentId !== undefined && held?.validator?.contentId === result.contentId;
    if (result.kind === 'unchanged' || sameContent) {
      if (!held) throw new AgentError('source_bad_response', 'source reported unchanged content but nothing is loaded');
      await this.onUnchanged(startedAt, result.kind === 'fetched' ? result.validator : undefined);
      return 'unchanged';
    }
    const validator = result.validator ?? (result.contentId ? { contentId: result.contentId } : undefined);
    const status = await this.acceptor.accept({ document: result.document, origin: 'source', validator, startedAt });
    await this.writeCache();
    return status;
  }

  /** Unchanged source content still has its expiry enforced (W1) and bumps freshness. */
  private async onUnchanged(startedAt: number, validator: SourceValidator | undefined): Promise<void> {
    const { state, clock, telemetry } = this.deps;
    const held = state.accepted!;
    if (this.wipes.isExpired(clock.now())) await this.wipes.expire(held.artifact.expiresAt!);
    if (validator) held.validator = validator;
    this.trust.liftRevocation(); // the source itself vouches for what we hold
    state.lastRefreshAt = clock.now();
    state.lastError = null;
    state.servedFrom = 'source';
    telemetry.emit({ type: 'artifact.unchanged', revision: held.artifact.revision, durationMs: clock.now() - startedAt });
    await this.writeCache();
  }

  private async onFetchFailure(error: AgentError, startedAt: number): Promise<RefreshOutcome> {
    const { state, clock, telemetry, cache, policy } = this.deps;
    telemetry.emit({ type: 'fetch.failed', code: error.code, error: error.message, diskCacheAvailable: cache !== undefined || this.deps.fleet !== undefined, durationMs: clock.now() - startedAt });
    state.recordError(error.code, error.message, clock.now());
    let servedFromCache = false;
    if (!state.accepted) servedFromCache = await this.loadFromCache(startedAt);
    const now = clock.now();
    if (policy.mode === 'cached' && state.snapshot && state.lastRefreshAt !== null && now - state.lastRefreshAt > policy.ttlMs) {
      this.wipes.ttlExpired();
    }
    return { status: 'failed', error, servedFromCache: servedFromCache && state.snapshot !== null };
  }

  /** Source down and nothing loaded: serve a cached verified document (local tier first,
   * then the fleet's shared tier), verified again; the TTL still counts from `confirmedAt`. */
  private async loadFromCache(startedAt: number): Promise<boolean> {
    const { cache, fleet } = this.deps;
    const tiers: Array<[ArtifactCache, Origin]> = [];
    if (cache) tiers.push([cache, 'cache']);
    if (fleet) tiers.push([fleet.cache, 'fleet']);
    for (const [tier, origin] of tiers) if (await this.loadFrom(tier, origin, startedAt)) return true;
    return false;
  }

  private async loadFrom(tier: ArtifactCache, origin: Origin, startedAt: number): Promise<boolean> {
    const { source, state, clock, policy, telemetry } = this.deps;
    const stored = await tier.get(source.cacheKey).catch(() => undefined);
    if (!stored) return false;
    // An entry claiming a confirmation in the future is not credible: never served.
    const confirmedAt = creditedConfirmation(stored.confirmedAt, clock.now());
    if (confirmedAt === undefined) return false;
    const entry = { ...stored, confirmedAt };
    if (policy.mode === 'cached' && clock.now() - entry.confirmedAt > policy.ttlMs) {
      telemetry.emit({ type: 'cache.expired', cacheTtlSeconds: policy.ttlMs / 1000, diskCachePurged: false });
      return false;
    }
    const lastError = state.lastError;
    try {
      await this.acceptor.accept({ document: entry.document, origin, validator: entry.validator, confirmedAt: entry.confirmedAt, startedAt });
    } catch {
      return false; // reported as artifact.invalid; a cached entry is never trusted blindly
    }
    state.lastError = lastError; // the source is still failing: health keeps saying why
    state.servedFrom = origin;
    telemetry.emit({ type: 'cache.served', revision: entry.revision });
    return true;
  }

  private async writeCache(): Promise<void> {
    const { cache, state, source } = this.deps;
    const held = state.accepted;
    if (!cache || !held || state.lastRefreshAt === null) return;
    try {
      await cache.set(source.cacheKey, { document: held.document, revision: held.artifact.revision, validator: held.validator, confirmedAt: state.lastRefreshAt });
    } catch {
      // Best effort: a failing cache must never fail a refresh.
    }
  }

  /** Wipes at the instant of expiry, not at the next poll or read (W1). */
  private armExpiryTimer(): void {
    this.cancelExpiryTimer?.();
    this.cancelExpiryTimer = null;
    const exp = this.deps.state.accepted?.artifact.expiresAtMs;
    if (exp === undefined) return;
    const { clock } = this.deps;
    this.cancelExpiryTimer = clock.schedule(Math.max(0, exp - clock.now() + 1), () => {
      const held = this.deps.state.accepted;
      if (held && this.wipes.isExpired(clock.now())) void this.wipes.expireNow(held.artifact.expiresAt!);
    });
  }
}
