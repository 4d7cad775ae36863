/** Jest adapter of the SignatureVerifier contract (the suite: src/testing/signature-verifier.ts). */
import { testSignatureVerifier, type SignatureVerifierHarness } from '../../src/testing/signature-verifier';
import { jestRunner } from '../support/jest-runner';

export type { SignatureVerifierHarness } from '../../src/testing/signature-verifier';

export function signatureVerifierContract(adapterName: string, factory: () => Promise<SignatureVerifierHarness>): void {
  testSignatureVerifier(jestRunner, adapterName, factory);
}
