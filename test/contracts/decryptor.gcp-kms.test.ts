/**
 * The Decryptor contract for GCP Cloud KMS envelopes, through google-auth-library's real
 * ADC resolution (metadata server fake via GCE_METADATA_HOST) and the Cloud KMS REST fake,
 * directly and behind the router. `sealForOtherKey` wraps a DEK the fake releases but seals
 * the content under another one (see decryptor.kms.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { DecryptorRouter } from '../../src/adapters/crypto/decryptor-router';
import type { GcpKmsDecryptor } from '../../src/adapters/kms/gcp-kms-decryptor';
import type { Decryptor } from '../../src/domain/ports/decryptor';
import { FAKE_GCP_KEY } from '../support/fakes/gcp-kms-server';
import { packEnvelope } from '../support/pack';
import { startLoopbackGcp } from '../adapters/kms/gcp-fixture';
import { artifactOf } from '../adapters/kms/helpers';
import { decryptorContract, DecryptorHarness } from './decryptor.contract';

async function gcpHarness(wrap: (gcp: GcpKmsDecryptor) => Decryptor): Promise<DecryptorHarness> {
  const gcp = await startLoopbackGcp();
  const decryptor = gcp.decryptor();
  return {
    decryptor: wrap(decryptor),
    seal: async (plaintext) => gcp.seal(plaintext),
    sealForOtherKey: async (plaintext) => {
      const released = gcp.kms.wrapDek(randomBytes(32));
      return artifactOf(packEnvelope(plaintext, { dek: randomBytes(32), wrappedKey: released, keyId: FAKE_GCP_KEY, provider: 'gcp' }));
    },
    close: async () => {
      decryptor.close();
      await gcp.close();
    },
  };
}

decryptorContract('gcp-kms (loopback Cloud KMS + metadata server)', () => gcpHarness((gcp) => gcp));

decryptorContract('router → gcp-kms (loopback Cloud KMS + metadata server)', () => gcpHarness((gcp) => new DecryptorRouter({ envelope: { gcp: () => gcp } })));
