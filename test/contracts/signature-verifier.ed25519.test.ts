import { sign } from 'node:crypto';
import { NodeSignatureVerifier } from '../../src/adapters/crypto/signature-verifier';
import { newEd25519Keys } from '../support/pack';
import { signatureVerifierContract } from './signature-verifier.contract';

signatureVerifierContract('node Ed25519', async () => {
  const mine = newEd25519Keys();
  const other = newEd25519Keys();
  return {
    verifier: new NodeSignatureVerifier({ keys: [mine.verifyKey] }),
    sign: async (payload) => sign(null, Buffer.from(payload, 'utf8'), mine.privateKey).toString('base64'),
    signWithUnknownKey: async (payload) => sign(null, Buffer.from(payload, 'utf8'), other.privateKey).toString('base64'),
  };
});
