import type { SourceValidator } from './artifact-source';

/**
 * Stores verified artifact documents (ciphertext only, never plaintext) so the agent
 * can start and keep serving during a source outage. Entries are untrusted on the way
 * back in: the domain verifies them again before use.
 */
export const ArtifactCache = Symbol.for('clef-agent.ArtifactCache');

export interface CachedArtifact {
  /** The verified document text, exactly as fetched. */
  document: string;
  /** Revision of the document, for operators and fleet coordination. */
  revision: string;
  validator?: SourceValidator;
  /** Last time (epoch ms) the source confirmed this document (fetch or unchanged poll). */
  confirmedAt: number;
}

/**
 * What an agent remembers about a source beyond the document itself, kept next to the
 * entry (same key, separate record) so it survives a restart (file tier) and reaches the
 * other agents (fleet tier). Untrusted on the way back in like everything stored: the
 * domain only ever lets it deny service (raise the high-water mark, refuse copies), never
 * extend it.
 */
export interface TrustRecord {
  /** Highest packer revision time (epoch ms) accepted from this source: the anti-rollback high-water mark. */
  highestRevisionMs?: number;
  /** Revocation tombstone: cached or fleet copies revised at or before `coversUpToMs` are never served again. */
  revoked?: { revokedAt: string; coversUpToMs: number };
}

export interface ArtifactCacheCapabilities {
  /** Survives a process restart. */
  persistent: boolean;
  /** Shared between agents (fleet tier). */
  shared: boolean;
}

export interface ArtifactCache {
  readonly capabilities: ArtifactCacheCapabilities;
  /** Missing or unreadable (corrupt) entries yield undefined, never an exception. */
  get(key: string): Promise<CachedArtifact | undefined>;
  set(key: string, entry: CachedArtifact): Promise<void>;
  /** Deletes the entry; the trust record stays. */
  delete(key: string): Promise<void>;
  /** The trust record for `key`; missing or unreadable yields undefined, never an exception. */
  getTrust(key: string): Promise<TrustRecord | undefined>;
  /** Replaces the trust record for `key`. */
  setTrust(key: string, record: TrustRecord): Promise<void>;
  /** Releases connections and handles. */
  close(): Promise<void>;
}
