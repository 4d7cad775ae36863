/**
 * Verifies the artifact signature over the canonical `clef-sig-v3` payload. The
 * algorithm comes from the configured key's type, never from the artifact.
 */
export const SignatureVerifier = Symbol.for('clef-agent.SignatureVerifier');

export type VerifyOutcome = { valid: true; keyId: string } | { valid: false };

export interface SignatureVerifier {
  /** False when no verify key is configured: signatures are then not enforced. */
  readonly enabled: boolean;
  /** Ids of the configured keys (e.g. SHA-256 fingerprint prefixes), for health. */
  readonly keyIds: readonly string[];
  /**
   * Checks `signatureBase64` over the UTF-8 bytes of `payload` against every configured
   * key. Throws AgentError `signature_error` when the signature cannot be checked at all
   * (malformed base64, unusable key).
   */
  verify(payload: string, signatureBase64: string): VerifyOutcome;
}
