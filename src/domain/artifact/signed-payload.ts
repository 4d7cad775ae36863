import { AgentError } from '../errors';
import type { PackedArtifact } from './types';

/** The canonical `clef-sig-v3` payload (ARTIFACT.md §7.1): 14 lines, LF-joined, no trailing LF. */
export function signedPayload(a: PackedArtifact): string {
  const e = a.envelope;
  const lines = [
    a.identity,
    a.environment,
    a.revision,
    a.packedAt,
    a.ciphertextHash,
    a.expiresAt ?? '',
    e?.provider ?? '',
    e?.keyId ?? '',
    e?.wrappedKey ?? '',
    e?.algorithm ?? '',
    e?.iv ?? '',
    e?.authTag ?? '',
  ];
  // [hardening] an embedded LF would let two different artifacts share one payload.
  if (lines.some((l) => l.includes('\n'))) {
    throw new AgentError('invalid_shape', 'a signed artifact member contains a line feed');
  }
  return ['clef-sig-v3', String(a.version), ...lines].join('\n');
}
