import { isAgentError, type ErrorCode } from '../../domain/errors';

/** How one error code looks on the wire. */
export interface HttpErrorMapping {
  status: number;
  /** Whether the AgentError's message may be sent (domain messages never carry secrets). */
  expose: boolean;
  headers?: Readonly<Record<string, string>>;
}

/** What the error handler writes: body `{"error": message, "code": code}`. */
export interface HttpErrorResponse {
  status: number;
  code: ErrorCode;
  message: string;
  headers?: Readonly<Record<string, string>>;
}

const requestCodes: Partial<Record<ErrorCode, HttpErrorMapping>> = {
  bad_request: { status: 400, expose: true },
  forwarded_request: { status: 400, expose: true },
  // RFC 9110 §11.6.1: a 401 must name the scheme the client should use.
  unauthorized: { status: 401, expose: true, headers: { 'WWW-Authenticate': 'Bearer' } },
  forbidden_host: { status: 403, expose: true },
  not_found: { status: 404, expose: true },
  method_not_allowed: { status: 405, expose: true },
};

/**
 * Every other known code reaches HTTP only as the rejection of `SecretsQuery.read()`:
 * not loaded, expired, revoked, a failed on-request refresh (fetch, validation, KMS,
 * decrypt...). In each case the agent cannot serve right now, which is a 503. Listing
 * them would break each time the domain adds a code, so this is the default.
 */
const SERVING_FAILURE: HttpErrorMapping = { status: 503, expose: true };
const INTERNAL: HttpErrorMapping = { status: 500, expose: false };
const INTERNAL_MESSAGE = 'internal error';

export function httpMappingFor(code: ErrorCode): HttpErrorMapping {
  if (code === 'unknown') return INTERNAL;
  return requestCodes[code] ?? SERVING_FAILURE;
}

/** The single translation from anything thrown to an HTTP error response. */
export function toHttpError(err: unknown): HttpErrorResponse {
  if (!isAgentError(err)) return { status: INTERNAL.status, code: 'unknown', message: INTERNAL_MESSAGE };
  const mapping = httpMappingFor(err.code);
  return {
    status: mapping.status,
    code: err.code,
    message: mapping.expose ? err.message : INTERNAL_MESSAGE,
    headers: mapping.headers,
  };
}
