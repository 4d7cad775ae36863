/**
 * `clef-agent/ports`: what an adapter implements. Each port is an interface plus a
 * `Symbol.for` service identifier of the same name; failures are {@link AgentError}s
 * with a stable code (never secrets in messages). The contract suites that prove an
 * adapter are in `clef-agent/testing`.
 *
 * @packageDocumentation
 */
export * from './domain/ports';
export type { Envelope, PackedArtifact, SignatureAlgorithm } from './domain/artifact/types';
export type { RenderedOutput } from './domain/files/render';
export { AgentError, ErrorCodes, isAgentError, type AgentErrorOptions, type ErrorCode } from './domain/errors';
export type { DecryptorFactory } from './adapters/crypto/decryptor-router';
