/**
 * The behaviour every Decryptor adapter must share (src/domain/ports/decryptor.ts).
 *
 *   testDecryptor(runner, 'my-kms', async () => ({
 *     decryptor: new MyDecryptor(...),
 *     seal: async (plaintext) => packedArtifact({ ciphertext: ..., envelope: ... }),
 *     sealForOtherKey: async (plaintext) => ...,   // same kind of artifact, other key
 *     close: async () => { ... },                  // optional: stop fakes, remove temp dirs
 *   }));
 *
 * The factory is called once per test. `seal` returns a packed artifact the decryptor
 * opens; `sealForOtherKey` one of the same kind (age-only or envelope, same provider)
 * sealed to a key the decryptor does not hold. An envelope whose provider is not in
 * `capabilities.envelopeProviders` must be refused with `unsupported_kms_provider`.
 * Assertions use error codes, never messages.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { PackedArtifact } from '../domain/artifact/types';
import type { Decryptor } from '../domain/ports/decryptor';
import { referenceSecrets } from './fixtures';
import { errorText, rejection, type TestRunner } from './runner';

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
const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

let revision = 0;

/**
 * A well-formed packed artifact around `ciphertext` (and `envelope`, for KMS adapters),
 * with the integrity hash computed: what a harness's `seal` returns.
 */
export function packedArtifact(fields: Pick<PackedArtifact, 'ciphertext'> & Partial<PackedArtifact>): PackedArtifact {
  revision += 1;
  return {
    version: 1,
    identity: 'contract-svc',
    environment: 'production',
    packedAt: '2026-05-01T12:00:00.000Z',
    revision: `1777636800000-${revision.toString(16).padStart(8, '0')}`,
    ciphertextHash: sha256Hex(fields.ciphertext),
    ...fields,
  };
}

/** The artifact with its ciphertext replaced and the hash recomputed, as an attacker could. */
export function withCiphertext(artifact: PackedArtifact, ciphertext: string): PackedArtifact {
  return { ...artifact, ciphertext, ciphertextHash: sha256Hex(ciphertext) };
}

/** Flips the low bit of the decoded ciphertext byte at `index` (negative: from the end). */
export function flipCiphertextByte(artifact: PackedArtifact, index: number): PackedArtifact {
  const bytes = Buffer.from(artifact.ciphertext, 'base64');
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] ^= 0x01;
  return withCiphertext(artifact, bytes.toString('base64'));
}

function referencePlaintexts(): Array<[string, string]> {
  const secrets = referenceSecrets();
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

const decryptFailure = (p: Promise<unknown>) => rejection(p, 'the decryption');

export function testDecryptor(runner: TestRunner, adapterName: string, factory: () => Promise<DecryptorHarness>): void {
  const { describe, test, beforeEach, afterEach } = runner;
  describe(`Decryptor contract: ${adapterName}`, () => {
    let h: DecryptorHarness;

    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.close?.();
    });

    for (const [label, plaintext] of referencePlaintexts()) {
      test(`round trip is byte-exact: ${label}`, async () => {
        const out = await h.decryptor.decrypt(await h.seal(plaintext));
        assert.ok(out instanceof Uint8Array, 'decrypt must resolve to a Uint8Array');
        assert.ok(Buffer.from(out).equals(utf8(plaintext)), 'plaintext differs');
      });
    }

    test('returns a buffer the caller may zero without affecting later decryptions', async () => {
      const artifact = await h.seal('zero me after use');
      const first = await h.decryptor.decrypt(artifact);
      first.fill(0);
      assert.equal(Buffer.from(await h.decryptor.decrypt(artifact)).toString('utf8'), 'zero me after use');
    });

    test('concurrent decryptions all succeed with their own plaintext', async () => {
      const plaintexts = Array.from({ length: 16 }, (_, i) => JSON.stringify({ ns: { KEY: `value-${i}` } }));
      const artifacts = await Promise.all(plaintexts.map((p) => h.seal(p)));
      const outs = await Promise.all(artifacts.map((a) => h.decryptor.decrypt(a)));
      assert.deepEqual(outs.map((o) => Buffer.from(o).toString('utf8')), plaintexts);
    });

    test('a ciphertext sealed for another key fails with `decrypt`', async () => {
      const err = await decryptFailure(h.decryptor.decrypt(await h.sealForOtherKey('{"ns":{"K":"other-key-secret"}}')));
      assert.equal(err.code, 'decrypt');
      assert.ok(!errorText(err).includes('other-key-secret'), 'the plaintext leaked into the error');
    });

    for (const [label, where] of [['first', 0], ['middle', 0.5], ['last', -1]] as const) {
      test(`a flipped ${label} ciphertext byte (hash recomputed) fails with \`decrypt\``, async () => {
        const artifact = await h.seal('{"ns":{"K":"tamper-target-secret"}}');
        const length = Buffer.from(artifact.ciphertext, 'base64').length;
        const index = where === 0.5 ? Math.floor(length / 2) : where;
        const err = await decryptFailure(h.decryptor.decrypt(flipCiphertextByte(artifact, index)));
        assert.equal(err.code, 'decrypt');
        assert.ok(!errorText(err).includes('tamper-target-secret'), 'the plaintext leaked into the error');
      });
    }

    const mangles: Array<[string, (c: string) => string]> = [
      ['characters outside the alphabet', (c) => `%%${c.slice(2)}`],
      ['a base64url alphabet', (c) => `${c.replace(/\+/g, '-').replace(/\//g, '_')}-_`],
      ['an embedded line break', (c) => `${c.slice(0, 8)}\n${c.slice(8)}`],
      ['missing padding / truncated', (c) => c.slice(0, -1)],
    ];
    for (const [label, mangle] of mangles) {
      test(`a ciphertext with ${label} fails with \`decrypt\``, async () => {
        const artifact = await h.seal('{"ns":{"K":"v"}}');
        const err = await decryptFailure(h.decryptor.decrypt(withCiphertext(artifact, mangle(artifact.ciphertext))));
        assert.equal(err.code, 'decrypt');
      });
    }

    test('error messages carry neither plaintext nor ciphertext', async () => {
      const plaintext = '{"ns":{"PASSWORD":"hunter2-must-not-leak"}}';
      const artifact = await h.sealForOtherKey(plaintext);
      const text = errorText(await decryptFailure(h.decryptor.decrypt(artifact)));
      assert.ok(!text.includes('hunter2-must-not-leak'), 'the plaintext leaked into the error');
      assert.ok(!text.includes(artifact.ciphertext.slice(0, 40)), 'the ciphertext leaked into the error');
    });

    test('declares its capabilities', async () => {
      const { age, envelopeProviders } = h.decryptor.capabilities;
      assert.equal(typeof age, 'boolean');
      assert.ok(Array.isArray(envelopeProviders), 'envelopeProviders must be an array');
      assert.ok(age || envelopeProviders.length > 0, 'a decryptor must handle age or some envelope provider');
    });

    test('an envelope naming a provider it lacks fails with `unsupported_kms_provider`', async () => {
      // Age-only decryptors (no providers) refuse every envelope; envelope decryptors
      // refuse providers outside `capabilities.envelopeProviders`.
      const artifact = await h.seal('{"ns":{"K":"v"}}');
      const envelope = artifact.envelope ?? PLACEHOLDER_ENVELOPE;
      const foreign: PackedArtifact = { ...artifact, envelope: { ...envelope, provider: 'no-such-provider' } };
      assert.equal((await decryptFailure(h.decryptor.decrypt(foreign))).code, 'unsupported_kms_provider');
    });
  });
}
