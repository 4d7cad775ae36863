// One locale file: `zod/locales` would load all of them (~45 ms per start, unbundled).
import en from 'zod/v4/locales/en.cjs';
import * as z from 'zod/mini';

// zod/mini (tree-shakable, a fraction of classic zod's startup cost) loads no locale by
// default; English keeps the built-in messages ("Invalid input: expected string, …")
// exactly as classic zod reported them.
z.config(en());

/**
 * The environment contract, parsed strictly (no `"7779abc"`, no silent ignores: W10).
 * Each issue's message names the fix; values of secret variables are never echoed.
 */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
/** Classic zod's `z.preprocess(blankToUndefined, schema)`: a pipe whose input side is the transform. */
const blankAsUnset = <T extends z.ZodMiniType>(schema: T) => z.pipe(z.transform(blankToUndefined), schema);
const optionalText = blankAsUnset(z.optional(z.string()));

const integer = (min: number, max: number, what: string) =>
  z
    .pipe(z.string().check(z.regex(/^\d+$/, { message: `must be ${what} (digits only)` })), z.transform(Number))
    .check(z.refine((n: number) => n >= min && n <= max, { message: `must be ${what}` }));

const seconds = (min: number, what: string) =>
  z
    .pipe(z.string().check(z.regex(/^\d+(\.\d+)?$/, { message: `must be ${what}` })), z.transform(Number))
    .check(z.refine((n: number) => n >= min && n <= 86_400, { message: `must be ${what}` }));

const flag = blankAsUnset(
  z.optional(
    z.pipe(
      z.enum(['1', '0', 'true', 'false', 'yes', 'no'], { message: 'must be true or false' }),
      z.transform((v) => v === '1' || v === 'true' || v === 'yes'),
    ),
  ),
);

export const envSchema = z.object({
  CLEF_AGENT_SOURCE: optionalText,
  CLEF_AGENT_VCS_PROVIDER: blankAsUnset(z.optional(z.enum(['github', 'gitlab', 'bitbucket'], { message: 'must be github, gitlab or bitbucket' }))),
  CLEF_AGENT_VCS_REPO: optionalText,
  CLEF_AGENT_VCS_TOKEN: optionalText,
  CLEF_AGENT_VCS_IDENTITY: optionalText,
  CLEF_AGENT_VCS_ENVIRONMENT: optionalText,
  CLEF_AGENT_VCS_REF: optionalText,
  CLEF_AGENT_VCS_API_URL: blankAsUnset(z.optional(z.url({ message: 'must be an http(s) URL' }))),
  CLEF_AGENT_AGE_KEY: optionalText,
  CLEF_AGENT_AGE_KEY_FILE: optionalText,
  CLEF_AGENT_VERIFY_KEY: optionalText,
  CLEF_AGENT_VERIFY_KEY_FILE: optionalText,
  // Nullish in the reference: an empty value is used as given, so "" is rejected here.
  CLEF_AGENT_PORT: z.optional(integer(1, 65535, 'an integer from 1 to 65535')),
  CLEF_AGENT_CACHE_TTL: z.optional(
    integer(0, 31_536_000, '0 (JIT mode) or a number of seconds ≥ 30').check(
      z.refine((n: number) => n === 0 || n >= 30, { message: 'must be 0 (JIT mode) or a number of seconds ≥ 30' }),
    ),
  ),
  CLEF_AGENT_TOKEN: z.optional(z.string()),
  CLEF_AGENT_TOKEN_FILE: optionalText,
  CLEF_AGENT_ID: z.optional(z.string().check(z.minLength(1, { message: 'must not be empty' }))),
  // Set by the native start, taken out of the environment before configuration is read.
  CLEF_AGENT_SNAPSHOT_SKIPPED: z.optional(z.string()),
  CLEF_AGENT_CACHE_PATH: optionalText,
  CLEF_AGENT_CACHE_URL: blankAsUnset(
    z.optional(z.string().check(z.regex(/^rediss?(\+sentinel)?:\/\/[^\s]+$/, { message: 'must be a redis://, rediss://, redis+sentinel:// or rediss+sentinel:// URL' }))),
  ),
  // Fleet tier on production Redis (README "Running a fleet"): URL from a file, TLS material.
  CLEF_AGENT_CACHE_URL_FILE: optionalText,
  CLEF_AGENT_CACHE_TLS_CA_FILE: optionalText,
  CLEF_AGENT_CACHE_TLS_CERT_FILE: optionalText,
  CLEF_AGENT_CACHE_TLS_KEY_FILE: optionalText,
  CLEF_AGENT_TELEMETRY_URL: blankAsUnset(z.optional(z.url({ message: 'must be an http(s) URL' }))),
  CLEF_AGENT_LOG_LEVEL: blankAsUnset(
    z.optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'must be one of fatal, error, warn, info, debug, trace, silent' })),
  ),
  CLEF_AGENT_ACCESS_LOG: flag,
  CLEF_AGENT_POLL_INTERVAL: blankAsUnset(z.optional(seconds(0.1, 'a number of seconds from 0.1 to 86400'))),
  CLEF_AGENT_IDENTITY: optionalText,
  CLEF_AGENT_ENVIRONMENT: optionalText,
  CLEF_AGENT_ANTI_ROLLBACK: flag,
  CLEF_AGENT_UNSIGNED_REVOCATION: blankAsUnset(z.optional(z.enum(['honour', 'ignore'], { message: 'must be honour or ignore' }))),
  CLEF_AGENT_ALLOW_INSECURE_HTTP: flag,
  CLEF_AGENT_FETCH_TIMEOUT: blankAsUnset(z.optional(seconds(1, 'a number of seconds from 1 to 86400'))),
  CLEF_AGENT_MAX_ARTIFACT_BYTES: blankAsUnset(z.optional(integer(1024, 1024 ** 3, 'a byte count from 1024 to 1073741824'))),
  // docs/FEATURES.md: unix socket, TCP switch, scoped tokens, exec
  CLEF_AGENT_SOCKET: optionalText,
  CLEF_AGENT_SOCKET_MODE: blankAsUnset(
    z.optional(z.pipe(z.string().check(z.regex(/^0?[0-7]{3}$/, { message: 'must be an octal mode such as 0660' })), z.transform((v: string) => parseInt(v, 8)))),
  ),
  CLEF_AGENT_TCP: flag,
  CLEF_AGENT_TOKENS_FILE: optionalText,
  CLEF_AGENT_WATCH_FILES: flag,
  CLEF_AGENT_EXEC_PREFIX: blankAsUnset(
    z.optional(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be a valid environment variable name prefix (letters, digits, _)' }))),
  ),
  CLEF_AGENT_EXEC_KEYS: optionalText,
  // docs/FILES.md: secrets rendered to files
  CLEF_AGENT_FILES: optionalText,
  // KMS envelope providers (issue 16); validated in kms-config.ts
  CLEF_AGENT_GCP_KMS_ENDPOINT: optionalText,
  CLEF_AGENT_AZURE_KEYVAULT_DOMAINS: optionalText,
  CLEF_AGENT_EXEC_ON_ROTATE: blankAsUnset(
    z.optional(z.string().check(z.regex(/^(none|restart|signal:SIG[A-Z0-9]+)$/, { message: 'must be none, restart or signal:<SIGNAME> (e.g. signal:SIGHUP)' }))),
  ),
  // issue 19 / 15: Prometheus metrics listener, connection bound per listener
  CLEF_AGENT_METRICS_ADDRESS: optionalText,
  CLEF_AGENT_MAX_CONNECTIONS: blankAsUnset(z.optional(integer(1, 65_535, 'an integer from 1 to 65535'))),
});

export type Env = z.infer<typeof envSchema>;

/** Variables whose values must never appear in an error message. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'CLEF_AGENT_TOKEN',
  'CLEF_AGENT_AGE_KEY',
  'CLEF_AGENT_VCS_TOKEN',
  'CLEF_AGENT_CACHE_URL', // may carry a Redis password
]);
