import { AgentError } from '../../domain/errors';
import { parseRetryAfter } from './retry-after';

/** Operator hints attached to mapped errors; provider-specific wording, never secret. */
export interface StatusHints {
  auth?: string;
  notFound?: string;
}

/**
 * Maps a non-success HTTP status onto the stable source error codes. `what` is a
 * credential-free description of the request for the message.
 */
export function statusError(status: number, headers: Headers, what: string, hints: StatusHints = {}): AgentError {
  const retryAfterMs = parseRetryAfter(headers.get('retry-after'));
  const msg = `${what} answered HTTP ${status}`;
  if (status === 401 || status === 403) return new AgentError('source_auth', msg, { hint: hints.auth });
  if (status === 404) return new AgentError('source_not_found', msg, { hint: hints.notFound });
  if (status === 429) return new AgentError('source_rate_limited', msg, { retryAfterMs });
  // 503 often carries Retry-After too; honouring it avoids hammering a recovering origin.
  if (status >= 500) return new AgentError('source_unavailable', msg, { retryAfterMs });
  return new AgentError('source_bad_response', msg);
}
