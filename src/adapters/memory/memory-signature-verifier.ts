import { createHmac, timingSafeEqual } from 'node:crypto';
import { AgentError } from '../../domain/errors';
import type { SignatureVerifier, VerifyOutcome } from '../../domain/ports/signature-verifier';
import { decodeStrictBase64 } from '../crypto/strict-base64';

/**
 * Reference SignatureVerifier for tests: named shared secrets, and the "signature" is
 * a base64 HMAC-SHA256 tag over the UTF-8 payload. It follows the port's rules (first
 * matching key wins, malformed base64 → `signature_error`) without key pairs.
 */
export interface MemorySignatureVerifierOptions {
  /** Key id → shared secret. An empty map disables enforcement (`enabled: false`). */
  keys: Readonly<Record<string, string>>;
}

function tag(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload, 'utf8').digest();
}

export class MemorySignatureVerifier implements SignatureVerifier {
  private keys: ReadonlyArray<readonly [string, string]>;

  constructor(options: MemorySignatureVerifierOptions) {
    this.keys = Object.entries(options.keys);
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  get keyIds(): readonly string[] {
    return this.keys.map(([id]) => id);
  }

  setKeys(keys: Readonly<Record<string, string>>): void {
    this.keys = Object.entries(keys);
  }

  /** Signs with `keyId` (default: the first key); returns the base64 signature. */
  sign(payload: string, keyId: string = this.keys[0]?.[0] ?? ''): string {
    const entry = this.keys.find(([id]) => id === keyId);
    if (!entry) throw new Error('unknown memory signing key');
    return tag(entry[1], payload).toString('base64');
  }

  verify(payload: string, signatureBase64: string): VerifyOutcome {
    const signature = decodeStrictBase64(signatureBase64);
    if (!signature) throw new AgentError('signature_error', 'artifact signature is not standard base64');
    for (const [id, secret] of this.keys) {
      const expected = tag(secret, payload);
      if (signature.length === expected.length && timingSafeEqual(signature, expected)) return { valid: true, keyId: id };
    }
    return { valid: false };
  }
}
