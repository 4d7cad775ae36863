import { MemorySignatureVerifier } from '../../src/adapters/memory/memory-signature-verifier';
import { signatureVerifierContract } from './signature-verifier.contract';

signatureVerifierContract('memory (HMAC)', async () => {
  const verifier = new MemorySignatureVerifier({ keys: { 'ci-key': 'shared-secret-1' } });
  const stranger = new MemorySignatureVerifier({ keys: { 'other-key': 'shared-secret-2' } });
  return {
    verifier,
    sign: async (payload) => verifier.sign(payload),
    signWithUnknownKey: async (payload) => stranger.sign(payload),
  };
});
