/**
 * The behaviour every SignatureVerifier adapter must share
 * (src/domain/ports/signature-verifier.ts).
 *
 *   testSignatureVerifier(runner, 'my-hsm', async () => ({
 *     verifier: new MyVerifier({ keys: [publicKey] }),
 *     sign: async (payload) => base64SignatureByTheConfiguredKey(payload),
 *     signWithUnknownKey: async (payload) => base64SignatureByAnotherKeyOfTheSameType(payload),
 *   }));
 *
 * The factory is called once per test. The verifier must be configured with at least
 * one key (`enabled`); `sign` signs the UTF-8 bytes of the payload with one of them.
 */
import assert from 'node:assert/strict';
import { signedPayload } from '../domain/artifact/signed-payload';
import type { PackedArtifact } from '../domain/artifact/types';
import type { SignatureVerifier } from '../domain/ports/signature-verifier';
import { syncCodeOf, type TestRunner } from './runner';

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

export function testSignatureVerifier(runner: TestRunner, adapterName: string, factory: () => Promise<SignatureVerifierHarness>): void {
  const { describe, test, beforeEach, afterEach } = runner;
  describe(`SignatureVerifier contract: ${adapterName}`, () => {
    let h: SignatureVerifierHarness;

    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.close?.();
    });

    test('is enabled and lists the ids of its keys', async () => {
      assert.equal(h.verifier.enabled, true);
      assert.ok(h.verifier.keyIds.length > 0, 'no key ids');
      for (const id of h.verifier.keyIds) assert.match(id, /\S/);
    });

    test('accepts a signature by a configured key and names that key', async () => {
      const outcome = h.verifier.verify(PAYLOAD, await h.sign(PAYLOAD));
      assert.equal(outcome.valid, true);
      if (outcome.valid) assert.ok(h.verifier.keyIds.includes(outcome.keyId), `keyId ${outcome.keyId} is not one of keyIds`);
    });

    test('verifies the UTF-8 bytes of non-ASCII payloads', async () => {
      const payload = `${PAYLOAD}\nzürich-東京-🔑`;
      assert.equal(h.verifier.verify(payload, await h.sign(payload)).valid, true);
    });

    for (const [label, index] of [['first', 0], ['a middle', Math.floor(PAYLOAD.length / 2)], ['last', PAYLOAD.length - 1]] as const) {
      test(`rejects the signature when the ${label} payload byte is flipped`, async () => {
        const signature = await h.sign(PAYLOAD);
        assert.deepEqual(h.verifier.verify(flipPayloadByte(PAYLOAD, index), signature), { valid: false });
      });
    }

    test('rejects the payload with one more trailing line feed', async () => {
      assert.deepEqual(h.verifier.verify(`${PAYLOAD}\n`, await h.sign(PAYLOAD)), { valid: false });
    });

    test('rejects a signature by a key it does not hold', async () => {
      assert.deepEqual(h.verifier.verify(PAYLOAD, await h.signWithUnknownKey(PAYLOAD)), { valid: false });
    });

    test('treats well-formed base64 of the wrong bytes as invalid, not as an error', async () => {
      const good = Buffer.from(await h.sign(PAYLOAD), 'base64');
      const truncated = good.subarray(0, good.length - 1).toString('base64');
      const zeros = Buffer.alloc(good.length).toString('base64');
      assert.deepEqual(h.verifier.verify(PAYLOAD, truncated), { valid: false });
      assert.deepEqual(h.verifier.verify(PAYLOAD, zeros), { valid: false });
      assert.deepEqual(h.verifier.verify(PAYLOAD, 'AAAA'), { valid: false });
    });

    const mangles: Array<[string, (s: string) => string]> = [
      ['characters outside the alphabet', (s) => `${s.slice(0, -4)}!!!!`],
      ['base64url characters', (s) => `-_${s.slice(2)}`],
      ['an embedded line break', (s) => `${s.slice(0, 10)}\n${s.slice(10)}`],
      ['surrounding whitespace', (s) => ` ${s} `],
      ['missing padding', (s) => s.replace(/=+$/, '') + (s.endsWith('=') ? '' : 'A')],
    ];
    for (const [label, mangle] of mangles) {
      test(`a signature with ${label} fails with \`signature_error\``, async () => {
        const signature = mangle(await h.sign(PAYLOAD));
        assert.equal(syncCodeOf(() => h.verifier.verify(PAYLOAD, signature)), 'signature_error');
      });
    }

    test('an empty signature fails with `signature_error`', async () => {
      assert.equal(syncCodeOf(() => h.verifier.verify(PAYLOAD, '')), 'signature_error');
    });
  });
}
