/**
 * Reusable contract suite for the SignatureVerifier port
 * (src/domain/ports/signature-verifier.ts).
 *
 * Run it against an adapter from a tiny runner file:
 *
 *   signatureVerifierContract('my-hsm', async () => ({
 *     verifier: new MyVerifier({ keys: [publicKey] }),
 *     sign: async (payload) => base64SignatureByTheConfiguredKey(payload),
 *     signWithUnknownKey: async (payload) => base64SignatureByAnotherKeyOfTheSameType(payload),
 *   }));
 *
 * The factory is called once per test. The verifier must be configured with at least
 * one key (`enabled`); `sign` signs the UTF-8 bytes of the payload with one of them.
 * Assertions use error codes, never messages.
 */
import { signedPayload } from '../../src/domain/artifact/signed-payload';
import type { PackedArtifact } from '../../src/domain/artifact/types';
import { isAgentError, type ErrorCode } from '../../src/domain/errors';
import type { SignatureVerifier } from '../../src/domain/ports/signature-verifier';

export interface SignatureVerifierHarness {
  verifier: SignatureVerifier;
  /** Base64 signature over the UTF-8 bytes of `payload` by a key the verifier holds. */
  sign(payload: string): Promise<string>;
  /** Base64 signature by a key of the same kind that the verifier does not hold. */
  signWithUnknownKey(payload: string): Promise<string>;
  close?(): Promise<void>;
}

/** A realistic clef-sig-v3 payload (ARTIFACT.md §13.2's artifact). */
const PAYLOAD = signedPayload({
  version: 1,
  identity: 'api-gateway',
  environment: 'staging',
  packedAt: '2026-05-01T12:00:00.000Z',
  revision: '1777636800000-5e6f7a8b',
  ciphertextHash: 'b86b34c725b8f67c18d5c1e36e3f18492909f881fa7648242b66a9c4bfdd4ca5',
  ciphertext: 'unused',
} as PackedArtifact);

/** Flips the low bit of one UTF-8 byte of `payload` (an ASCII position, so it stays text). */
function flipPayloadByte(payload: string, index: number): string {
  const bytes = Buffer.from(payload, 'utf8');
  bytes[index] ^= 0x01;
  return bytes.toString('utf8');
}

function codeOf(fn: () => unknown): ErrorCode | 'no error' {
  try {
    fn();
  } catch (e) {
    if (!isAgentError(e)) throw e;
    return e.code;
  }
  return 'no error';
}

export function signatureVerifierContract(adapterName: string, factory: () => Promise<SignatureVerifierHarness>): void {
  describe(`SignatureVerifier contract: ${adapterName}`, () => {
    let h: SignatureVerifierHarness;

    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.close?.();
    });

    it('is enabled and lists the ids of its keys', () => {
      expect(h.verifier.enabled).toBe(true);
      expect(h.verifier.keyIds.length).toBeGreaterThan(0);
      for (const id of h.verifier.keyIds) expect(id).toMatch(/\S/);
    });

    it('accepts a signature by a configured key and names that key', async () => {
      const outcome = h.verifier.verify(PAYLOAD, await h.sign(PAYLOAD));
      expect(outcome.valid).toBe(true);
      if (outcome.valid) expect(h.verifier.keyIds).toContain(outcome.keyId);
    });

    it('verifies the UTF-8 bytes of non-ASCII payloads', async () => {
      const payload = `${PAYLOAD}\nzürich-東京-🔑`;
      expect(h.verifier.verify(payload, await h.sign(payload)).valid).toBe(true);
    });

    it.each([
      ['first', 0],
      ['a middle', Math.floor(PAYLOAD.length / 2)],
      ['last', PAYLOAD.length - 1],
    ])('rejects the signature when the %s payload byte is flipped', async (_label, index) => {
      const signature = await h.sign(PAYLOAD);
      expect(h.verifier.verify(flipPayloadByte(PAYLOAD, index), signature)).toEqual({ valid: false });
    });

    it('rejects the payload with one more trailing line feed', async () => {
      expect(h.verifier.verify(`${PAYLOAD}\n`, await h.sign(PAYLOAD))).toEqual({ valid: false });
    });

    it('rejects a signature by a key it does not hold', async () => {
      expect(h.verifier.verify(PAYLOAD, await h.signWithUnknownKey(PAYLOAD))).toEqual({ valid: false });
    });

    it('treats well-formed base64 of the wrong bytes as invalid, not as an error', async () => {
      const good = Buffer.from(await h.sign(PAYLOAD), 'base64');
      const truncated = good.subarray(0, good.length - 1).toString('base64');
      const zeros = Buffer.alloc(good.length).toString('base64');
      expect(h.verifier.verify(PAYLOAD, truncated)).toEqual({ valid: false });
      expect(h.verifier.verify(PAYLOAD, zeros)).toEqual({ valid: false });
      expect(h.verifier.verify(PAYLOAD, 'AAAA')).toEqual({ valid: false });
    });

    it.each([
      ['characters outside the alphabet', (s: string) => `${s.slice(0, -4)}!!!!`],
      ['base64url characters', (s: string) => `-_${s.slice(2)}`],
      ['an embedded line break', (s: string) => `${s.slice(0, 10)}\n${s.slice(10)}`],
      ['surrounding whitespace', (s: string) => ` ${s} `],
      ['missing padding', (s: string) => s.replace(/=+$/, '') + (s.endsWith('=') ? '' : 'A')],
    ])('a signature with %s fails with `signature_error`', async (_label, mangle) => {
      const signature = mangle(await h.sign(PAYLOAD));
      expect(codeOf(() => h.verifier.verify(PAYLOAD, signature))).toBe('signature_error');
    });

    it('an empty signature fails with `signature_error`', () => {
      expect(codeOf(() => h.verifier.verify(PAYLOAD, ''))).toBe('signature_error');
    });
  });
}
