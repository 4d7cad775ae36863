/**
 * Maps S3 GetObject failures (SDK service errors, credential-chain errors, socket errors)
 * onto the source error codes the HTTP source uses, keyed on the S3 error code and the
 * HTTP status, never on messages. Nothing from the SDK error is copied into the message
 * or attached as a cause: S3's SignatureDoesNotMatch body echoes the access key id and the
 * string to sign, and credential errors can name profile files.
 */
import { AgentError, ErrorCode } from '../../domain/errors';
import { networkCode as socketCode, safeName } from '../kms/aws-kms-errors';
import { parseRetryAfter } from './retry-after';

const AUTH = new Set([
  'AccessDenied',
  'AllAccessDisabled',
  'AccountProblem',
  'InvalidAccessKeyId',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'SignatureDoesNotMatch',
  'InvalidSecurity',
  // The default credential chain found nothing, or a provider (ECS, IMDS, SSO) failed.
  'CredentialsProviderError',
  'CredentialsProviderTimeoutError',
]);
const NOT_FOUND = new Set(['NoSuchKey', 'NoSuchBucket', 'NotFound', 'NoSuchVersion']);
const RATE_LIMITED = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequests', 'TooManyRequestsException', 'RequestLimitExceeded']);

/** Node's TLS and certificate failures (ERR_TLS_CERT_ALTNAME_INVALID, CERT_HAS_EXPIRED, ...). */
const TLS_CODE = /^(ERR_TLS_[A-Z_]{1,40}|ERR_SSL_[A-Z0-9_]{1,60}|CERT_[A-Z_]{1,40}|UNABLE_TO_[A-Z_]{1,40}|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$/;

const HINTS: Partial<Record<ErrorCode, string>> = {
  source_auth: 'the AWS credentials need s3:GetObject on this object (or the object must be public for unsigned requests)',
  source_not_found: 'check the bucket and key; without s3:ListBucket S3 reports a missing key as AccessDenied instead',
};

interface SdkErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

/** The socket error code (shared with the KMS mapping), or Node's TLS/certificate code. */
function networkCode(err: SdkErrorLike): string | undefined {
  return socketCode(err) ?? (typeof err.code === 'string' && TLS_CODE.test(err.code) ? err.code : undefined);
}

function header(err: SdkErrorLike, name: string): string | undefined {
  const headers = err.$response?.headers ?? {};
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

export function classifyS3Error(e: unknown): ErrorCode {
  const err = (typeof e === 'object' && e !== null ? e : {}) as SdkErrorLike;
  const name = safeName(err.name);
  const status = err.$metadata?.httpStatusCode;
  if (AUTH.has(name) || status === 401 || status === 403) return 'source_auth';
  if (NOT_FOUND.has(name) || status === 404) return 'source_not_found';
  if (RATE_LIMITED.has(name) || status === 429) return 'source_rate_limited';
  if (status !== undefined && status >= 500) return 'source_unavailable';
  if (status === undefined && networkCode(err) !== undefined) return 'source_unavailable';
  if (name === 'TimeoutError' || name === 'RequestTimeout') return 'source_timeout';
  return status === undefined ? 'source_unavailable' : 'source_bad_response';
}

/** `what` is the credential-free description of the object (`s3://bucket/key`). */
export function s3Error(e: unknown, what: string): AgentError {
  if (e instanceof AgentError) return e;
  const err = (typeof e === 'object' && e !== null ? e : {}) as SdkErrorLike;
  const code = classifyS3Error(e);
  const status = err.$metadata?.httpStatusCode;
  const name = networkCode(err) ?? safeName(err.name);
  const msg = status === undefined ? `${what} could not be fetched (${name})` : `${what} answered HTTP ${status} (${name})`;
  // SlowDown and 503s may carry Retry-After; the scheduler honours it instead of its own backoff.
  const retryAfterMs = code === 'source_rate_limited' || code === 'source_unavailable' ? parseRetryAfter(header(err, 'retry-after')) : undefined;
  return new AgentError(code, msg, { retryAfterMs, hint: HINTS[code] });
}
