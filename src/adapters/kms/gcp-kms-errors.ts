/**
 * Maps Cloud KMS REST failures (google.rpc.Status in the error body, via gaxios) and
 * Application Default Credentials failures onto the same kms_* codes as AWS. Keyed on
 * the canonical status name and the HTTP status; messages built here name only that
 * status (or the socket error code) and the key: Google's text is not copied, and the
 * gaxios error itself is not kept as `cause` because its config carries the bearer token.
 */
import { AgentError, type ErrorCode } from '../../domain/errors';
import { describeKey } from './aws-key-arn';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EPROTO', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

const BY_STATUS_NAME: Readonly<Record<string, ErrorCode>> = {
  PERMISSION_DENIED: 'kms_access_denied',
  UNAUTHENTICATED: 'kms_access_denied',
  NOT_FOUND: 'kms_key_unavailable',
  // The key (version) is disabled, destroyed or pending destruction.
  FAILED_PRECONDITION: 'kms_key_unavailable',
  // "Decryption failed: the ciphertext is invalid." (other key, corrupted blob).
  INVALID_ARGUMENT: 'kms_invalid_ciphertext',
  RESOURCE_EXHAUSTED: 'kms_throttled',
  UNAVAILABLE: 'kms_network',
  DEADLINE_EXCEEDED: 'kms_network',
};

const HINTS: Partial<Record<ErrorCode, string>> = {
  kms_access_denied: 'check Application Default Credentials and that the identity has roles/cloudkms.cryptoKeyDecrypter on this key',
  kms_key_unavailable: 'the Cloud KMS key is missing, disabled or its version destroyed',
  kms_invalid_ciphertext: 'the wrapped data key was not produced by this Cloud KMS key (wrong key or corrupted envelope)',
  kms_throttled: 'Cloud KMS quota exceeded; lower the refresh frequency or raise the quota',
  kms_network: 'Cloud KMS endpoint unreachable or timed out',
};

interface GaxiosLike {
  code?: unknown;
  status?: unknown;
  message?: unknown;
  response?: { status?: unknown; data?: unknown };
}

function statusName(err: GaxiosLike): string | undefined {
  const data = err.response?.data as { error?: { status?: unknown } } | undefined;
  const s = typeof data === 'object' && data !== null ? data.error?.status : undefined;
  return typeof s === 'string' && /^[A-Z_]{1,40}$/.test(s) ? s : undefined;
}

function networkCode(err: GaxiosLike): string | undefined {
  if (typeof err.code === 'string' && NETWORK_CODES.has(err.code)) return err.code;
  const m = typeof err.message === 'string' ? /\b(E[A-Z_]{3,20})\b/.exec(err.message) : null;
  return m && NETWORK_CODES.has(m[1]) ? m[1] : undefined;
}

export function classifyGcpKmsError(e: unknown): { code: ErrorCode; label: string } {
  const err = (typeof e === 'object' && e !== null ? e : {}) as GaxiosLike;
  const status = typeof err.status === 'number' ? err.status : typeof err.response?.status === 'number' ? err.response.status : undefined;
  const name = statusName(err);
  if (name && BY_STATUS_NAME[name]) return { code: BY_STATUS_NAME[name], label: name };
  if (status === 401 || status === 403) return { code: 'kms_access_denied', label: `HTTP ${status}` };
  if (status === 404) return { code: 'kms_key_unavailable', label: 'HTTP 404' };
  if (status === 429) return { code: 'kms_throttled', label: 'HTTP 429' };
  if (status !== undefined && status >= 500) return { code: 'kms_network', label: `HTTP ${status}` };
  const net = networkCode(err);
  if (net) return { code: 'kms_network', label: net };
  return { code: 'kms_unwrap', label: status === undefined ? 'unexpected failure' : `HTTP ${status}` };
}

export function gcpKmsError(e: unknown, keyName: string): AgentError {
  if (e instanceof AgentError) return e;
  const { code, label } = classifyGcpKmsError(e);
  return new AgentError(code, `GCP Cloud KMS decrypt failed for key ${describeKey(keyName)}: ${label}`, { hint: HINTS[code] });
}

/** Application Default Credentials could not be resolved or refused to mint a token. */
export function gcpCredentialsError(e: unknown, keyName: string): AgentError {
  const { code, label } = classifyGcpKmsError(e);
  const shown = code === 'kms_unwrap' ? 'no usable credentials' : label;
  // An unreachable token endpoint is transient (kms_network); anything else means no usable identity.
  const kept = code === 'kms_throttled' || code === 'kms_network';
  return new AgentError(kept ? code : 'kms_access_denied', `GCP Application Default Credentials failed for key ${describeKey(keyName)}: ${shown}`, {
    hint: 'set GOOGLE_APPLICATION_CREDENTIALS (service account or workload identity federation file) or run on GKE/GCE with a service account',
  });
}
