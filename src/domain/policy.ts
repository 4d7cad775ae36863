/** The serving policy: everything the use cases need from configuration, as plain data. */
export interface AgentPolicy {
  mode: 'cached' | 'jit';
  /** Cached mode: serve a snapshot at most this long after the last successful refresh. 0 in JIT mode. */
  ttlMs: number;
  /** Regular poll interval; default max(TTL/10, 5 s) in cached mode, 5 s in JIT mode. */
  pollIntervalMs?: number;
  /** Failure backoff: jittered exponential from base to max, always capped by the TTL/expiry deadline. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A read finding nothing servable triggers a refresh at most this often (protects the source). */
  requestRefreshMinGapMs: number;
  /** When set, artifacts (and revocation markers) for another identity/environment are rejected. */
  expectedIdentity?: string;
  expectedEnvironment?: string;
  /** Refuse a verified artifact whose `<ms>-<hex>` revision is older than the newest accepted one. */
  antiRollback: boolean;
  /** `ignore`: with a verify key configured, unsigned revocation markers are rejected instead of wiping. */
  unsignedRevocation: 'honour' | 'ignore';
  maxDocumentChars: number;
  /** Source of jitter, injectable for deterministic tests. */
  random?: () => number;
}

export const MIN_POLL_MS = 5_000;

export function pollIntervalMs(p: AgentPolicy): number {
  if (p.pollIntervalMs !== undefined) return p.pollIntervalMs;
  return p.mode === 'jit' ? MIN_POLL_MS : Math.max(p.ttlMs / 10, MIN_POLL_MS);
}

const PACKER_REVISION = /^(\d{1,15})-[0-9a-f]{8}$/;

/** Millisecond prefix of a packer-made revision, or undefined for legacy/opaque revisions. */
export function revisionTime(revision: string): number | undefined {
  const m = PACKER_REVISION.exec(revision);
  return m ? Number(m[1]) : undefined;
}
