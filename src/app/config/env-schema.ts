import { z } from 'zod';

/**
 * The environment contract, parsed strictly (no `"7779abc"`, no silent ignores: W10).
 * Each issue's message names the fix; values of secret variables are never echoed.
 */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = z.preprocess(blankToUndefined, z.string().optional());

const integer = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(/^\d+$/, { message: `must be ${what} (digits only)` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message: `must be ${what}` });

const seconds = (min: number, what: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, { message: `must be ${what}` })
    .transform(Number)
    .refine((n) => n >= min && n <= 86_400, { message: `must be ${what}` });

const flag = z.preprocess(
  blankToUndefined,
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no'], { message: 'must be true or false' })
    .transform((v) => v === '1' || v === 'true' || v === 'yes')
    .optional(),
);

export const envSchema = z.object({
  CLEF_AGENT_SOURCE: optionalText,
  CLEF_AGENT_VCS_PROVIDER: z.preprocess(
    blankToUndefined,
    z.enum(['github', 'gitlab', 'bitbucket'], { message: 'must be github, gitlab or bitbucket' }).optional(),
  ),
  CLEF_AGENT_VCS_REPO: optionalText,
  CLEF_AGENT_VCS_TOKEN: optionalText,
  CLEF_AGENT_VCS_IDENTITY: optionalText,
  CLEF_AGENT_VCS_ENVIRONMENT: optionalText,
  CLEF_AGENT_VCS_REF: optionalText,
  CLEF_AGENT_VCS_API_URL: z.preprocess(blankToUndefined, z.url({ message: 'must be an http(s) URL' }).optional()),
  CLEF_AGENT_AGE_KEY: optionalText,
  CLEF_AGENT_AGE_KEY_FILE: optionalText,
  CLEF_AGENT_VERIFY_KEY: optionalText,
  CLEF_AGENT_VERIFY_KEY_FILE: optionalText,
  // Nullish in the reference: an empty value is used as given, so "" is rejected here.
  CLEF_AGENT_PORT: integer(1, 65535, 'an integer from 1 to 65535').optional(),
  CLEF_AGENT_CACHE_TTL: integer(0, 31_536_000, '0 (JIT mode) or a number of seconds ≥ 30')
    .refine((n) => n === 0 || n >= 30, { message: 'must be 0 (JIT mode) or a number of seconds ≥ 30' })
    .optional(),
  CLEF_AGENT_TOKEN: z.string().optional(),
  CLEF_AGENT_TOKEN_FILE: optionalText,
  CLEF_AGENT_ID: z.string().min(1, { message: 'must not be empty' }).optional(),
  CLEF_AGENT_CACHE_PATH: optionalText,
  CLEF_AGENT_CACHE_URL: z.preprocess(
    blankToUndefined,
    z.string().regex(/^rediss?:\/\/[^\s]+$/, { message: 'must be a redis:// or rediss:// URL' }).optional(),
  ),
  CLEF_AGENT_TELEMETRY_URL: z.preprocess(blankToUndefined, z.url({ message: 'must be an http(s) URL' }).optional()),
  CLEF_AGENT_LOG_LEVEL: z.preprocess(
    blankToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'must be one of fatal, error, warn, info, debug, trace, silent' }).optional(),
  ),
  CLEF_AGENT_ACCESS_LOG: flag,
  CLEF_AGENT_POLL_INTERVAL: z.preprocess(blankToUndefined, seconds(0.1, 'a number of seconds from 0.1 to 86400').optional()),
  CLEF_AGENT_IDENTITY: optionalText,
  CLEF_AGENT_ENVIRONMENT: optionalText,
  CLEF_AGENT_ANTI_ROLLBACK: flag,
  CLEF_AGENT_UNSIGNED_REVOCATION: z.preprocess(
    blankToUndefined,
    z.enum(['honour', 'ignore'], { message: 'must be honour or ignore' }).optional(),
  ),
  CLEF_AGENT_ALLOW_INSECURE_HTTP: flag,
  CLEF_AGENT_FETCH_TIMEOUT: z.preprocess(blankToUndefined, seconds(1, 'a number of seconds from 1 to 86400').optional()),
  CLEF_AGENT_MAX_ARTIFACT_BYTES: z.preprocess(blankToUndefined, integer(1024, 1024 ** 3, 'a byte count from 1024 to 1073741824').optional()),
  // docs/FEATURES.md: unix socket, TCP switch, scoped tokens, exec
  CLEF_AGENT_SOCKET: optionalText,
  CLEF_AGENT_SOCKET_MODE: z.preprocess(
    blankToUndefined,
    z.string().regex(/^0?[0-7]{3}$/, { message: 'must be an octal mode such as 0660' }).transform((v) => parseInt(v, 8)).optional(),
  ),
  CLEF_AGENT_TCP: flag,
  CLEF_AGENT_TOKENS_FILE: optionalText,
  CLEF_AGENT_WATCH_FILES: flag,
  CLEF_AGENT_EXEC_PREFIX: z.preprocess(
    blankToUndefined,
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be a valid environment variable name prefix (letters, digits, _)' }).optional(),
  ),
  CLEF_AGENT_EXEC_KEYS: optionalText,
  CLEF_AGENT_EXEC_ON_ROTATE: z.preprocess(
    blankToUndefined,
    z.string().regex(/^(none|restart|signal:SIG[A-Z0-9]+)$/, { message: 'must be none, restart or signal:<SIGNAME> (e.g. signal:SIGHUP)' }).optional(),
  ),
});

export type Env = z.infer<typeof envSchema>;

/** Variables whose values must never appear in an error message. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'CLEF_AGENT_TOKEN',
  'CLEF_AGENT_AGE_KEY',
  'CLEF_AGENT_VCS_TOKEN',
  'CLEF_AGENT_CACHE_URL', // may carry a Redis password
]);
