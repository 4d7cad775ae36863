import { sign } from 'node:crypto';
import { NodeSignatureVerifier } from '../../src/adapters/crypto/signature-verifier';
import { newEd25519Keys, newP256Keys } from '../support/pack';
import { signatureVerifierContract } from './signature-verifier.contract';

// ECDSA P-256 / SHA-256 with DER signatures, as AWS KMS ECC_NIST_P256 produces them.
signatureVerifierContract('node ECDSA P-256', async () => {
  const mine = newP256Keys();
  const other = newP256Keys();
  return {
    verifier: new NodeSignatureVerifier({ keys: [mine.verifyKey] }),
    sign: async (payload) => sign('sha256', Buffer.from(payload, 'utf8'), mine.privateKey).toString('base64'),
    signWithUnknownKey: async (payload) => sign('sha256', Buffer.from(payload, 'utf8'), other.privateKey).toString('base64'),
  };
});

// Mixed key types during a migration: the P-256 key is second, after an Ed25519 key.
signatureVerifierContract('node Ed25519 + ECDSA P-256', async () => {
  const ed = newEd25519Keys();
  const mine = newP256Keys();
  const other = newP256Keys();
  return {
    verifier: new NodeSignatureVerifier({ keys: [ed.verifyKey, mine.verifyKey] }),
    sign: async (payload) => sign('sha256', Buffer.from(payload, 'utf8'), mine.privateKey).toString('base64'),
    signWithUnknownKey: async (payload) => sign('sha256', Buffer.from(payload, 'utf8'), other.privateKey).toString('base64'),
  };
});
