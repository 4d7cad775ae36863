import { AgeDecryptor } from '../../src/adapters/crypto/age-decryptor';
import { parseDocument } from '../../src/domain/artifact/parse-document';
import type { PackedArtifact } from '../../src/domain/artifact/types';
import { newAgeIdentity, packAge } from '../support/pack';
import { decryptorContract } from './decryptor.contract';

async function sealTo(recipient: string, plaintext: string): Promise<PackedArtifact> {
  const doc = parseDocument(await packAge(plaintext, recipient));
  if (doc.kind !== 'artifact') throw new Error('packer produced a revocation marker');
  return doc.artifact;
}

decryptorContract('age (one identity)', async () => {
  const mine = await newAgeIdentity();
  const other = await newAgeIdentity();
  return {
    decryptor: new AgeDecryptor({ identities: [mine.identity] }),
    seal: (p) => sealTo(mine.recipient, p),
    sealForOtherKey: (p) => sealTo(other.recipient, p),
  };
});

// Key rotation: the matching identity is not the first one configured.
decryptorContract('age (rotated identities)', async () => {
  const retired = await newAgeIdentity();
  const current = await newAgeIdentity();
  const other = await newAgeIdentity();
  return {
    decryptor: new AgeDecryptor({ identities: [retired.identity, current.identity] }),
    seal: (p) => sealTo(current.recipient, p),
    sealForOtherKey: (p) => sealTo(other.recipient, p),
  };
});
