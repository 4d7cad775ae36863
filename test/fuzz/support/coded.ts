import { AgentError, ErrorCodes, type ErrorCode } from '../../../src/domain/errors';

/**
 * The code of a rejection, after checking it is a proper AgentError. `unknown` is what
 * the domain wraps unexpected exceptions in (toAgentError), so it counts as a crash that
 * was merely caught, not as a classified rejection.
 */
export function codeOf(e: unknown, allowed: readonly ErrorCode[] = ErrorCodes): ErrorCode {
  if (!(e instanceof AgentError)) {
    const what = e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
    throw new Error(`expected an AgentError, got ${what}`);
  }
  if (e.code === 'unknown') {
    const cause = e.cause instanceof Error ? `${e.cause.constructor.name}: ${e.cause.message}` : String(e.cause);
    throw new Error(`an unexpected exception was wrapped as code "unknown" (cause ${cause})`);
  }
  if (!allowed.includes(e.code)) throw new Error(`unexpected code "${e.code}" (allowed: ${allowed.join(', ')})`);
  return e.code;
}

/** Codes parseDocument may throw (ARTIFACT.md §11 steps 3–7 plus the size cap). */
export const PARSE_CODES: readonly ErrorCode[] = [
  'too_large',
  'json_parse',
  'unsupported_version',
  'invalid_shape',
  'signature',
  'missing_fields',
  'incomplete_envelope',
  'invalid_expiry',
];
