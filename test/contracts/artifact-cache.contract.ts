/** Jest adapter of the ArtifactCache contract (the suite: src/testing/artifact-cache.ts). */
import { testArtifactCache, type CacheHarness } from '../../src/testing/artifact-cache';
import { jestRunner } from '../support/jest-runner';

export { sampleEntry } from '../../src/testing/artifact-cache';
export type { CacheHarness } from '../../src/testing/artifact-cache';

export function artifactCacheContract(name: string, factory: () => Promise<CacheHarness>): void {
  testArtifactCache(jestRunner, name, factory);
}
