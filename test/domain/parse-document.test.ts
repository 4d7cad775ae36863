import { createHash } from 'node:crypto';
import { parseDocument } from '../../src/domain/artifact/parse-document';
import { parsePayload, LEGACY_NAMESPACE } from '../../src/domain/artifact/payload';
import { signedPayload } from '../../src/domain/artifact/signed-payload';
import { vectorText } from '../support/vectors';

const base = () => JSON.parse(vectorText('b-ed25519-signed')) as Record<string, unknown>;
const codeFor = (doc: unknown): string => {
  try {
    parseDocument(typeof doc === 'string' ? doc : JSON.stringify(doc));
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('parseDocument (ARTIFACT.md §11 step 5 order)', () => {
  it('parses a real vector', () => {
    const parsed = parseDocument(vectorText('b-ed25519-signed'));
    expect(parsed.kind).toBe('artifact');
  });

  it.each<[string, (d: Record<string, unknown>) => unknown, string]>([
    ['not JSON', () => '{"version":', 'json_parse'],
    ['an array', () => [], 'invalid_shape'],
    ['version "1"', (d) => ({ ...d, version: '1' }), 'unsupported_version'],
    ['version 2', (d) => ({ ...d, version: 2 }), 'unsupported_version'],
    ['identity missing', (d) => ({ ...d, identity: undefined }), 'invalid_shape'],
    ['ciphertext a number', (d) => ({ ...d, ciphertext: 5 }), 'invalid_shape'],
    ['envelope not an object', (d) => ({ ...d, envelope: 'x' }), 'invalid_shape'],
    ['envelope member missing', (d) => ({ ...d, envelope: { provider: 'aws' } }), 'invalid_shape'],
    ['expiresAt a number', (d) => ({ ...d, expiresAt: 5 }), 'invalid_shape'],
    ['signature a number', (d) => ({ ...d, signature: 5 }), 'signature'],
    ['unknown signatureAlgorithm', (d) => ({ ...d, signatureAlgorithm: 'RSA' }), 'signature'],
    ['empty revision', (d) => ({ ...d, revision: '' }), 'missing_fields'],
    ['empty envelope member', (d) => ({ ...d, envelope: { provider: 'aws', keyId: 'k', wrappedKey: '', algorithm: 'a', iv: 'i', authTag: 't' } }), 'incomplete_envelope'],
    ['unparseable expiresAt', (d) => ({ ...d, expiresAt: 'tomorrow' }), 'invalid_expiry'],
    ['inherited name only', (d) => ({ ...d, identity: undefined, constructor: 'x' }), 'invalid_shape'],
  ])('%s → %s', (_name, mutate, code) => {
    expect(codeFor(mutate(base()))).toBe(code);
  });

  it.each([['string', 'x'], ['true', true], ['number', 1], ['object', {}], ['array', []]])(
    'a truthy revokedAt (%s) is a revocation even on a malformed document',
    (_n, value) => {
      const parsed = parseDocument(JSON.stringify({ revokedAt: value }));
      expect(parsed.kind).toBe('revoked');
    },
  );

  it('an empty revokedAt is not a revocation; null fails the shape check', () => {
    expect(parseDocument(JSON.stringify({ ...base(), revokedAt: '' })).kind).toBe('artifact');
    expect(codeFor({ ...base(), revokedAt: null })).toBe('invalid_shape');
  });

  it('tolerates a BOM, ignores unknown members and the legacy keys array', () => {
    const parsed = parseDocument(`\ufeff${JSON.stringify({ ...base(), keys: ['a'], extra: 1 })}`);
    expect(parsed.kind).toBe('artifact');
  });

  it('rejects a document over the size limit before parsing', () => {
    expect(() => parseDocument('x'.repeat(101), 100)).toThrow(expect.objectContaining({ code: 'too_large' }));
  });
});

describe('signedPayload (ARTIFACT.md §13)', () => {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  it('matches Example B', () => {
    const doc = parseDocument(JSON.stringify({
      version: 1, identity: 'api-gateway', environment: 'staging', packedAt: '2026-05-01T12:00:00.000Z',
      revision: '1777636800000-5e6f7a8b', ciphertextHash: 'b86b34c725b8f67c18d5c1e36e3f18492909f881fa7648242b66a9c4bfdd4ca5', ciphertext: 'x',
    }));
    if (doc.kind !== 'artifact') throw new Error('unexpected');
    expect(sha(signedPayload(doc.artifact))).toBe('338c0cf57020b11be152887d86a21a536a8b7a69eb6b2153299659fd9ded9cdf');
  });

  it('matches Example A (envelope, expiresAt)', () => {
    const doc = parseDocument(JSON.stringify({
      version: 1, identity: 'api-gateway', environment: 'production', packedAt: '2026-05-01T12:00:00.000Z',
      revision: '1777636800000-1a2b3c4d', ciphertextHash: '7724a7472287dd775d6758e73fa86a2a53ceec42622913e4319c2f3dbb5afc72', ciphertext: 'x',
      envelope: { provider: 'aws', keyId: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555', wrappedKey: 'AQIDAHh0ZXN0LW9ubHktbm90LWEtcmVhbC1rbXMtYmxvYg==', algorithm: 'SYMMETRIC_DEFAULT', iv: 'AAECAwQFBgcICQoL', authTag: 'Wwda6I4AZWcCDqQ4mDONcg==' },
      expiresAt: '2026-05-01T13:00:00.000Z',
    }));
    if (doc.kind !== 'artifact') throw new Error('unexpected');
    expect(sha(signedPayload(doc.artifact))).toBe('5aee31f3efe0c16689659f739008dcc3ebda56f9679c51dc2ade69ae81377635');
  });

  it('rejects a line feed inside a signed member', () => {
    const doc = parseDocument(JSON.stringify({ ...base(), identity: 'a\nb' }));
    if (doc.kind !== 'artifact') throw new Error('unexpected');
    expect(() => signedPayload(doc.artifact)).toThrow(expect.objectContaining({ code: 'invalid_shape' }));
  });
});

describe('parsePayload', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('holds names like __proto__ and constructor as ordinary keys', () => {
    const tree = parsePayload(enc('{"__proto__":{"constructor":"v"},"ns":{"toString":"t"}}'));
    expect(Object.getPrototypeOf(tree)).toBeNull();
    expect(tree['__proto__'].constructor).toBe('v');
    expect(Object.keys(tree)).toEqual(['__proto__', 'ns']);
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });

  it('serves a legacy flat payload under the default namespace', () => {
    expect(parsePayload(enc('{"KEY":"v"}'))[LEGACY_NAMESPACE].KEY).toBe('v');
  });

  it.each(['[]', '"x"', '{"a":1}', '{"a":{"b":1}}', '{"a":"x","b":{"c":"d"}}', '{"a":null}'])('rejects %s', (text) => {
    expect(() => parsePayload(enc(text))).toThrow(expect.objectContaining({ code: 'payload_parse' }));
  });

  it('rejects invalid UTF-8', () => {
    expect(() => parsePayload(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(expect.objectContaining({ code: 'payload_parse' }));
  });
});
