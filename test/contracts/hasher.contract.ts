/** Jest adapter of the Hasher contract (the suite: src/testing/hasher.ts). */
import type { Hasher } from '../../src/domain/ports/hasher';
import { testHasher } from '../../src/testing/hasher';
import { jestRunner } from '../support/jest-runner';

export function hasherContract(name: string, factory: () => Hasher): void {
  testHasher(jestRunner, name, factory);
}
