/**
 * Per-test loopback KMS + standard AWS environment for the adapter tests: registers
 * beforeEach/afterEach hooks, and closes every decryptor built through it.
 */
import { AwsKmsDecryptor, AwsKmsDecryptorOptions } from '../../../src/adapters/kms/aws-kms-decryptor';
import { FAKE_KEY_ARN, FakeKmsServer } from '../../support/fakes/kms-server';
import { AwsTestEnv, useAwsTestEnv } from './aws-test-env';

export const EU_KEY_ARN = 'arn:aws:kms:eu-central-1:123456789012:key/99999999-8888-7777-6666-555555555555';
export const ALIAS = 'alias/app-secrets';

export interface LoopbackKms {
  readonly fake: FakeKmsServer;
  readonly env: AwsTestEnv;
  decryptor(options?: AwsKmsDecryptorOptions): AwsKmsDecryptor;
}

export function useLoopbackKms(): LoopbackKms {
  let fake: FakeKmsServer | undefined;
  let env: AwsTestEnv | undefined;
  const opened: AwsKmsDecryptor[] = [];

  beforeEach(async () => {
    fake = await FakeKmsServer.start({ keyIds: [FAKE_KEY_ARN, EU_KEY_ARN, ALIAS] });
    env = useAwsTestEnv(fake.endpoint);
  });
  afterEach(async () => {
    for (const d of opened.splice(0)) d.close();
    await fake?.close();
    env?.restore();
  });

  return {
    get fake() {
      return fake!;
    },
    get env() {
      return env!;
    },
    decryptor(options = {}) {
      // Tiny backoff: the retry *policy* is under test, not wall-clock waiting.
      const d = new AwsKmsDecryptor({ backoffBaseMs: 1, backoffMaxMs: 5, ...options });
      opened.push(d);
      return d;
    },
  };
}

export const utf8 = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
