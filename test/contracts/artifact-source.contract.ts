/**
 * Jest adapter of the ArtifactSource contract. The suite itself is runner-agnostic and
 * published (src/testing/artifact-source.ts, `clef-agent/testing`); runners here call it
 * through this file with jest's functions.
 */
import { testArtifactSource, type FailureMode, type HarnessFactory } from '../../src/testing/artifact-source';
import { jestRunner } from '../support/jest-runner';

export { codeOf, oversizeDocument, UNICODE_DOCUMENT } from '../../src/testing/artifact-source';
export type { FailureMode, HarnessConfig, HarnessFactory, SourceHarness } from '../../src/testing/artifact-source';

/** Invalid UTF-8 (a lone continuation byte and a truncated sequence), as a Buffer. */
export const INVALID_UTF8 = Buffer.from([0x7b, 0x22, 0x80, 0x22, 0x3a, 0xe2, 0x82, 0x7d]);

export function artifactSourceContract(name: string, factory: HarnessFactory, modes: FailureMode[] = ['unauthorized', 'hang', 'oversize', 'malformed']): void {
  testArtifactSource(jestRunner, name, factory, modes);
}
