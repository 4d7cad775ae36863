/**
 * Reusable contract for Hasher adapters: lowercase hex SHA-256 of the UTF-8 bytes.
 *
 *   hasherContract('my-hasher', () => new MyHasher());
 */
import type { Hasher } from '../../src/domain/ports/hasher';
import { vectorText } from '../support/vectors';

export function hasherContract(name: string, factory: () => Hasher): void {
  describe(`Hasher contract: ${name}`, () => {
    const h = factory();

    it('matches the SHA-256 test vectors (FIPS 180-2)', () => {
      expect(h.sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      expect(h.sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    });

    it('hashes the UTF-8 bytes of non-ASCII text', () => {
      expect(h.sha256Hex('é 🔑')).toBe('62d94dfe9255b48ea01c2fa5c77a718fe77e5b8055fc5131d26402db67e5b287');
    });

    it("reproduces a real artifact's ciphertextHash", () => {
      const doc = JSON.parse(vectorText('a-age-basic')) as { ciphertext: string; ciphertextHash: string };
      expect(h.sha256Hex(doc.ciphertext)).toBe(doc.ciphertextHash);
    });

    it('is lowercase hex, 64 characters', () => {
      expect(h.sha256Hex('clef')).toMatch(/^[0-9a-f]{64}$/);
    });
  });
}
