/**
 * `clef-agent/testing`: every port's contract suite, runner-agnostic, and the in-memory
 * reference adapters. A third-party adapter proves itself by passing its port's suite
 * under any runner (node:test, jest, vitest); docs/EXTENDING.md shows how.
 *
 * @packageDocumentation
 */
export type { TestRunner, TestBody } from './runner';
export { rejection } from './runner';
export { referenceDocument, referenceSecrets, type ReferenceDocumentName } from './fixtures';

export {
  testArtifactSource,
  ALL_FAILURE_MODES,
  UNICODE_DOCUMENT,
  INVALID_UTF8,
  oversizeDocument,
  codeOf,
  type FailureMode,
  type HarnessConfig,
  type HarnessFactory,
  type SourceHarness,
} from './artifact-source';
export { testDecryptor, packedArtifact, withCiphertext, flipCiphertextByte, type DecryptorHarness } from './decryptor';
export { testSignatureVerifier, type SignatureVerifierHarness } from './signature-verifier';
export { testArtifactCache, sampleEntry, type CacheHarness } from './artifact-cache';
export { testFleetLease, type FleetLeaseHarness } from './fleet-lease';
export { testTelemetry, sampleEvents, type TelemetryHarness } from './telemetry';
export { testClock, type ClockHarness } from './clock';
export { testHasher } from './hasher';
export { testSecretsSink, type SecretsSinkHarness } from './secrets-sink';

// The in-memory reference adapters: what the suites are first proven against, and
// stand-ins for the ports an adapter author is not replacing.
export { MemorySource, type MemorySourceOptions } from '../adapters/memory/memory-source';
export { MemoryDecryptor, memorySeal, type MemoryDecryptorOptions } from '../adapters/memory/memory-decryptor';
export { MemorySignatureVerifier, type MemorySignatureVerifierOptions } from '../adapters/memory/memory-signature-verifier';
export { MemoryArtifactCache } from '../adapters/memory/memory-cache';
export { MemoryLease } from '../adapters/memory/memory-lease';
export { MemoryTelemetry, type EventOf } from '../adapters/memory/memory-telemetry';
export { FakeClock, FAKE_CLOCK_START } from '../adapters/memory/fake-clock';
export { MemorySecretsSink, type MemorySecretsSinkOptions } from '../adapters/memory/memory-secrets-sink';
export { NodeHasher } from '../adapters/crypto/node-hasher';
