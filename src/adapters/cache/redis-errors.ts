import { AgentError, isAgentError, type ErrorCode } from '../../domain/errors';

// OpenSSL verification failures (tls.TLSSocket#authorizationError codes) and node's TLS errors.
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|HOSTNAME_MISMATCH|EPROTO$)/;
// Redis replies that mean "these credentials are not accepted here".
const AUTH_REPLY = /^(WRONGPASS|NOAUTH|NOPERM)\b|invalid username-password pair|AUTH .*without any password configured/i;

/** Which `cache_*` code a Redis failure is: a bad certificate, refused credentials, or just unreachable. */
export function redisErrorCode(error: unknown): ErrorCode {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth += 1) {
    if (isAgentError(e) && e.code !== 'cache_unavailable') return e.code;
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && TLS_CODE.test(code)) return 'cache_tls';
    if (AUTH_REPLY.test(e.message)) return 'cache_auth';
  }
  return 'cache_unavailable';
}

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  cache_tls: 'Redis TLS handshake failed: check CLEF_AGENT_CACHE_TLS_CA_FILE (or NODE_EXTRA_CA_CERTS), the client certificate and that the server certificate names the host in the URL',
  cache_auth: 'Redis refused the credentials: check the ACL user and password in the cache URL',
};

/**
 * A coded AgentError for a Redis failure. The message is ours, never the driver's: driver
 * messages can quote the host, and the URL can carry a password.
 */
export function redisError(error: unknown, fallback: string): AgentError {
  if (isAgentError(error)) return error;
  const code = redisErrorCode(error);
  const reason = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.name) : 'error';
  return new AgentError(code, MESSAGES[code] ?? `${fallback} (${reason})`, { cause: error });
}
