/** The parsed configuration the composition root works from. */
export type SourceConfig =
  | { kind: 'file'; path: string }
  | { kind: 'http'; url: string }
  | {
      kind: 'vcs';
      provider: 'github' | 'gitlab' | 'bitbucket';
      repo: string;
      token: string;
      identity: string;
      environment: string;
      ref?: string;
      apiUrl?: string;
    };

import type { ResolvedOtlpConfig } from '../../adapters/telemetry/otlp-config';

export interface AgentConfig {
  source: SourceConfig;
  /** age identities (several allowed for rotation); empty for KMS-only deployments. */
  ageIdentities: string[];
  /** Where the identities came from, for reloads and messages. */
  ageKeyFile?: string;
  verifyKeys: string[];
  verifyKeyFile?: string;
  host: '127.0.0.1';
  port: number;
  /** The bearer token, resolved (given, read from the token file, or generated into it). */
  token: string;
  tokenFile?: string;
  tokenGenerated: boolean;
  agentId: string;
  ttlSeconds: number;
  mode: 'cached' | 'jit';
  cachePath?: string;
  telemetryUrl?: string;
  /** OTLP export, from CLEF_AGENT_TELEMETRY_URL and/or the standard OTEL_EXPORTER_OTLP_* variables. */
  otlp?: ResolvedOtlpConfig;
  logLevel: string;
  accessLog: boolean;
  pollIntervalMs?: number;
  expectedIdentity?: string;
  expectedEnvironment?: string;
  antiRollback: boolean;
  unsignedRevocation: 'honour' | 'ignore';
  allowInsecureHttp: boolean;
  fetchTimeoutMs: number;
  maxArtifactBytes: number;
}

export const DEFAULT_PORT = 7779;
export const DEFAULT_TTL_SECONDS = 300;
export const DEFAULT_FETCH_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_ARTIFACT_BYTES = 5 * 1024 * 1024;
