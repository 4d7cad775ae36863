/**
 * The Decryptor contract for AWS KMS envelope decryption, through the real SDK against
 * the loopback KMS (reached via AWS_ENDPOINT_URL_KMS), directly and behind the router.
 *
 * `sealForOtherKey`: the contract expects `decrypt` for "sealed to a key the decryptor
 * does not hold". In envelope mode the key that seals the content is the DEK, so the
 * harness wraps a DEK the KMS does release, but seals the content under another one.
 * A wrapped key KMS itself refuses is a KMS-level failure (`kms_invalid_ciphertext`),
 * covered in test/adapters/kms.
 */
import { randomBytes } from 'node:crypto';
import { DecryptorRouter } from '../../src/adapters/crypto/decryptor-router';
import { AwsKmsDecryptor } from '../../src/adapters/kms/aws-kms-decryptor';
import type { Decryptor } from '../../src/domain/ports/decryptor';
import { FAKE_KEY_ARN, FakeKmsServer } from '../support/fakes/kms-server';
import { packEnvelope } from '../support/pack';
import { useAwsTestEnv } from '../adapters/kms/aws-test-env';
import { artifactOf } from '../adapters/kms/helpers';
import { decryptorContract, DecryptorHarness } from './decryptor.contract';

async function kmsHarness(wrap: (aws: AwsKmsDecryptor) => Decryptor): Promise<DecryptorHarness> {
  const fake = await FakeKmsServer.start();
  const env = useAwsTestEnv(fake.endpoint);
  const aws = new AwsKmsDecryptor();
  return {
    decryptor: wrap(aws),
    seal: async (plaintext) => {
      const dek = randomBytes(32);
      return artifactOf(packEnvelope(plaintext, { dek, wrappedKey: fake.wrapDek(dek), keyId: FAKE_KEY_ARN }));
    },
    sealForOtherKey: async (plaintext) => {
      const released = fake.wrapDek(randomBytes(32));
      return artifactOf(packEnvelope(plaintext, { dek: randomBytes(32), wrappedKey: released, keyId: FAKE_KEY_ARN }));
    },
    close: async () => {
      aws.close();
      await fake.close();
      env.restore();
    },
  };
}

decryptorContract('aws-kms (loopback KMS)', () => kmsHarness((aws) => aws));

decryptorContract('router → aws-kms (loopback KMS)', () => kmsHarness((aws) => new DecryptorRouter({ envelope: { aws: () => aws } })));
