import { createHash } from 'node:crypto';
import { NodeHasher } from '../../../src/adapters/crypto/node-hasher';

describe('NodeHasher', () => {
  const hasher = new NodeHasher();

  it('hashes the empty string to the well-known SHA-256 digest', () => {
    expect(hasher.sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('matches ciphertextHash of ARTIFACT.md §13.1 (hash of the base64 text, lowercase hex)', () => {
    const ciphertext =
      'PCC3a6zH+GCvBdXU5Ls0T7n091uDDzgOXRTfqjINYpxoftqZ3a9z9E6RS966qElInntMrwmC8ZNv0nVSXbrX1NJPrSWntFUVQ2WYXc3yIspL4qgQEwdxUobf0oM/r/XInb0VxJ5joXT4cxzPNQ==';
    expect(hasher.sha256Hex(ciphertext)).toBe('7724a7472287dd775d6758e73fa86a2a53ceec42622913e4319c2f3dbb5afc72');
  });

  it('hashes the UTF-8 bytes of non-ASCII text', () => {
    const utf8Bytes = Buffer.from([0xe2, 0x82, 0xac]); // "€"
    expect(hasher.sha256Hex('€')).toBe(createHash('sha256').update(utf8Bytes).digest('hex'));
    expect(hasher.sha256Hex('€')).not.toBe(createHash('sha256').update(Buffer.from('€', 'latin1')).digest('hex'));
  });
});
