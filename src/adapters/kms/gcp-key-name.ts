/**
 * Cloud KMS CryptoKey resource names (envelope.keyId) and the REST endpoint. The name
 * comes from the artifact and is pasted into the request path, so it is checked against
 * the resource-name grammar first: no `..`, `?`, `#`, `%` or extra segments can steer
 * the authorised request elsewhere on the API.
 */
import { AgentError } from '../../domain/errors';
import { isLoopbackHost } from '../sources/url-policy';
import { describeKey } from './aws-key-arn';

// projects/{project}/locations/{location}/keyRings/{ring}/cryptoKeys/{key}: project ids
// are lowercase (domain-scoped ones carry `example.com:`), ring and key ids [A-Za-z0-9_-]{1,63}.
const CRYPTO_KEY_NAME = /^projects\/[a-z][a-z0-9.:-]{0,127}\/locations\/[a-z][a-z0-9-]{0,62}\/keyRings\/[A-Za-z0-9_-]{1,63}\/cryptoKeys\/[A-Za-z0-9_-]{1,63}$/;

/** The key name, or `kms_unwrap` when the artifact's keyId is not a CryptoKey resource name. */
export function checkGcpKeyName(keyId: string): string {
  if (!CRYPTO_KEY_NAME.test(keyId) || keyId.includes('..')) {
    throw new AgentError('kms_unwrap', `envelope keyId ${describeKey(keyId)} is not a Cloud KMS CryptoKey name`, {
      hint: 'expected projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>',
    });
  }
  return keyId;
}

/**
 * Validates a `CLEF_AGENT_GCP_KMS_ENDPOINT` base URL (Private Service Connect, regional
 * endpoints, tests): https, or http only to loopback; no credentials, query or fragment.
 * Returns it without a trailing slash, or a one-line problem.
 */
export function parseGcpKmsEndpoint(raw: string): { endpoint: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'must be an absolute https:// URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: 'must be an https:// URL' };
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return { problem: 'must be https:// (http:// is allowed only for a loopback host)' };
  if (url.username || url.password) return { problem: 'must not carry credentials' };
  if (url.search || url.hash || raw.includes('?') || raw.includes('#')) return { problem: 'must not have a query or fragment' };
  return { endpoint: url.href.replace(/\/+$/, '') };
}
