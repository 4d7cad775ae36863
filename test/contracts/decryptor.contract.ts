/** Jest adapter of the Decryptor contract (the suite: src/testing/decryptor.ts). */
import { testDecryptor, type DecryptorHarness } from '../../src/testing/decryptor';
import { jestRunner } from '../support/jest-runner';

export { withCiphertext, flipCiphertextByte } from '../../src/testing/decryptor';
export type { DecryptorHarness } from '../../src/testing/decryptor';

export function decryptorContract(adapterName: string, factory: () => Promise<DecryptorHarness>): void {
  testDecryptor(jestRunner, adapterName, factory);
}
