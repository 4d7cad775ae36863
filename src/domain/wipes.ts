import { AgentError } from './errors';
import type { CoreDeps } from './core-deps';
import type { RevocationMarker } from './artifact/types';
import { TrustMarks } from './trust-marks';

/** The two ways an artifact stops being servable for good: revocation and expiry.
 * Both wipe memory and the caches (local and fleet), and forget change detection (W4).
 * A revocation also leaves a tombstone in memory, on disk and in the fleet tier, so no
 * cached copy comes back after an outage or a restart (trust-marks.ts). */
export class Wipes {
  private readonly trust: TrustMarks;

  constructor(private readonly deps: CoreDeps) {
    this.trust = new TrustMarks(deps);
  }

  async revoke(marker: RevocationMarker): Promise<never> {
    const { state, clock, telemetry } = this.deps;
    this.trust.recordRevocation(marker.revokedAt); // before the wipe: it covers what we held
    state.wipe('revoked');
    state.revokedAt = marker.revokedAt;
    await this.purgeCache();
    await this.trust.flush();
    telemetry.emit({ type: 'artifact.revoked', revokedAt: marker.revokedAt });
    const err = new AgentError('revoked', `artifact revoked at ${marker.revokedAt}`);
    state.recordError(err.code, err.message, clock.now());
    throw err;
  }

  async expire(expiresAt: string): Promise<never> {
    await this.expireNow(expiresAt);
    throw new AgentError('expired', `artifact expired at ${expiresAt}`);
  }

  /** Wipes at once; the returned promise only tracks the cache purge (timers may ignore it). */
  expireNow(expiresAt: string): Promise<void> {
    const { state, clock, telemetry } = this.deps;
    state.wipe('expired');
    state.recordError('expired', `artifact expired at ${expiresAt}`, clock.now());
    telemetry.emit({ type: 'artifact.expired', expiresAt });
    return this.purgeCache();
  }

  /** Cached mode: the TTL since the last successful refresh passed and the refresh failed. */
  ttlExpired(): void {
    const { state, policy, telemetry } = this.deps;
    state.wipe('cache_expired');
    telemetry.emit({ type: 'cache.expired', cacheTtlSeconds: policy.ttlMs / 1000, diskCachePurged: false });
  }

  /** True when the accepted artifact's expiresAt has passed (strictly greater, as the reference). */
  isExpired(now: number): boolean {
    const exp = this.deps.state.accepted?.artifact.expiresAtMs;
    return exp !== undefined && now > exp;
  }

  private async purgeCache(): Promise<void> {
    const { source } = this.deps;
    for (const tier of this.trust.tiers()) {
      try {
        await tier.delete(source.cacheKey);
      } catch {
        // The caches only ever hold verified ciphertext; a failed purge is retried on the next
        // wipe, and after a revocation the tombstone refuses the copy meanwhile.
      }
    }
  }
}
