import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { NodeSignatureVerifier, VerifyKeyError, parseVerifyKeys } from '../../../src/adapters/crypto/signature-verifier';
import { parseDocument } from '../../../src/domain/artifact/parse-document';
import { signedPayload } from '../../../src/domain/artifact/signed-payload';
import type { PackedArtifact } from '../../../src/domain/artifact/types';
import { newEd25519Keys, newP256Keys } from '../../support/pack';
import { vectorText, vectorVerifyKey } from '../../support/vectors';

/** ARTIFACT.md §13.1 (Example A): payload, Ed25519 and ECDSA P-256 keys and signatures. */
const EXAMPLE_A: PackedArtifact = {
  version: 1,
  identity: 'api-gateway',
  environment: 'production',
  packedAt: '2026-05-01T12:00:00.000Z',
  revision: '1777636800000-1a2b3c4d',
  ciphertextHash: '7724a7472287dd775d6758e73fa86a2a53ceec42622913e4319c2f3dbb5afc72',
  ciphertext: 'unused',
  envelope: {
    provider: 'aws',
    keyId: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
    wrappedKey: 'AQIDAHh0ZXN0LW9ubHktbm90LWEtcmVhbC1rbXMtYmxvYg==',
    algorithm: 'SYMMETRIC_DEFAULT',
    iv: 'AAECAwQFBgcICQoL',
    authTag: 'Wwda6I4AZWcCDqQ4mDONcg==',
  },
  expiresAt: '2026-05-01T13:00:00.000Z',
};
const SPEC_ED25519_KEY = 'MCowBQYDK2VwAyEApPO8a036SoE2osQuYSPAnIHMHHfmex7iBzw3s6RERKM=';
const SPEC_ED25519_SIG_A = 'SoxzdP1/sOJgIHENzraAj1muzH5ethVs0Qjfs8NOoy3tHK5JOai6MXqQ8EpzEfkBouPhpgY010uuPwVdEevNDQ==';
const SPEC_P256_KEY =
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE4EeWnNNzfLJFtk06Kj4exsNnNY5tiLyv8K5YkGMZirv39RDouVW3yDAEc3c7hVguZ6Z5KxHiycCL8yh4SWtSBg==';
const SPEC_P256_SIG_A = 'MEYCIQCTMgZMv/eE6A2gvsviBU05YeTdHXDMwSdpRqctqT9wgwIhAInMqW/kwXaTaYpQHCFmOcxNjCukAC45rwrs133m/cXY';

/** ARTIFACT.md §13.2 (Example B): age-only, same Ed25519 key. */
const EXAMPLE_B: PackedArtifact = {
  version: 1,
  identity: 'api-gateway',
  environment: 'staging',
  packedAt: '2026-05-01T12:00:00.000Z',
  revision: '1777636800000-5e6f7a8b',
  ciphertextHash: 'b86b34c725b8f67c18d5c1e36e3f18492909f881fa7648242b66a9c4bfdd4ca5',
  ciphertext: 'unused',
};
const SPEC_ED25519_SIG_B = '21DK99no4ER5ekZfqhc2TbAkrb+QZGAS+VKpbJ93mjM/FpkTiF1QKZiSsKq9P1vC3mnxqvR7LPf8Nea2LAiwAA==';

const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

function derInteger(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

/** Returns the other member of the (r, s) / (r, n - s) pair: high-S ↔ low-S. */
function flipS(signatureBase64: string): { signature: string; highS: boolean } {
  const der = Buffer.from(signatureBase64, 'base64');
  const rLen = der[3];
  const r = BigInt(`0x${der.subarray(4, 4 + rLen).toString('hex')}`);
  const s = BigInt(`0x${der.subarray(6 + rLen, 6 + rLen + der[5 + rLen]).toString('hex')}`);
  const body = Buffer.concat([derInteger(r), derInteger(P256_ORDER - s)]);
  return { signature: Buffer.concat([Buffer.from([0x30, body.length]), body]).toString('base64'), highS: P256_ORDER - s > P256_ORDER / 2n };
}

function pemOf(base64Der: string): string {
  const lines = base64Der.match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN PUBLIC KEY-----\n${lines}\n-----END PUBLIC KEY-----`;
}

function constructionError(keys: string[]): Error {
  try {
    new NodeSignatureVerifier({ keys });
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected construction to fail');
}

const spki = (key: { export(o: { type: 'spki'; format: 'der' }): Buffer }) => key.export({ type: 'spki', format: 'der' }).toString('base64');

describe('NodeSignatureVerifier with the spec examples', () => {
  const payloadA = signedPayload(EXAMPLE_A);

  it('builds the §13.1 payload the spec hashes', () => {
    expect(createHash('sha256').update(payloadA).digest('hex')).toBe('5aee31f3efe0c16689659f739008dcc3ebda56f9679c51dc2ade69ae81377635');
    expect(createHash('sha256').update(signedPayload(EXAMPLE_B)).digest('hex')).toBe('338c0cf57020b11be152887d86a21a536a8b7a69eb6b2153299659fd9ded9cdf');
  });

  it('verifies §13.1 and §13.2 Ed25519 signatures', () => {
    const verifier = new NodeSignatureVerifier({ keys: [SPEC_ED25519_KEY] });
    expect(verifier.verify(payloadA, SPEC_ED25519_SIG_A)).toEqual({ valid: true, keyId: verifier.keyIds[0] });
    expect(verifier.verify(signedPayload(EXAMPLE_B), SPEC_ED25519_SIG_B).valid).toBe(true);
    expect(verifier.verify(signedPayload(EXAMPLE_B), SPEC_ED25519_SIG_A).valid).toBe(false);
  });

  it('verifies the §13.1 ECDSA signature, and its mirrored-S twin (low-S and high-S)', () => {
    const verifier = new NodeSignatureVerifier({ keys: [SPEC_P256_KEY] });
    const twin = flipS(SPEC_P256_SIG_A);
    expect(verifier.verify(payloadA, SPEC_P256_SIG_A).valid).toBe(true);
    expect(verifier.verify(payloadA, twin.signature).valid).toBe(true);
    // One of the two is the high-S form: both forms were exercised.
    expect(flipS(twin.signature).highS).not.toBe(twin.highS);
  });

  it('picks the algorithm from the key: an ECDSA signature never verifies under the Ed25519 key', () => {
    const verifier = new NodeSignatureVerifier({ keys: [SPEC_ED25519_KEY] });
    expect(verifier.verify(payloadA, SPEC_P256_SIG_A)).toEqual({ valid: false });
  });

  it('verifies the shared vector b-ed25519-signed with keys/ed25519.spki.b64', () => {
    const doc = parseDocument(vectorText('b-ed25519-signed'));
    if (doc.kind !== 'artifact') throw new Error('expected an artifact');
    const verifier = new NodeSignatureVerifier({ keys: [vectorVerifyKey()] });
    expect(verifier.verify(signedPayload(doc.artifact), doc.artifact.signature!).valid).toBe(true);
    expect(verifier.verify(signedPayload({ ...doc.artifact, environment: 'staging' }), doc.artifact.signature!).valid).toBe(false);
  });
});

describe('NodeSignatureVerifier keys', () => {
  it('accepts PEM and gives it the same key id as the DER form', () => {
    const der = new NodeSignatureVerifier({ keys: [SPEC_ED25519_KEY] });
    const pem = new NodeSignatureVerifier({ keys: [pemOf(SPEC_ED25519_KEY)] });
    expect(pem.keyIds).toEqual(der.keyIds);
    expect(pem.verify(signedPayload(EXAMPLE_A), SPEC_ED25519_SIG_A).valid).toBe(true);
  });

  it('key ids are sha256: + 16 hex digits of the DER SPKI digest', () => {
    const verifier = new NodeSignatureVerifier({ keys: [SPEC_ED25519_KEY] });
    const digest = createHash('sha256').update(Buffer.from(SPEC_ED25519_KEY, 'base64')).digest('hex');
    expect(verifier.keyIds).toEqual([`sha256:${digest.slice(0, 16)}`]);
  });

  it('with two keys, reports the id of the one that verified', () => {
    const first = newEd25519Keys();
    const second = newP256Keys();
    const verifier = new NodeSignatureVerifier({ keys: [first.verifyKey, second.verifyKey] });
    const signature = sign('sha256', Buffer.from('payload'), second.privateKey).toString('base64');
    expect(verifier.keyIds).toHaveLength(2);
    expect(verifier.verify('payload', signature)).toEqual({ valid: true, keyId: verifier.keyIds[1] });
  });

  it('no keys: not enabled', () => {
    const verifier = new NodeSignatureVerifier({ keys: [] });
    expect(verifier.enabled).toBe(false);
    expect(verifier.keyIds).toEqual([]);
  });

  it('setKeys rotates keys, and a bad set leaves the old keys in place', () => {
    const oldKey = newEd25519Keys();
    const newKey = newEd25519Keys();
    const verifier = new NodeSignatureVerifier({ keys: [oldKey.verifyKey] });
    const signedByNew = sign(null, Buffer.from('p'), newKey.privateKey).toString('base64');
    expect(verifier.verify('p', signedByNew).valid).toBe(false);
    expect(() => verifier.setKeys([newKey.verifyKey, 'garbage'])).toThrow(VerifyKeyError);
    expect(verifier.verify('p', signedByNew).valid).toBe(false);
    verifier.setKeys([newKey.verifyKey]);
    expect(verifier.verify('p', signedByNew).valid).toBe(true);
  });

  it.each([
    ['RSA', () => spki(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)],
    ['EC P-384', () => spki(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey)],
    ['EC secp256k1', () => spki(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey)],
    ['Ed448', () => spki(generateKeyPairSync('ed448').publicKey)],
    ['X25519 (not a signing key)', () => spki(generateKeyPairSync('x25519').publicKey)],
  ])('rejects an %s key with VerifyKeyError at construction', (_label, makeKey) => {
    const key = makeKey();
    const err = constructionError([SPEC_ED25519_KEY, key]);
    expect(err).toBeInstanceOf(VerifyKeyError);
    expect(err.message).toContain('2');
    expect(err.message).not.toContain(key.slice(20, 50));
  });

  it.each([
    ['non-base64 text', 'not a key!'],
    ['base64 that is not an SPKI', Buffer.from('hello world').toString('base64')],
    ['a truncated SPKI', SPEC_ED25519_KEY.slice(0, 40)],
    ['an unterminated PEM block', '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA'],
    ['a private key PEM', generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trim()],
  ])('rejects %s with VerifyKeyError', (_label, key) => {
    expect(constructionError([key])).toBeInstanceOf(VerifyKeyError);
  });
});

describe('parseVerifyKeys', () => {
  const ed = SPEC_ED25519_KEY;
  const ec = SPEC_P256_KEY;

  it.each([
    ['one key', ed, [ed]],
    ['one key with a trailing newline', `${ed}\n`, [ed]],
    ['comma separated', `${ed},${ec}`, [ed, ec]],
    ['comma and space separated', `${ed}, ${ec}`, [ed, ec]],
    ['newline separated (CRLF)', `${ed}\r\n${ec}\r\n`, [ed, ec]],
    ['empty items dropped', `,${ed},,\n\n${ec},`, [ed, ec]],
    ['empty value', '', []],
    ['whitespace only', ' \n ', []],
  ])('%s', (_label, value, expected) => {
    expect(parseVerifyKeys(value)).toEqual(expected);
  });

  it('keeps PEM blocks whole among base64 keys', () => {
    const pem = pemOf(ec);
    const keys = parseVerifyKeys(`${ed}\n${pem}\n,${ed.replace('A', 'B')}`);
    expect(keys).toEqual([ed, pem, ed.replace('A', 'B')]);
  });

  it('splits two concatenated PEM blocks', () => {
    const pems = [pemOf(ed), pemOf(ec)];
    const keys = parseVerifyKeys(pems.join('\n'));
    expect(keys).toEqual(pems);
    expect(new NodeSignatureVerifier({ keys }).keyIds).toHaveLength(2);
  });
});
