import type { envSchema } from './env-schema';

/**
 * One line of help per CLEF_AGENT_* variable, keyed by the schema's own keys: a variable added
 * to `envSchema` without an entry here fails to compile, so `--help` and the parser cannot
 * drift. Defaults are written as an operator would type them ("—" = unset by default).
 */
export interface VariableHelp {
  readonly topic: HelpTopic;
  readonly default: string;
  readonly help: string;
}

export type HelpTopic = 'source' | 'keys' | 'listen' | 'freshness' | 'fleet' | 'telemetry' | 'exec' | 'files';

export const TOPIC_TITLES: Readonly<Record<HelpTopic, string>> = {
  source: 'Source (where the packed artifact comes from)',
  keys: 'Keys (decryption and signature verification)',
  listen: 'Listeners and authentication',
  freshness: 'Freshness, caching and trust policy',
  fleet: 'Fleet tier (Redis / Valkey)',
  telemetry: 'Logs and telemetry',
  exec: 'clef-agent exec',
  files: 'Secrets as files',
};

export const ENV_HELP: Readonly<Record<keyof typeof envSchema.shape, VariableHelp>> = {
  CLEF_AGENT_SOURCE: { topic: 'source', default: '—', help: 'file path, http(s):// URL, or S3 object (s3://bucket/key or an S3 https URL) of the packed artifact (not with CLEF_AGENT_VCS_*)' },
  CLEF_AGENT_VCS_PROVIDER: { topic: 'source', default: '—', help: 'github, gitlab or bitbucket (needs _REPO, _TOKEN, _IDENTITY, _ENVIRONMENT too)' },
  CLEF_AGENT_VCS_REPO: { topic: 'source', default: '—', help: 'repository: owner/name (GitLab: group/project path)' },
  CLEF_AGENT_VCS_TOKEN: { topic: 'source', default: '—', help: 'API token for the repository (secret: never logged)' },
  CLEF_AGENT_VCS_IDENTITY: { topic: 'source', default: '—', help: 'service identity whose artifact to read' },
  CLEF_AGENT_VCS_ENVIRONMENT: { topic: 'source', default: '—', help: 'environment whose artifact to read' },
  CLEF_AGENT_VCS_REF: { topic: 'source', default: 'default branch', help: 'branch, tag or commit SHA to read' },
  CLEF_AGENT_VCS_API_URL: { topic: 'source', default: 'provider API', help: 'API base URL (GitHub Enterprise, self-managed GitLab); its path is kept' },
  CLEF_AGENT_AGE_KEY: { topic: 'keys', default: '—', help: 'age identity (AGE-SECRET-KEY-1…) inline; omit for KMS-only artifacts' },
  CLEF_AGENT_AGE_KEY_FILE: { topic: 'keys', default: '—', help: 'file of age identities (several allowed, # comments); re-read on SIGHUP' },
  CLEF_AGENT_VERIFY_KEY: { topic: 'keys', default: '—', help: 'signature verify keys (base64 DER SPKI or PEM, Ed25519/P-256); unsigned artifacts are then refused' },
  CLEF_AGENT_VERIFY_KEY_FILE: { topic: 'keys', default: '—', help: 'file of verify keys; re-read on SIGHUP' },
  CLEF_AGENT_PORT: { topic: 'listen', default: '7779', help: 'TCP port on 127.0.0.1 (the secrets API never binds elsewhere)' },
  CLEF_AGENT_CACHE_TTL: { topic: 'freshness', default: '300', help: 'seconds a snapshot may be served after the last successful refresh; 0 = JIT mode' },
  CLEF_AGENT_TOKEN: { topic: 'listen', default: '—', help: 'bearer token callers send (this or CLEF_AGENT_TOKEN_FILE is required)' },
  CLEF_AGENT_TOKEN_FILE: { topic: 'listen', default: '—', help: 'file holding the token; generated (256 bits, mode 0600) when missing' },
  CLEF_AGENT_ID: { topic: 'telemetry', default: 'random UUID', help: 'agent id in telemetry and fleet leases' },
  CLEF_AGENT_SNAPSHOT_SKIPPED: { topic: 'telemetry', default: '—', help: 'not for users: set by the native start (bin/clef-agent) when it started without the V8 snapshot, logged in agent.startup' },
  CLEF_AGENT_CACHE_PATH: { topic: 'freshness', default: '—', help: 'directory of the encrypted (ciphertext-only) disk cache' },
  CLEF_AGENT_CACHE_URL: { topic: 'fleet', default: '—', help: 'redis://, rediss:// or redis+sentinel://h1,h2/<master> URL of the fleet tier (may carry a password: never logged)' },
  CLEF_AGENT_CACHE_URL_FILE: { topic: 'fleet', default: '—', help: 'file holding the fleet tier URL (instead of CLEF_AGENT_CACHE_URL); re-read on SIGHUP' },
  CLEF_AGENT_CACHE_TLS_CA_FILE: { topic: 'fleet', default: 'system CAs + NODE_EXTRA_CA_CERTS', help: 'PEM CA bundle that verifies the Redis server certificate (rediss://); re-read on SIGHUP' },
  CLEF_AGENT_CACHE_TLS_CERT_FILE: { topic: 'fleet', default: '—', help: 'PEM client certificate for Redis TLS (with _KEY_FILE); re-read on SIGHUP' },
  CLEF_AGENT_CACHE_TLS_KEY_FILE: { topic: 'fleet', default: '—', help: 'PEM private key of the Redis client certificate; re-read on SIGHUP' },
  CLEF_AGENT_TELEMETRY_URL: { topic: 'telemetry', default: '—', help: 'OTLP logs POST URL; OTEL_EXPORTER_OTLP_* variables work too' },
  CLEF_AGENT_LOG_LEVEL: { topic: 'telemetry', default: 'info', help: 'fatal, error, warn, info, debug, trace or silent' },
  CLEF_AGENT_ACCESS_LOG: { topic: 'telemetry', default: 'false', help: 'one log line per request (method, route pattern, status, duration)' },
  CLEF_AGENT_POLL_INTERVAL: { topic: 'freshness', default: 'TTL/10 (≥ 5 s); 5 s in JIT', help: 'seconds between polls of the source (decimals allowed)' },
  CLEF_AGENT_IDENTITY: { topic: 'freshness', default: 'VCS identity', help: 'refuse artifacts packed for another identity' },
  CLEF_AGENT_ENVIRONMENT: { topic: 'freshness', default: 'VCS environment', help: 'refuse artifacts packed for another environment' },
  CLEF_AGENT_ANTI_ROLLBACK: { topic: 'freshness', default: 'false', help: 'refuse a verified artifact older than one already accepted' },
  CLEF_AGENT_UNSIGNED_REVOCATION: { topic: 'freshness', default: 'honour', help: 'ignore: with a verify key, an unsigned revocation marker is reported but does not wipe' },
  CLEF_AGENT_ALLOW_INSECURE_HTTP: { topic: 'source', default: 'false', help: 'permit http:// sources on a non-loopback host' },
  CLEF_AGENT_FETCH_TIMEOUT: { topic: 'source', default: '10', help: 'seconds per source request (connect and body)' },
  CLEF_AGENT_MAX_ARTIFACT_BYTES: { topic: 'source', default: '5242880', help: 'larger documents are refused without being buffered' },
  CLEF_AGENT_SOCKET: { topic: 'listen', default: '—', help: 'also (or only) serve on this unix socket path' },
  CLEF_AGENT_SOCKET_MODE: { topic: 'listen', default: '0660', help: 'octal mode of the unix socket' },
  CLEF_AGENT_TCP: { topic: 'listen', default: 'true', help: 'false: no TCP listener (needs CLEF_AGENT_SOCKET)' },
  CLEF_AGENT_TOKENS_FILE: { topic: 'listen', default: '—', help: 'YAML/JSON file of scoped tokens (sha256 + namespaces); re-read on SIGHUP' },
  CLEF_AGENT_WATCH_FILES: { topic: 'listen', default: 'false', help: 'reload token, key and tokens files when they change, not only on SIGHUP' },
  CLEF_AGENT_EXEC_PREFIX: { topic: 'exec', default: '—', help: 'prefix for the <namespace>__<key> variable names exec exports' },
  CLEF_AGENT_EXEC_KEYS: { topic: 'exec', default: 'all', help: 'comma list of name=VARIABLE: export only these, under these names' },
  CLEF_AGENT_FILES: { topic: 'files', default: '—', help: 'YAML/JSON outputs file: render secrets to files, kept current (docs/FILES.md)' },
  CLEF_AGENT_GCP_KMS_ENDPOINT: { topic: 'keys', default: 'https://cloudkms.googleapis.com', help: 'Cloud KMS REST base URL for gcp envelopes (Private Service Connect); http:// only to loopback' },
  CLEF_AGENT_AZURE_KEYVAULT_DOMAINS: { topic: 'keys', default: 'Azure clouds', help: 'comma list of Key Vault/Managed HSM DNS suffixes or vault hosts azure keyIds may use; replaces the default list' },
  CLEF_AGENT_EXEC_ON_ROTATE: { topic: 'exec', default: 'none', help: 'none, restart or signal:<SIGNAME>: what exec does when secrets rotate' },
  CLEF_AGENT_METRICS_ADDRESS: { topic: 'telemetry', default: 'off', help: 'host:port of the Prometheus /metrics listener, e.g. 0.0.0.0:9779 (no token; serves nothing else)' },
  CLEF_AGENT_MAX_CONNECTIONS: { topic: 'listen', default: '256', help: 'open connections per listener; beyond it 503 too_many_connections at once (health/ready keep answering)' },
};
