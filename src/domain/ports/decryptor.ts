import type { PackedArtifact } from '../artifact/types';

/**
 * Turns a verified artifact's ciphertext into plaintext bytes. The age adapter and the
 * KMS envelope adapter implement it; a router adapter picks one per artifact (envelope
 * present or not), so adding a KMS provider is an adapter-only change.
 */
export const Decryptor = Symbol.for('clef-agent.Decryptor');

export interface DecryptorCapabilities {
  /** Handles age-only artifacts (no envelope). */
  age: boolean;
  /** Envelope providers handled (`aws`, ...). */
  envelopeProviders: readonly string[];
}

export interface Decryptor {
  readonly capabilities: DecryptorCapabilities;
  /**
   * Returns the UTF-8 plaintext bytes. The caller owns (and zeroes) the result.
   * Failures are AgentErrors: `decrypt`, `no_age_identity`, `unsupported_kms_provider`,
   * `kms_*`. Messages never contain key material or plaintext.
   */
  decrypt(artifact: PackedArtifact, signal?: AbortSignal): Promise<Uint8Array>;
}
