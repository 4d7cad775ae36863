import type { PackedArtifact } from './artifact/types';
import type { CoreDeps } from './core-deps';
import { revisionTime } from './policy';
import type { ArtifactCache, TrustRecord } from './ports/artifact-cache';

/** A cached/fleet `confirmedAt` may run this far ahead of our clock (hosts' clock skew). */
export const CONFIRMED_AT_SKEW_MS = 1_000;
/** A stored high-water mark or tombstone may run this far ahead of our clock (packer skew). */
export const MARK_SKEW_MS = 5 * 60_000;

/**
 * The time this agent may credit to a cached or fleet entry's `confirmedAt`: never later
 * than now, and nothing at all (undefined) for an entry claiming a future time, which no
 * honest writer produces. So an untrusted tier can never stretch freshness or the TTL
 * beyond what the source actually confirmed.
 */
export function creditedConfirmation(confirmedAt: number, now: number): number | undefined {
  if (!Number.isFinite(confirmedAt) || confirmedAt > now + CONFIRMED_AT_SKEW_MS) return undefined;
  return Math.min(confirmedAt, now);
}

/** Revision time of an artifact for tombstone comparisons: the packer revision, else `packedAt`. */
function artifactTime(artifact: PackedArtifact): number | undefined {
  const t = revisionTime(artifact.revision) ?? Date.parse(artifact.packedAt);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Sticky revocation and restart-proof anti-rollback. The state lives in `AgentState`
 * (memory) and is mirrored into every cache tier as a `TrustRecord`: the file tier (so it
 * survives a restart) and the fleet tier (so other agents and restarted ones see it).
 * Stored records are untrusted input, so they are only ever merged in a direction that
 * denies service: the high-water mark only rises, a tombstone only makes copies refused,
 * and values claiming a time implausibly far in the future are ignored. Only the source
 * lifts a tombstone (by delivering a valid artifact).
 */
export class TrustMarks {
  constructor(private readonly deps: CoreDeps) {}

  /** True until `load()` ran, when there is a tier to read. */
  pendingLoad(): boolean {
    return !this.deps.state.trustLoaded && this.tiers().length > 0;
  }

  /** Once per process, before the first document is accepted: adopt what the tiers remember. */
  async load(): Promise<void> {
    const { state } = this.deps;
    if (state.trustLoaded) return;
    state.trustLoaded = true;
    for (const tier of this.tiers()) this.adopt(await this.read(tier));
    if (state.tombstone && !state.accepted && state.wipedBecause === null) {
      // Restarted after a revocation: say so until the source publishes something valid.
      state.wipedBecause = 'revoked';
      state.revokedAt = state.tombstone.revokedAt;
    }
  }

  /** Merges an untrusted record: the mark only rises, a tombstone is only added or widened. */
  adopt(record: TrustRecord | undefined): void {
    if (!record) return;
    const { state, clock } = this.deps;
    const limit = clock.now() + MARK_SKEW_MS;
    const high = record.highestRevisionMs;
    if (high !== undefined && high <= limit && (state.highestRevisionMs === undefined || high > state.highestRevisionMs)) {
      state.highestRevisionMs = high;
    }
    const tomb = record.revoked;
    if (tomb && tomb.coversUpToMs <= limit && (!state.tombstone || tomb.coversUpToMs > state.tombstone.coversUpToMs)) {
      state.tombstone = { ...tomb };
    }
  }

  /** True when a cached/fleet copy of `artifact` is covered by a revocation and must not be served. */
  covers(artifact: PackedArtifact): boolean {
    const tomb = this.deps.state.tombstone;
    if (!tomb) return false;
    const t = artifactTime(artifact);
    return t === undefined || t <= tomb.coversUpToMs;
  }

  /** A revocation was accepted: everything revised up to now (or to what we held) is covered. */
  recordRevocation(revokedAt: string): void {
    const { state, clock } = this.deps;
    const now = clock.now();
    const candidates = [now, state.highestRevisionMs];
    if (state.accepted) candidates.push(artifactTime(state.accepted.artifact));
    const marker = Date.parse(revokedAt);
    if (Number.isFinite(marker)) candidates.push(Math.min(marker, now + MARK_SKEW_MS));
    const coversUpToMs = Math.max(...candidates.filter((c): c is number => c !== undefined));
    state.tombstone = { revokedAt, coversUpToMs: Math.max(coversUpToMs, state.tombstone?.coversUpToMs ?? 0) };
    state.trustDirty.tombstone = true;
  }

  /** The source delivered a valid artifact: the revocation is over. */
  liftRevocation(): void {
    const { state } = this.deps;
    if (!state.tombstone) return;
    state.tombstone = null;
    state.trustDirty.tombstone = true;
  }

  /** Called when `highestRevisionMs` rose. */
  markRaised(): void {
    this.deps.state.trustDirty.highest = true;
  }

  /** Writes what changed to every tier (read, merge, write; best effort: a failing tier never fails a refresh). */
  async flush(): Promise<void> {
    const { state, source } = this.deps;
    const dirty = state.trustDirty;
    if (!dirty.highest && !dirty.tombstone) return;
    const tombstoneChanged = dirty.tombstone;
    state.trustDirty = { highest: false, tombstone: false };
    for (const tier of this.tiers()) {
      const stored = await this.read(tier);
      const record: TrustRecord = {};
      const storedHigh = stored?.highestRevisionMs;
      const high = Math.max(state.highestRevisionMs ?? 0, storedHigh !== undefined && storedHigh <= this.deps.clock.now() + MARK_SKEW_MS ? storedHigh : 0);
      if (high > 0) record.highestRevisionMs = high;
      // Our tombstone decision is authoritative only when we made one; otherwise keep the stored one.
      const tomb = tombstoneChanged ? state.tombstone : stored?.revoked;
      if (tomb) record.revoked = { ...tomb };
      await tier.setTrust(source.cacheKey, record).catch(() => undefined);
    }
  }

  tiers(): ArtifactCache[] {
    const { cache, fleet } = this.deps;
    return [cache, fleet?.cache].filter((t): t is ArtifactCache => t !== undefined);
  }

  private read(tier: ArtifactCache): Promise<TrustRecord | undefined> {
    return tier.getTrust(this.deps.source.cacheKey).catch(() => undefined);
  }
}
