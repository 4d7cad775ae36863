/**
 * ARTIFACT.md §11 steps 4–7 restated from the spec text, as an independent oracle for
 * parseDocument on already-parsed JSON values: it names the first failing check, or
 * says what kind of document it is. Expiry syntax is only partly specified ("an
 * ISO-8601 instant"), so the oracle commits only where the spec is unambiguous.
 */
export type Expected =
  | { kind: 'revoked' }
  | { kind: 'artifact' }
  | { kind: 'error'; code: string }
  /** expiresAt is a non-empty string the spec neither clearly accepts nor rejects. */
  | { kind: 'artifact-or-invalid_expiry' };

const REQUIRED = ['identity', 'environment', 'packedAt', 'revision', 'ciphertextHash', 'ciphertext'];
const ENVELOPE = ['provider', 'keyId', 'wrappedKey', 'algorithm', 'iv', 'authTag'];

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (o: Record<string, unknown>, k: string) => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
/** §9: "non-empty string, true, non-zero number, object, array" are truthy. */
const truthy = (v: unknown) => v !== undefined && v !== null && v !== false && v !== 0 && v !== '';
const str = (v: unknown) => typeof v === 'string';

export function expectedParse(value: unknown): Expected {
  if (isObj(value) && truthy(get(value, 'revokedAt'))) return { kind: 'revoked' };
  const err = (code: string): Expected => ({ kind: 'error', code });
  if (!isObj(value)) return err('invalid_shape');
  if (get(value, 'version') !== 1) return err('unsupported_version');
  if (!REQUIRED.every((k) => str(get(value, k)))) return err('invalid_shape');
  const envelope = get(value, 'envelope');
  if (envelope !== undefined && !(isObj(envelope) && ENVELOPE.every((k) => str(get(envelope, k))))) return err('invalid_shape');
  if (!['expiresAt', 'revokedAt'].every((k) => get(value, k) === undefined || str(get(value, k)))) return err('invalid_shape');
  const sig = get(value, 'signature');
  if (sig !== undefined && !str(sig)) return err('signature');
  const alg = get(value, 'signatureAlgorithm');
  if (alg !== undefined && alg !== 'Ed25519' && alg !== 'ECDSA_SHA256') return err('signature');
  if (['ciphertext', 'revision', 'ciphertextHash'].some((k) => get(value, k) === '')) return err('missing_fields');
  if (isObj(envelope) && ENVELOPE.some((k) => get(envelope, k) === '')) return err('incomplete_envelope');
  const expiresAt = get(value, 'expiresAt') as string | undefined;
  if (expiresAt === undefined || expiresAt === '') return { kind: 'artifact' };
  // What the packer writes (Date#toISOString, 4-digit years) must be accepted; what no
  // date parser reads must not. Expanded years (+010000-…) are left open.
  const ms = Date.parse(expiresAt);
  if (Number.isNaN(ms)) return err('invalid_expiry');
  if (/^\d{4}-/.test(expiresAt) && new Date(ms).toISOString() === expiresAt) return { kind: 'artifact' };
  return { kind: 'artifact-or-invalid_expiry' };
}
