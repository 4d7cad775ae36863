/**
 * Reusable contract suite for the Decryptor port (src/domain/ports/decryptor.ts).
 *
 * Run it against an adapter from a tiny runner file:
 *
 *   decryptorContract('my-kms', async () => ({
 *     decryptor: new MyDecryptor(...),
 *     seal: async (plaintext) => parseDocument(await packSomething(plaintext)).artifact,
 *     sealForOtherKey: async (plaintext) => ...,   // same kind of artifact, other key
 *     close: async () => { ... },                  // optional: stop fakes, remove temp dirs
 *   }));
 *
 * The factory is called once per test, so harnesses need not be reusable. `seal` must
 * return a packed artifact the decryptor opens; `sealForOtherKey` one of the same kind
 * (age-only or envelope, same provider) sealed to a key the decryptor does not hold.
 *
 * Capabilities: an adapter must declare `age` and/or some `envelopeProviders`. An
 * envelope whose provider is not in `envelopeProviders` must be refused with
 * `unsupported_kms_provider` (for an age-only adapter: every envelope). Every case
 * applies to all adapters; only harness data differs. Assertions use error codes,
 * never messages.
 */
import { createHash } from 'node:crypto';
import type { PackedArtifact } from '../../src/domain/artifact/types';
import { isAgentError, type ErrorCode } from '../../src/domain/errors';
import type { Decryptor } from '../../src/domain/ports/decryptor';
import { loadExpect } from '../support/vectors';

export interface DecryptorHarness {
  decryptor: Decryptor;
  /** A packed artifact whose ciphertext holds the UTF-8 bytes of `plaintext`, openable by `decryptor`. */
  seal(plaintext: string): Promise<PackedArtifact>;
  /** The same kind of artifact, sealed to a key `decryptor` does not hold. */
  sealForOtherKey(plaintext: string): Promise<PackedArtifact>;
  close?(): Promise<void>;
}

/** Well-formed envelope members for turning an age-only artifact into an envelope one. */
const PLACEHOLDER_ENVELOPE = {
  provider: 'aws',
  keyId: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
  wrappedKey: 'AQIDAHh0ZXN0LW9ubHktbm90LWEtcmVhbC1rbXMtYmxvYg==',
  algorithm: 'SYMMETRIC_DEFAULT',
  iv: 'AAECAwQFBgcICQoL',
  authTag: 'Wwda6I4AZWcCDqQ4mDONcg==',
};

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** The artifact with its ciphertext replaced and the hash recomputed, as an attacker could. */
export function withCiphertext(artifact: PackedArtifact, ciphertext: string): PackedArtifact {
  return { ...artifact, ciphertext, ciphertextHash: createHash('sha256').update(ciphertext).digest('hex') };
}

/** Flips the low bit of the decoded ciphertext byte at `index` (negative: from the end). */
export function flipCiphertextByte(artifact: PackedArtifact, index: number): PackedArtifact {
  const bytes = Buffer.from(artifact.ciphertext, 'base64');
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] ^= 0x01;
  return withCiphertext(artifact, bytes.toString('base64'));
}

/** Awaits `p`, expecting an AgentError; returns it. */
async function rejection(p: Promise<unknown>): Promise<Error & { code: ErrorCode }> {
  try {
    await p;
  } catch (e) {
    if (!isAgentError(e)) throw new Error(`expected an AgentError, got ${String(e)}`);
    return e;
  }
  throw new Error('expected the decryption to fail');
}

/** Everything an error exposes that could end up in a log. */
function errorText(e: Error): string {
  return `${e.message}\n${e.stack ?? ''}\n${JSON.stringify(e)}\n${String((e as { cause?: unknown }).cause ?? '')}`;
}

function vectorPlaintexts(): Array<[string, string]> {
  const secrets = loadExpect('a-age-basic').secrets ?? {};
  return [
    ['the a-age-basic payload', JSON.stringify(secrets)],
    ['unicode (astral, RTL, combining, emoji)', secrets.app.UNICODE_GREETING],
    ['U+2028 / U+2029', secrets.app.LINE_SEPARATORS],
    ['control characters including NUL', secrets.payments.CONTROL_CHARS],
    ['CRLF', secrets.database.CRLF_VALUE],
    ['a 64 KiB value', secrets.database.LONG_VALUE_64KIB],
    ['a single character', 'x'],
  ];
}

export function decryptorContract(adapterName: string, factory: () => Promise<DecryptorHarness>): void {
  describe(`Decryptor contract: ${adapterName}`, () => {
    let h: DecryptorHarness;

    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.close?.();
    });

    describe('round trip is byte-exact', () => {
      it.each(vectorPlaintexts())('%s', async (_label, plaintext) => {
        const out = await h.decryptor.decrypt(await h.seal(plaintext));
        expect(out).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(out).equals(utf8(plaintext))).toBe(true);
      });
    });

    it('returns a buffer the caller may zero without affecting later decryptions', async () => {
      const artifact = await h.seal('zero me after use');
      const first = await h.decryptor.decrypt(artifact);
      first.fill(0);
      expect(Buffer.from(await h.decryptor.decrypt(artifact)).toString('utf8')).toBe('zero me after use');
    });

    it('concurrent decryptions all succeed with their own plaintext', async () => {
      const plaintexts = Array.from({ length: 16 }, (_, i) => JSON.stringify({ ns: { KEY: `value-${i}` } }));
      const artifacts = await Promise.all(plaintexts.map((p) => h.seal(p)));
      const outs = await Promise.all(artifacts.map((a) => h.decryptor.decrypt(a)));
      expect(outs.map((o) => Buffer.from(o).toString('utf8'))).toEqual(plaintexts);
    });

    it('a ciphertext sealed for another key fails with `decrypt`', async () => {
      const err = await rejection(h.decryptor.decrypt(await h.sealForOtherKey('{"ns":{"K":"other-key-secret"}}')));
      expect(err.code).toBe('decrypt');
      expect(errorText(err)).not.toContain('other-key-secret');
    });

    it.each([
      ['first', 0],
      ['middle', 0.5],
      ['last', -1],
    ])('a flipped %s ciphertext byte (hash recomputed) fails with `decrypt`', async (_label, where) => {
      const artifact = await h.seal('{"ns":{"K":"tamper-target-secret"}}');
      const length = Buffer.from(artifact.ciphertext, 'base64').length;
      const index = where === 0.5 ? Math.floor(length / 2) : (where as number);
      const err = await rejection(h.decryptor.decrypt(flipCiphertextByte(artifact, index)));
      expect(err.code).toBe('decrypt');
      expect(errorText(err)).not.toContain('tamper-target-secret');
    });

    it.each([
      ['characters outside the alphabet', (c: string) => `%%${c.slice(2)}`],
      ['a base64url alphabet', (c: string) => `${c.replace(/\+/g, '-').replace(/\//g, '_')}-_`],
      ['an embedded line break', (c: string) => `${c.slice(0, 8)}\n${c.slice(8)}`],
      ['missing padding / truncated', (c: string) => c.slice(0, -1)],
    ])('a ciphertext with %s fails with `decrypt`', async (_label, mangle) => {
      const artifact = await h.seal('{"ns":{"K":"v"}}');
      const err = await rejection(h.decryptor.decrypt(withCiphertext(artifact, mangle(artifact.ciphertext))));
      expect(err.code).toBe('decrypt');
    });

    it('error messages carry neither plaintext nor ciphertext', async () => {
      const plaintext = '{"ns":{"PASSWORD":"hunter2-must-not-leak"}}';
      const artifact = await h.sealForOtherKey(plaintext);
      const err = await rejection(h.decryptor.decrypt(artifact));
      const text = errorText(err);
      expect(text).not.toContain('hunter2-must-not-leak');
      expect(text).not.toContain(artifact.ciphertext.slice(0, 40));
    });

    it('declares its capabilities', async () => {
      const { age, envelopeProviders } = h.decryptor.capabilities;
      expect(typeof age).toBe('boolean');
      expect(Array.isArray(envelopeProviders)).toBe(true);
      expect(age || envelopeProviders.length > 0).toBe(true);
    });

    it('an envelope naming a provider it lacks fails with `unsupported_kms_provider`', async () => {
      // Age-only decryptors (no providers) refuse every envelope; envelope decryptors
      // refuse providers outside `capabilities.envelopeProviders`.
      const artifact = await h.seal('{"ns":{"K":"v"}}');
      const envelope = artifact.envelope ?? PLACEHOLDER_ENVELOPE;
      const foreign: PackedArtifact = { ...artifact, envelope: { ...envelope, provider: 'no-such-provider' } };
      const err = await rejection(h.decryptor.decrypt(foreign));
      expect(err.code).toBe('unsupported_kms_provider');
    });
  });
}
