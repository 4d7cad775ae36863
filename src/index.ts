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

export { createAgent, loadConfigFromEnv, type Agent, type AgentAddress, type AgentOptions } from './app/library/create-agent';
export type { AdapterOverrides } from './app/modules/overrides-module';
export type { AgentConfig, SourceConfig, ExecConfig, ExecOnRotate } from './app/config/agent-config';
export type { LoadConfigOptions } from './app/config/load-config';
export { ConfigError } from './app/config/config-error';
export { AgentError, ErrorCodes, isAgentError, type AgentErrorOptions, type ErrorCode } from './domain/errors';
export type { HealthReport, LastError, NotReadyReason } from './domain/inbound';
export { AGENT_VERSION } from './app/version';
