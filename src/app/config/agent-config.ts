import type { RedisTlsMaterial } from '../../adapters/cache/redis-endpoint';
import type { CacheFiles } from './cache-config';

/** The parsed configuration the composition root works from. */
export type SourceConfig =
  | { kind: 'file'; path: string }
  | { kind: 'http'; url: string }
  /** `url` as written (s3:// or an https S3 form), for descriptions. */
  | { kind: 's3'; url: string; bucket: string; key: string; region: string; endpoint?: string }
  | {
      kind: 'vcs';
      provider: 'github' | 'gitlab' | 'bitbucket';
      repo: string;
      token: string;
      identity: string;
      environment: string;
      ref?: string;
      apiUrl?: string;
    }
  /** An ArtifactSource adapter supplied by an embedder (`createAgent({ adapters: { source } })`). */
  | { kind: 'custom' };

import type { ResolvedOtlpConfig } from '../../adapters/telemetry/otlp-config';
import type { ScopedTokenEntry } from '../../adapters/http/scoped-token-authenticator';
import type { FilesConfig } from './files-config';

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
  /** Fleet tier (Redis/Valkey); may carry a password, never logged. */
  cacheUrl?: string;
  /** CLEF_AGENT_CACHE_URL_FILE and CLEF_AGENT_CACHE_TLS_*_FILE: re-read on SIGHUP (cache-config.ts). */
  cacheFiles?: CacheFiles;
  /** TLS material for the fleet tier, read from those files. */
  cacheTls?: RedisTlsMaterial;
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
  /** CLEF_AGENT_SOCKET / _SOCKET_MODE: an extra (or the only) listener on a unix socket. */
  socket?: { path: string; mode: number };
  /** False with CLEF_AGENT_TCP=false: nothing listens on 127.0.0.1 (the socket must be set). */
  tcp: boolean;
  /** CLEF_AGENT_TOKENS_FILE and the scoped tokens read from it at startup (reloaded later). */
  tokensFile?: string;
  scopedTokens: ScopedTokenEntry[];
  /** CLEF_AGENT_WATCH_FILES: reload the token, age key, verify key and tokens files when
   * they change, not only on SIGHUP. */
  watchFiles: boolean;
  /** `clef-agent exec` only. */
  exec: ExecConfig;
  /** CLEF_AGENT_FILES: outputs rendered from every served revision (docs/FILES.md). */
  files?: FilesConfig;
  /** GCP / Azure envelope providers: endpoint override and the Key Vault domains azure keyIds may name. */
  kms: { gcpEndpoint?: string; azureDomains: readonly string[] };
  /** CLEF_AGENT_METRICS_ADDRESS: the Prometheus /metrics listener (off when absent). */
  metrics?: { host: string; port: number };
  /** CLEF_AGENT_MAX_CONNECTIONS: open connections per listener before 503 at once. */
  maxConnections: number;
}

export type ExecOnRotate = { kind: 'none' } | { kind: 'restart' } | { kind: 'signal'; signal: NodeJS.Signals };

export interface ExecConfig {
  /** Prepended to every default `<namespace>__<key>` name. */
  prefix: string;
  /** CLEF_AGENT_EXEC_KEYS: flat secret name → variable name; when set, only these are exported. */
  keys?: ReadonlyMap<string, string>;
  onRotate: ExecOnRotate;
}

export const DEFAULT_SOCKET_MODE = 0o660;

export const DEFAULT_PORT = 7779;
export const DEFAULT_TTL_SECONDS = 300;
export const DEFAULT_FETCH_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_ARTIFACT_BYTES = 5 * 1024 * 1024;
