import { AgentError } from '../errors';
import type { Hasher } from '../ports/hasher';
import type { SignatureVerifier } from '../ports/signature-verifier';
import { signedPayload } from './signed-payload';
import type { PackedArtifact } from './types';

export interface Verification {
  /** SHA-256 of the canonical signed payload: identifies the revision's full signed tuple. */
  digest: string;
  keyId: string | null;
}

export interface Binding {
  identity?: string;
  environment?: string;
}

/** Throws `identity_mismatch` when the document names another identity/environment (W5a). */
export function checkBinding(identity: string | undefined, environment: string | undefined, binding: Binding): void {
  const wrongIdentity = binding.identity !== undefined && identity !== binding.identity;
  const wrongEnvironment = binding.environment !== undefined && environment !== binding.environment;
  if (wrongIdentity || wrongEnvironment) {
    throw new AgentError('identity_mismatch', 'artifact is for another identity or environment than configured');
  }
}

/**
 * Integrity and authenticity (ARTIFACT.md §12 steps 8–10), run on every document
 * before any use, whatever its revision (closes W2).
 */
export function verifyArtifact(
  artifact: PackedArtifact,
  hasher: Hasher,
  verifier: SignatureVerifier,
  binding: Binding,
): Verification {
  checkBinding(artifact.identity, artifact.environment, binding);
  if (hasher.sha256Hex(artifact.ciphertext) !== artifact.ciphertextHash) {
    throw new AgentError('integrity', 'ciphertextHash does not match the SHA-256 of the ciphertext');
  }
  const payload = signedPayload(artifact);
  let keyId: string | null = null;
  if (verifier.enabled) {
    if (artifact.signature === undefined || artifact.signature === '') {
      throw new AgentError('signature_missing', 'artifact is unsigned but a verify key is configured');
    }
    const outcome = verifier.verify(payload, artifact.signature);
    if (!outcome.valid) throw new AgentError('signature_invalid', 'artifact signature does not verify with any configured key');
    keyId = outcome.keyId;
  }
  return { digest: hasher.sha256Hex(payload), keyId };
}
