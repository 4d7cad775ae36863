import { randomBytes, randomUUID } from 'node:crypto';
import { AgeKeyError, loadAgeIdentities } from '../../adapters/crypto/age-identities';
import { NodeSignatureVerifier, parseVerifyKeys, VerifyKeyError } from '../../adapters/crypto/signature-verifier';
import {
  type AgentConfig,
  DEFAULT_FETCH_TIMEOUT_MS,
  DEFAULT_MAX_ARTIFACT_BYTES,
  DEFAULT_PORT,
  DEFAULT_TTL_SECONDS,
  type SourceConfig,
} from './agent-config';
import { OtlpConfigError, resolveOtlpConfig } from '../../adapters/telemetry/otlp-config';
import { ConfigError } from './config-error';
import { type Env, envSchema, SECRET_VARIABLES } from './env-schema';
import { checkTokenShape, readSecretFile, tokenFromFile } from './secret-files';
import { extensionsConfig } from './extensions-config';
import { filesConfig } from './files-config';
import { assertTrustedPath } from './trusted-path';
import { cacheConfig } from './cache-config';
import { isS3Source, s3SourceConfig } from './s3-config';
import { kmsConfig } from './kms-config';
import { DEFAULT_MAX_CONNECTIONS, metricsListenConfig } from './metrics-config';

export interface LoadConfigOptions {
  /** The embedder supplies the ArtifactSource adapter: CLEF_AGENT_SOURCE / _VCS_* must then be unset. */
  customSource?: boolean;
}

/** Parses the environment into an AgentConfig, or throws the first ConfigError. */
export async function loadConfig(raw: NodeJS.ProcessEnv, options: LoadConfigOptions = {}): Promise<AgentConfig> {
  const env = parseEnv(raw);
  const source = options.customSource ? customSourceConfig(env) : sourceConfig(env, raw);
  const ttlSeconds = env.CLEF_AGENT_CACHE_TTL ?? DEFAULT_TTL_SECONDS;
  const { ageIdentities, ageKeyFile } = await ageConfig(env);
  const { verifyKeys, verifyKeyFile } = await verifyConfig(env);
  const token = await tokenConfig(env, listens(env));
  if (env.CLEF_AGENT_CACHE_PATH !== undefined) assertTrustedPath('CLEF_AGENT_CACHE_PATH', env.CLEF_AGENT_CACHE_PATH, 'directory');
  return {
    source,
    ageIdentities,
    ageKeyFile,
    verifyKeys,
    verifyKeyFile,
    host: '127.0.0.1',
    port: env.CLEF_AGENT_PORT ?? DEFAULT_PORT,
    ...token,
    agentId: env.CLEF_AGENT_ID ?? randomUUID(),
    ttlSeconds,
    mode: ttlSeconds === 0 ? 'jit' : 'cached',
    cachePath: env.CLEF_AGENT_CACHE_PATH,
    ...(await cacheConfig(env)),
    telemetryUrl: env.CLEF_AGENT_TELEMETRY_URL,
    otlp: otlpConfig(raw, env.CLEF_AGENT_TELEMETRY_URL),
    logLevel: env.CLEF_AGENT_LOG_LEVEL ?? 'info',
    accessLog: env.CLEF_AGENT_ACCESS_LOG ?? false,
    pollIntervalMs: env.CLEF_AGENT_POLL_INTERVAL === undefined ? undefined : env.CLEF_AGENT_POLL_INTERVAL * 1000,
    expectedIdentity: source.kind === 'vcs' ? source.identity : env.CLEF_AGENT_IDENTITY,
    expectedEnvironment: source.kind === 'vcs' ? source.environment : env.CLEF_AGENT_ENVIRONMENT,
    antiRollback: env.CLEF_AGENT_ANTI_ROLLBACK ?? false,
    unsignedRevocation: env.CLEF_AGENT_UNSIGNED_REVOCATION ?? 'honour',
    allowInsecureHttp: env.CLEF_AGENT_ALLOW_INSECURE_HTTP ?? false,
    fetchTimeoutMs: env.CLEF_AGENT_FETCH_TIMEOUT === undefined ? DEFAULT_FETCH_TIMEOUT_MS : env.CLEF_AGENT_FETCH_TIMEOUT * 1000,
    maxArtifactBytes: env.CLEF_AGENT_MAX_ARTIFACT_BYTES ?? DEFAULT_MAX_ARTIFACT_BYTES,
    ...(await extensionsConfig(env, token.token)),
    files: await filesConfig(env.CLEF_AGENT_FILES, env.CLEF_AGENT_CACHE_PATH),
    ...kmsConfig(env),
    metrics: metricsListenConfig(env),
    maxConnections: env.CLEF_AGENT_MAX_CONNECTIONS ?? DEFAULT_MAX_CONNECTIONS,
  };
}

function parseEnv(raw: NodeJS.ProcessEnv): Env {
  const result = envSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = String(issue.path[0] ?? 'environment');
  const value = raw[variable];
  const shown = value === undefined || SECRET_VARIABLES.has(variable) ? '' : ` (got ${JSON.stringify(value.slice(0, 80))})`;
  throw new ConfigError(variable, `${issue.message}${shown}`);
}

const VCS_VARIABLES = ['PROVIDER', 'REPO', 'TOKEN', 'IDENTITY', 'ENVIRONMENT'] as const;

/** Two sources would be ambiguous: the supplied adapter is the only one. */
function customSourceConfig(env: Env): SourceConfig {
  const set = env.CLEF_AGENT_SOURCE !== undefined ? 'CLEF_AGENT_SOURCE' : VCS_VARIABLES.map((v) => `CLEF_AGENT_VCS_${v}` as const).find((v) => env[v] !== undefined);
  if (set !== undefined) throw new ConfigError(set, 'must not be set when a source adapter is supplied: the adapter is the source');
  return { kind: 'custom' };
}

function sourceConfig(env: Env, raw: NodeJS.ProcessEnv): SourceConfig {
  const vcsSet = VCS_VARIABLES.filter((v) => env[`CLEF_AGENT_VCS_${v}`] !== undefined);
  if (vcsSet.length > 0) {
    const missing = VCS_VARIABLES.find((v) => env[`CLEF_AGENT_VCS_${v}`] === undefined);
    if (missing) throw new ConfigError(`CLEF_AGENT_VCS_${missing}`, `is required when CLEF_AGENT_VCS_${vcsSet[0]} is set (a VCS source needs PROVIDER, REPO, TOKEN, IDENTITY and ENVIRONMENT)`);
    if (env.CLEF_AGENT_SOURCE !== undefined) throw new ConfigError('CLEF_AGENT_SOURCE', 'must not be set together with CLEF_AGENT_VCS_*: choose one source');
    return {
      kind: 'vcs',
      provider: env.CLEF_AGENT_VCS_PROVIDER!,
      repo: env.CLEF_AGENT_VCS_REPO!,
      token: env.CLEF_AGENT_VCS_TOKEN!,
      identity: env.CLEF_AGENT_VCS_IDENTITY!,
      environment: env.CLEF_AGENT_VCS_ENVIRONMENT!,
      ref: env.CLEF_AGENT_VCS_REF,
      apiUrl: env.CLEF_AGENT_VCS_API_URL,
    };
  }
  const src = env.CLEF_AGENT_SOURCE;
  if (src === undefined) throw new ConfigError('CLEF_AGENT_SOURCE', 'is not set: give a file path, an http(s) URL or an s3://bucket/key of the packed artifact, or configure CLEF_AGENT_VCS_*');
  if (isS3Source(src)) return s3SourceConfig(src, raw, env.CLEF_AGENT_ALLOW_INSECURE_HTTP ?? false);
  if (/^https?:\/\//i.test(src)) return { kind: 'http', url: src };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(src)) throw new ConfigError('CLEF_AGENT_SOURCE', 'uses an unsupported scheme: use a file path, an http(s) URL or s3://<bucket>/<key>');
  return { kind: 'file', path: src };
}

async function ageConfig(env: Env): Promise<{ ageIdentities: string[]; ageKeyFile?: string }> {
  if (env.CLEF_AGENT_AGE_KEY !== undefined && env.CLEF_AGENT_AGE_KEY_FILE !== undefined) {
    throw new ConfigError('CLEF_AGENT_AGE_KEY', 'must not be set together with CLEF_AGENT_AGE_KEY_FILE: choose one');
  }
  const variable = env.CLEF_AGENT_AGE_KEY !== undefined ? 'CLEF_AGENT_AGE_KEY' : 'CLEF_AGENT_AGE_KEY_FILE';
  const file = env.CLEF_AGENT_AGE_KEY_FILE;
  const text = env.CLEF_AGENT_AGE_KEY ?? (file === undefined ? undefined : readSecretFile(variable, file));
  if (text === undefined) return { ageIdentities: [] };
  try {
    return { ageIdentities: loadAgeIdentities(text), ageKeyFile: file };
  } catch (e) {
    if (e instanceof AgeKeyError) throw new ConfigError(variable, `is not a valid age identity: ${e.message}`);
    throw e;
  }
}

async function verifyConfig(env: Env): Promise<{ verifyKeys: string[]; verifyKeyFile?: string }> {
  if (env.CLEF_AGENT_VERIFY_KEY !== undefined && env.CLEF_AGENT_VERIFY_KEY_FILE !== undefined) {
    throw new ConfigError('CLEF_AGENT_VERIFY_KEY', 'must not be set together with CLEF_AGENT_VERIFY_KEY_FILE: choose one');
  }
  const variable = env.CLEF_AGENT_VERIFY_KEY !== undefined ? 'CLEF_AGENT_VERIFY_KEY' : 'CLEF_AGENT_VERIFY_KEY_FILE';
  const file = env.CLEF_AGENT_VERIFY_KEY_FILE;
  const text = env.CLEF_AGENT_VERIFY_KEY ?? (file === undefined ? undefined : readSecretFile(variable, file));
  if (text === undefined) return { verifyKeys: [] };
  const keys = parseVerifyKeys(text);
  try {
    new NodeSignatureVerifier({ keys }); // validates at startup (W10), not on first use
  } catch (e) {
    if (e instanceof VerifyKeyError) throw new ConfigError(variable, `is not usable: ${e.message} (expected base64 DER SPKI or PEM of an Ed25519 or P-256 key)`);
    throw e;
  }
  return { verifyKeys: keys, verifyKeyFile: file };
}

/** False only when the agent renders files and nothing else (docs/FILES.md). */
function listens(env: Env): boolean {
  return env.CLEF_AGENT_TCP !== false || env.CLEF_AGENT_SOCKET !== undefined || env.CLEF_AGENT_FILES === undefined;
}

async function tokenConfig(env: Env, listening: boolean): Promise<{ token: string; tokenFile?: string; tokenGenerated: boolean }> {
  const file = env.CLEF_AGENT_TOKEN_FILE;
  // Nothing listens, so no client can present a token: an unknowable one fills the slot.
  if (!listening && file === undefined && env.CLEF_AGENT_TOKEN === undefined) return { token: randomBytes(32).toString('hex'), tokenGenerated: false };
  if (env.CLEF_AGENT_TOKEN !== undefined) {
    if (file !== undefined) throw new ConfigError('CLEF_AGENT_TOKEN', 'must not be set together with CLEF_AGENT_TOKEN_FILE: choose one');
    return { token: checkTokenShape('CLEF_AGENT_TOKEN', env.CLEF_AGENT_TOKEN), tokenGenerated: false };
  }
  if (file === undefined) {
    throw new ConfigError('CLEF_AGENT_TOKEN', 'is not set: set it, or set CLEF_AGENT_TOKEN_FILE to a file the agent reads the token from (or writes a generated one to, mode 0600)');
  }
  const { token, generated } = await tokenFromFile(file);
  return { token, tokenFile: file, tokenGenerated: generated };
}

function otlpConfig(raw: NodeJS.ProcessEnv, telemetryUrl: string | undefined) {
  try {
    return resolveOtlpConfig(raw, telemetryUrl);
  } catch (e) {
    if (!(e instanceof OtlpConfigError)) throw e;
    const [variable, ...rest] = e.message.split(' ');
    throw new ConfigError(variable.split('=')[0], rest.join(' '));
  }
}
