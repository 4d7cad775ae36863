import type { ArtifactCache, ArtifactCacheCapabilities, CachedArtifact } from '../../domain/ports/artifact-cache';
import { AgentError } from '../../domain/errors';
import { toCachedArtifact } from '../cache/cached-artifact-codec';

/**
 * Reference ArtifactCache: a process-local map. Entries are copied in and out so a
 * caller mutating what it stored or read can never change what the cache holds —
 * the same isolation a serialising cache gives for free.
 */
export class MemoryArtifactCache implements ArtifactCache {
  readonly capabilities: ArtifactCacheCapabilities = { persistent: false, shared: false };
  private readonly entries = new Map<string, CachedArtifact>();

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

  async close(): Promise<void> {
    this.entries.clear();
  }
}
