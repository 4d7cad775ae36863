/**
 * Maps AWS SDK / network failures of KMS Decrypt onto stable agent codes. Keyed on the
 * SDK error *name* (the KMS `__type`), never on messages, and the messages built here
 * name only the error class and the key ARN: SDK messages are not copied (they are
 * server-controlled text).
 */
import { AgentError, ErrorCode } from '../../domain/errors';
import { describeKey } from './aws-key-arn';

const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationTokenException',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'NotAuthorized',
  // The default credential chain found nothing (no env, web identity, ECS, IMDS...).
  'CredentialsProviderError',
]);
const KEY_UNAVAILABLE = new Set(['DisabledException', 'NotFoundException', 'KeyUnavailableException', 'KMSInvalidStateException']);
const INVALID_CIPHERTEXT = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
]);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError', 'DependencyTimeoutException']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPROTO',
]);

const HINTS: Partial<Record<ErrorCode, string>> = {
  kms_access_denied: 'check the workload credentials and that its IAM policy allows kms:Decrypt on this key',
  kms_key_unavailable: 'the KMS key is disabled, pending deletion, missing or unavailable',
  kms_invalid_ciphertext: 'the wrapped data key was not produced by this KMS key (wrong key or corrupted envelope)',
  kms_throttled: 'KMS request rate exceeded; lower the refresh frequency or raise the KMS quota',
  kms_network: 'KMS endpoint unreachable or timed out',
};

interface SdkErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/** SDK names come from the server's `__type`; keep them printable and short. */
export function safeName(raw: unknown): string {
  return typeof raw === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(raw) ? raw : 'UnknownError';
}

/**
 * The socket error code. The SDK's retry layer re-wraps throwables that fail its
 * `instanceof Error` check (e.g. errors from another realm) into a plain Error whose
 * message is the only carrier of the code, so the message is scanned as a fallback
 * (only for the code; the message itself is never copied).
 */
export function networkCode(err: SdkErrorLike): string | undefined {
  if (typeof err.code === 'string' && NETWORK_CODES.has(err.code)) return err.code;
  const m = typeof err.message === 'string' ? /\b(E[A-Z_]{3,20})\b/.exec(err.message) : null;
  return m && NETWORK_CODES.has(m[1]) ? m[1] : undefined;
}

export function classifyAwsKmsError(e: unknown): ErrorCode {
  const err = (typeof e === 'object' && e !== null ? e : {}) as SdkErrorLike;
  const name = safeName(err.name);
  const status = err.$metadata?.httpStatusCode;
  if (ACCESS_DENIED.has(name) || /not authorized/i.test(typeof err.message === 'string' ? err.message : '')) return 'kms_access_denied';
  if (KEY_UNAVAILABLE.has(name)) return 'kms_key_unavailable';
  if (INVALID_CIPHERTEXT.has(name)) return 'kms_invalid_ciphertext';
  if (THROTTLED.has(name) || status === 429 || err.$retryable?.throttling === true) return 'kms_throttled';
  if (NETWORK_NAMES.has(name) || networkCode(err) !== undefined) return 'kms_network';
  if (status === 502 || status === 503 || status === 504) return 'kms_network';
  return 'kms_unwrap';
}

/** `keyId` is the envelope's key ARN (not secret); bounded so a hostile artifact cannot flood logs. */
export function awsKmsError(e: unknown, keyId: string): AgentError {
  if (e instanceof AgentError) return e;
  const code = classifyAwsKmsError(e);
  const err = (typeof e === 'object' && e !== null ? e : {}) as SdkErrorLike;
  const name = networkCode(err) ?? safeName(err.name);
  return new AgentError(code, `AWS KMS Decrypt failed for key ${describeKey(keyId)}: ${name}`, { cause: e, hint: HINTS[code] });
}
