import type { CoreDeps } from './core-deps';
import { AgentError } from './errors';
import type { HealthReport, NotReadyReason, Readiness, SecretsQuery } from './inbound';
import type { RefreshService } from './refresh-service';
import type { SecretsSnapshot } from './snapshot';

/**
 * The read, readiness and health use cases. Cached mode serves the snapshot while it is
 * within TTL and unexpired; past TTL a read joins a refresh and fails only if that fails.
 * JIT mode decrypts the stored verified artifact on each read, coalescing concurrent
 * reads onto one decrypt and keeping no plaintext afterwards.
 */
export class SecretsService implements SecretsQuery {
  private jitDecrypt: Promise<SecretsSnapshot> | null = null;

  constructor(
    private readonly deps: CoreDeps,
    private readonly refresher: RefreshService,
  ) {}

  async read(): Promise<SecretsSnapshot> {
    this.enforceExpiry();
    const servable = this.servable();
    if (servable) return servable;
    if (this.mayRefreshOnRequest()) {
      await this.refresher.refresh();
      this.enforceExpiry();
      const after = this.servable();
      if (after) return after;
    }
    throw this.notServingError();
  }

  readiness(): Readiness {
    this.enforceExpiry();
    const reason = this.notReadyReason();
    return reason === null ? { ready: true } : { ready: false, reason };
  }

  health(): HealthReport {
    this.enforceExpiry();
    const { state, policy, source, clock } = this.deps;
    const reason = this.notReadyReason();
    const artifact = state.accepted?.artifact;
    const ready = reason === null;
    return {
      status: !ready ? 'unavailable' : state.lastError ? 'degraded' : 'ok',
      mode: policy.mode,
      ready,
      reason,
      revision: artifact?.revision ?? null,
      lastRefreshAt: state.lastRefreshAt,
      expired: this.isStale(clock.now()),
      expiresAt: artifact?.expiresAt ?? null,
      packedAt: artifact?.packedAt ?? null,
      servedFrom: state.servedFrom,
      verifiedBy: state.accepted?.keyId ?? null,
      revokedAt: state.revokedAt,
      keyCount: state.snapshot?.keyCount ?? null,
      lastError: state.lastError,
      fleet: this.deps.fleet?.lease.status?.() ?? null,
      source: { type: source.type, description: source.description },
    };
  }

  currentRevision(): string | null {
    return this.deps.state.accepted?.artifact.revision ?? null;
  }

  waitForRevision(since: string | null, signal: AbortSignal): Promise<void> {
    const { state } = this.deps;
    if (signal.aborted || state.stopped || this.currentRevision() !== since) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        state.changeListeners.delete(onChange);
        signal.removeEventListener('abort', done);
        resolve();
      };
      // A wipe or stop always wakes (the reader gets its 503); a commit of the same
      // revision (e.g. reloaded after a wipe) does not.
      const onChange = () => {
        if (state.stopped || state.wipedBecause !== null || this.currentRevision() !== since) done();
      };
      state.changeListeners.add(onChange);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Pending `waitForRevision` calls (tests assert that cancelled waits leave none). */
  get waiterCount(): number {
    return this.deps.state.changeListeners.size;
  }

  /** Drops every plaintext reference (shutdown). */
  wipe(): void {
    this.deps.state.wipe('stopped');
  }

  private servable(): SecretsSnapshot | Promise<SecretsSnapshot> | null {
    const { state, policy, clock } = this.deps;
    if (this.notReadyReason() !== null) return null;
    if (policy.mode === 'cached') return this.isStale(clock.now()) ? null : state.snapshot;
    return this.decryptJit();
  }

  private decryptJit(): Promise<SecretsSnapshot> {
    if (!this.jitDecrypt) {
      const artifact = this.deps.state.accepted!.artifact;
      this.jitDecrypt = this.refresher.decryptSnapshot(artifact).finally(() => {
        this.jitDecrypt = null;
      });
    }
    return this.jitDecrypt;
  }

  private isStale(now: number): boolean {
    const { state, policy } = this.deps;
    return policy.mode === 'cached' && state.lastRefreshAt !== null && now - state.lastRefreshAt > policy.ttlMs;
  }

  private notReadyReason(): NotReadyReason | null {
    const { state, policy, clock } = this.deps;
    if (state.stopped) return 'stopped';
    const loaded = policy.mode === 'cached' ? state.snapshot !== null : state.accepted !== null;
    if (!loaded) return state.wipedBecause ?? 'not_loaded';
    return this.isStale(clock.now()) ? 'cache_expired' : null;
  }

  /** Reads never see an expired artifact, whatever the timers did (W1). */
  private enforceExpiry(): void {
    const held = this.deps.state.accepted;
    if (held && this.refresher.wipes.isExpired(this.deps.clock.now())) void this.refresher.wipes.expireNow(held.artifact.expiresAt!);
  }

  private mayRefreshOnRequest(): boolean {
    const { state, policy, clock } = this.deps;
    if (state.stopped) return false;
    const last = state.lastAttemptAt;
    return last === null || clock.now() - last >= policy.requestRefreshMinGapMs || state.lastError === null;
  }

  private notServingError(): AgentError {
    const { state } = this.deps;
    const reason = this.notReadyReason() ?? 'not_loaded';
    const last = state.lastError;
    const why = last ? ` (last error: ${last.code})` : '';
    const messages: Record<NotReadyReason, string> = {
      not_loaded: 'secrets not loaded yet',
      cache_expired: 'secrets are older than CLEF_AGENT_CACHE_TTL and the refresh failed',
      expired: 'the artifact has expired',
      revoked: 'the artifact has been revoked',
      stopped: 'the agent is stopping',
    };
    return new AgentError(reason, `${messages[reason]}${why}`);
  }
}
