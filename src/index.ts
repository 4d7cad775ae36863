/**
 * `clef-agent`: run the agent inside your own process, with your own adapters.
 *
 *   const agent = await createAgent({ env: process.env, adapters: { source: new MySource() } });
 *   await agent.start();
 *
 * Adapter authors: the port interfaces are in `clef-agent/ports`, the contract suites
 * and reference adapters in `clef-agent/testing` (docs/EXTENDING.md).
 *
 * @packageDocumentation
 */
import 'reflect-metadata';

export {
  createAgent,
  loadConfigFromEnv,
  type Agent,
  type AgentAddress,
  type AgentOptions,
  type AgentSettings,
  type LoadSettingsOptions,
} from './app/library/create-agent';
export type { AdapterOverrides } from './app/modules/overrides-module';
// The ports, as types (the service identifiers and everything else are in clef-agent/ports).
export type { ArtifactCache, ArtifactSource, Clock, Decryptor, FleetLease, Hasher, SignatureVerifier, Telemetry } from './domain/ports';
export type { DecryptorFactory } from './adapters/crypto/decryptor-router';
export { ConfigError } from './app/config/config-error';
export { AgentError, ErrorCodes, isAgentError, type AgentErrorOptions, type ErrorCode } from './domain/errors';
export type { HealthReport, LastError, NotReadyReason } from './domain/inbound';
export { AGENT_VERSION } from './app/version';
