/**
 * The behaviour every Hasher adapter must share: lowercase hex SHA-256 of the UTF-8 bytes.
 *
 *   testHasher(runner, 'my-hasher', () => new MyHasher());
 */
import assert from 'node:assert/strict';
import type { Hasher } from '../domain/ports/hasher';
import { referenceDocument } from './fixtures';
import type { TestRunner } from './runner';

export function testHasher(runner: TestRunner, name: string, factory: () => Hasher): void {
  const { describe, test } = runner;
  describe(`Hasher contract: ${name}`, () => {
    test('matches the SHA-256 test vectors (FIPS 180-2)', async () => {
      const h = factory();
      assert.equal(h.sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      assert.equal(h.sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    });

    test('hashes the UTF-8 bytes of non-ASCII text', async () => {
      assert.equal(factory().sha256Hex('é 🔑'), '62d94dfe9255b48ea01c2fa5c77a718fe77e5b8055fc5131d26402db67e5b287');
    });

    test("reproduces a real artifact's ciphertextHash", async () => {
      const doc = JSON.parse(referenceDocument('a-age-basic')) as { ciphertext: string; ciphertextHash: string };
      assert.equal(factory().sha256Hex(doc.ciphertext), doc.ciphertextHash);
    });

    test('is lowercase hex, 64 characters', async () => {
      assert.match(factory().sha256Hex('clef'), /^[0-9a-f]{64}$/);
    });
  });
}
