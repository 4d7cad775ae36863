/** Jest adapter of the SecretsSink contract (the suite: src/testing/secrets-sink.ts). */
import { testSecretsSink, type SecretsSinkHarness } from '../../src/testing/secrets-sink';
import { jestRunner } from '../support/jest-runner';

export type { SecretsSinkHarness } from '../../src/testing/secrets-sink';

export function secretsSinkContract(name: string, factory: () => Promise<SecretsSinkHarness>): void {
  testSecretsSink(jestRunner, name, factory);
}
