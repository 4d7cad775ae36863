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
  delete(key: string): Promise<void>;
  /** Releases connections and handles. */
  close(): Promise<void>;
}
