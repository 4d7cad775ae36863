import type { CachedArtifact, TrustRecord } from '../../domain/ports/artifact-cache';
import type { SourceValidator } from '../../domain/ports/artifact-source';

/**
 * Shape checks and copying for cache entries. Anything read back from a cache is
 * untrusted (another process, a tampered file, a foreign key in a shared Redis), so
 * it is rebuilt member by member from validated primitives rather than passed on.
 */

const validatorFields = ['etag', 'lastModified', 'contentId'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function readValidator(value: unknown): SourceValidator | undefined | null {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) return null;
  const out: SourceValidator = {};
  for (const field of validatorFields) {
    const member = value[field];
    if (member === undefined) continue;
    if (typeof member !== 'string') return null;
    out[field] = member;
  }
  return out;
}

/** Returns a fresh, validated copy, or undefined when `value` is not a cache entry.
 * Unknown members are dropped so nothing foreign travels with an entry. */
export function toCachedArtifact(value: unknown): CachedArtifact | undefined {
  if (!isPlainObject(value)) return undefined;
  const { document, revision, confirmedAt } = value;
  if (typeof document !== 'string' || typeof revision !== 'string') return undefined;
  if (typeof confirmedAt !== 'number' || !Number.isFinite(confirmedAt)) return undefined;
  const validator = readValidator(value.validator);
  if (validator === null) return undefined;
  const entry: CachedArtifact = { document, revision, confirmedAt };
  if (validator !== undefined) entry.validator = validator;
  return entry;
}

function isEpochMs(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Returns a fresh, validated copy of a trust record, or undefined when `value` is not one. */
export function toTrustRecord(value: unknown): TrustRecord | undefined {
  if (!isPlainObject(value)) return undefined;
  const out: TrustRecord = {};
  const { highestRevisionMs, revoked } = value;
  if (highestRevisionMs !== undefined) {
    if (!isEpochMs(highestRevisionMs)) return undefined;
    out.highestRevisionMs = highestRevisionMs;
  }
  if (revoked !== undefined) {
    if (!isPlainObject(revoked)) return undefined;
    const { revokedAt, coversUpToMs } = revoked;
    if (typeof revokedAt !== 'string' || revokedAt.length > 64 || !isEpochMs(coversUpToMs)) return undefined;
    out.revoked = { revokedAt, coversUpToMs };
  }
  return out;
}
