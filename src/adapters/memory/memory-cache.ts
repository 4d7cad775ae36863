import type { ArtifactCache, ArtifactCacheCapabilities, CachedArtifact, TrustRecord } from '../../domain/ports/artifact-cache';
import { AgentError } from '../../domain/errors';
import { toCachedArtifact, toTrustRecord } from '../cache/cached-artifact-codec';

/**
 * Reference ArtifactCache: a process-local map. Entries are copied in and out so a
 * caller mutating what it stored or read can never change what the cache holds —
 * the same isolation a serialising cache gives for free.
 */
export class MemoryArtifactCache implements ArtifactCache {
  readonly capabilities: ArtifactCacheCapabilities = { persistent: false, shared: false };
  private readonly entries = new Map<string, CachedArtifact>();
  private readonly trust = new Map<string, TrustRecord>();

  async get(key: string): Promise<CachedArtifact | undefined> {
    const entry = this.entries.get(key);
    return entry === undefined ? undefined : toCachedArtifact(entry);
  }

  async set(key: string, entry: CachedArtifact): Promise<void> {
    const copy = toCachedArtifact(entry);
    // Same rule as the persistent caches: never store what could not be read back.
    if (copy === undefined) throw new AgentError('cache_corrupt', 'refusing to cache an entry of invalid shape');
    this.entries.set(key, copy);
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async getTrust(key: string): Promise<TrustRecord | undefined> {
    const record = this.trust.get(key);
    return record === undefined ? undefined : toTrustRecord(record);
  }

  async setTrust(key: string, record: TrustRecord): Promise<void> {
    const copy = toTrustRecord(record);
    if (copy === undefined) throw new AgentError('cache_corrupt', 'refusing to store a trust record of invalid shape');
    this.trust.set(key, copy);
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.trust.clear();
  }
}
