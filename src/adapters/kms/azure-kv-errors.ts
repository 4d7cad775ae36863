/**
 * Maps Azure Key Vault / Azure Identity failures of `unwrapKey` onto the same kms_* codes
 * as AWS. Keyed on the HTTP status, the Key Vault error code and the identity error class
 * names; messages built here name only those and the key URL. Neither Azure's text nor the
 * SDK error (whose request holds the bearer token) is copied or kept as `cause`.
 */
import { AgentError, type ErrorCode } from '../../domain/errors';
import { describeKey } from './aws-key-arn';

const CREDENTIAL_ERRORS = new Set(['CredentialUnavailableError', 'AuthenticationError', 'AggregateAuthenticationError', 'AuthenticationRequiredError']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EPROTO', 'REQUEST_SEND_ERROR']);

const HINTS: Partial<Record<ErrorCode, string>> = {
  kms_access_denied: "check DefaultAzureCredential (AZURE_CLIENT_ID/…, workload identity, managed identity) and that it holds 'Key Vault Crypto User' (or the unwrapKey permission) on this key",
  kms_key_unavailable: 'the Key Vault key is missing, disabled, expired or not yet valid',
  kms_invalid_ciphertext: 'the wrapped data key was not produced by this Key Vault key (wrong key, algorithm or corrupted envelope)',
  kms_throttled: 'Key Vault throttled the requests; lower the refresh frequency',
  kms_network: 'Key Vault or the identity endpoint unreachable or timed out',
};

interface AzureErrorLike {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  details?: unknown;
}

function kvErrorCode(err: AzureErrorLike): string | undefined {
  const details = err.details as { error?: { code?: unknown; innererror?: { code?: unknown } } } | undefined;
  const inner = details?.error?.innererror?.code;
  const outer = typeof err.code === 'string' ? err.code : details?.error?.code;
  const pick = typeof inner === 'string' ? inner : outer;
  return typeof pick === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(pick) ? pick : undefined;
}

export function classifyAzureKvError(e: unknown): { code: ErrorCode; label: string } {
  const err = (typeof e === 'object' && e !== null ? e : {}) as AzureErrorLike;
  const name = typeof err.name === 'string' ? err.name : '';
  const message = typeof err.message === 'string' ? err.message : '';
  const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  const kvCode = kvErrorCode(err);
  const label = [status === undefined ? undefined : `HTTP ${status}`, kvCode].filter(Boolean).join(' ') || (CREDENTIAL_ERRORS.has(name) ? name : 'unexpected failure');
  if (CREDENTIAL_ERRORS.has(name)) {
    // An unreachable identity endpoint is transient; anything else means no usable identity.
    return { code: NETWORK_CODES.has(String(err.code)) || /\bECONN|ETIMEDOUT|network/i.test(message) ? 'kms_network' : 'kms_access_denied', label: name };
  }
  // The SDK's own refusal of a challenge whose resource is not the vault's domain.
  if (/challenge resource .* does not match/i.test(message)) return { code: 'kms_access_denied', label: 'challenge resource mismatch' };
  if (status === 401) return { code: 'kms_access_denied', label };
  if (status === 403) return { code: /disabled/i.test(`${kvCode ?? ''} ${message}`) ? 'kms_key_unavailable' : 'kms_access_denied', label };
  if (status === 404) return { code: 'kms_key_unavailable', label };
  if (status === 400) return { code: 'kms_invalid_ciphertext', label };
  if (status === 429) return { code: 'kms_throttled', label };
  if (status !== undefined && status >= 500) return { code: 'kms_network', label };
  if (name === 'AbortError' || NETWORK_CODES.has(String(err.code))) return { code: 'kms_network', label: String(err.code ?? name) };
  // CryptographyClient's local checks of the fetched key (its own messages).
  if (/can't be used before|expired at|is not supported on key/.test(message)) return { code: 'kms_key_unavailable', label: 'key not usable now' };
  return { code: 'kms_unwrap', label };
}

export function azureKvError(e: unknown, keyUrl: string): AgentError {
  if (e instanceof AgentError) return e;
  const { code, label } = classifyAzureKvError(e);
  return new AgentError(code, `Azure Key Vault unwrapKey failed for key ${describeKey(keyUrl)}: ${label}`, { hint: HINTS[code] });
}
