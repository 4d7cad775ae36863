import type { PackedArtifact } from './artifact/types';
import type { ErrorCode } from './errors';
import type { LastError, NotReadyReason } from './inbound';
import type { SourceValidator } from './ports/artifact-source';
import type { SecretsSnapshot } from './snapshot';
import type { Origin } from './ports/telemetry';

/** The verified artifact currently accepted (ciphertext only; safe to keep in JIT mode). */
export interface AcceptedArtifact {
  artifact: PackedArtifact;
  /** The document text as fetched, for the artifact cache. */
  document: string;
  /** SHA-256 of the signed payload: two documents with the same digest are the same revision. */
  digest: string;
  /** Verify key that accepted it, null when signatures are not enforced. */
  keyId: string | null;
  validator?: SourceValidator;
}

/** Mutable serving state shared by the refresh, read and health use cases. */
export class AgentState {
  accepted: AcceptedArtifact | null = null;
  /** Cached mode only: the decrypted snapshot being served. */
  snapshot: SecretsSnapshot | null = null;
  lastRefreshAt: number | null = null;
  lastAttemptAt: number | null = null;
  lastError: LastError | null = null;
  servedFrom: Origin | null = null;
  /** Why nothing is served after a wipe; null before the first load. */
  wipedBecause: NotReadyReason | null = null;
  revokedAt: string | null = null;
  /** Newest packer revision time accepted (anti-rollback); survives wipes. Also raised from
   * the disk and fleet tiers' trust records (never lowered), so it survives restarts. */
  highestRevisionMs: number | undefined;
  /** Revocation tombstone (trust-marks.ts): cached/fleet copies it covers are refused. */
  tombstone: { revokedAt: string; coversUpToMs: number } | null = null;
  /** The trust records were read from the tiers (once per process). */
  trustLoaded = false;
  /** What changed since the trust records were last written to the tiers. */
  trustDirty = { highest: false, tombstone: false };
  stopped = false;
  /** Called whenever the served revision may have changed (commit, wipe, stop): long-poll
   * waiters and `exec` rotation watch this instead of polling. Listeners must not throw. */
  readonly changeListeners = new Set<() => void>();

  notifyChanged(): void {
    for (const listener of [...this.changeListeners]) listener();
  }

  recordError(code: ErrorCode, message: string, at: number): void {
    this.lastError = { code, message, at };
  }

  /** Drops plaintext and forgets change detection, so the same artifact reloads later (W4). */
  wipe(reason: NotReadyReason): void {
    this.snapshot?.wipe();
    this.snapshot = null;
    this.accepted = null;
    this.lastRefreshAt = null;
    this.servedFrom = null;
    this.wipedBecause = reason;
    this.notifyChanged(); // waiters wake and get the 503 the wipe implies
  }
}
