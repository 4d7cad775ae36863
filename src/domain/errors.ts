/**
 * Every failure the agent can report carries a stable `code`. Tests, health output,
 * telemetry and the HTTP layer key on codes, never on messages (the Level idiom).
 * Messages are for humans and must never contain secret values, tokens, key
 * material or credential-bearing URLs.
 */
export const ErrorCodes = [
  // document parsing and validation (ARTIFACT.md §11/§12 reason values)
  'too_large',
  'json_parse',
  'unsupported_version',
  'invalid_shape',
  'signature', // malformed signature / signatureAlgorithm member (reference reason)
  'missing_fields',
  'incomplete_envelope',
  'invalid_expiry',
  'expired',
  'revoked',
  'identity_mismatch',
  'integrity',
  'signature_missing',
  'signature_error',
  'signature_invalid',
  'rollback',
  'revocation_unsigned',
  'decrypt',
  'no_age_identity',
  'payload_parse',
  // KMS envelope unwrap
  'kms_unwrap',
  'unsupported_kms_provider',
  'kms_access_denied',
  'kms_key_unavailable',
  'kms_invalid_ciphertext',
  'kms_throttled',
  'kms_network',
  // sources
  'fetch_failed',
  'source_not_found',
  'source_auth',
  'source_rate_limited',
  'source_timeout',
  'source_too_large',
  'source_unavailable',
  'source_bad_response',
  'source_insecure',
  // artifact cache (disk / Redis tier)
  'cache_unavailable',
  'cache_corrupt',
  'cache_tls', // the Redis server's certificate failed verification (CA, hostname) or the TLS handshake failed
  'cache_auth', // Redis refused the credentials (WRONGPASS, NOAUTH, NOPERM)
  // serving state
  'not_loaded',
  'cache_expired',
  'refresh_failed',
  'stopped',
  // inbound HTTP (request rejected before the domain is asked anything)
  'bad_request',
  'forbidden_host',
  'forwarded_request',
  'unauthorized',
  'not_found',
  'method_not_allowed',
  /** A listener's connection bound (CLEF_AGENT_MAX_CONNECTIONS) is reached: 503 at once. */
  'too_many_connections',
  // inbound extensions (FEATURES.md): unix socket path, scoped tokens file, exec
  'socket_in_use',
  'socket_path_conflict',
  'tokens_file_invalid',
  'exec_spawn_failed',
  'exec_env_skipped',
  // secrets as files (docs/FILES.md)
  'files_missing_secret',
  'files_unsafe_path',
  'files_conflict',
  'files_write_failed',
  'files_action_failed',
  'files_action_timeout',
  'unknown',
] as const;

export type ErrorCode = (typeof ErrorCodes)[number];

export interface AgentErrorOptions {
  cause?: unknown;
  /** Hint for a retry delay (e.g. from `Retry-After`), in milliseconds. */
  retryAfterMs?: number;
  /** A short operator hint ("check the token's repo scope"); never secret. */
  hint?: string;
}

export class AgentError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterMs?: number;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, options: AgentErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AgentError';
    this.code = code;
    this.retryAfterMs = options.retryAfterMs;
    this.hint = options.hint;
  }
}

export function isAgentError(e: unknown): e is AgentError {
  return e instanceof AgentError;
}

/** Normalises anything thrown into an AgentError without copying foreign messages
 * (which may carry URLs or values) unless the caller vouches for them. */
export function toAgentError(e: unknown, fallback: ErrorCode): AgentError {
  if (isAgentError(e)) return e;
  return new AgentError(fallback, `unexpected ${fallback} failure`, { cause: e });
}
