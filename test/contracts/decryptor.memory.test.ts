import { MemoryDecryptor, memorySeal } from '../../src/adapters/memory/memory-decryptor';
import { parseDocument } from '../../src/domain/artifact/parse-document';
import type { PackedArtifact } from '../../src/domain/artifact/types';
import { NodeHasher } from '../../src/adapters/crypto/node-hasher';
import { decryptorContract } from './decryptor.contract';

let revision = 0;

/** A packed document around a memory-sealed ciphertext, run through the real parser. */
function sealFor(keyName: string, plaintext: string): PackedArtifact {
  const ciphertext = memorySeal(keyName, plaintext);
  revision += 1;
  const text = JSON.stringify({
    version: 1,
    identity: 'vector-svc',
    environment: 'production',
    packedAt: '2026-05-01T12:00:00.000Z',
    revision: `1777636800000-${revision.toString(16).padStart(8, '0')}`,
    ciphertextHash: new NodeHasher().sha256Hex(ciphertext),
    ciphertext,
  });
  const doc = parseDocument(text);
  if (doc.kind !== 'artifact') throw new Error('expected an artifact');
  return doc.artifact;
}

decryptorContract('memory', async () => ({
  decryptor: new MemoryDecryptor({ keyName: 'primary' }),
  seal: async (p) => sealFor('primary', p),
  sealForOtherKey: async (p) => sealFor('someone-else', p),
}));
