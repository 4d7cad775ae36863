/** Input generators shared by the parsing properties. */
import fc from 'fast-check';

/** Any UTF-16 code unit, lone surrogates included (what a lenient decoder can hand over). */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Strings as a source could deliver them: ASCII, any code point, graphemes, raw code units. */
export const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: codeUnit }),
);

/** JSON values whose strings are full unicode, not just ASCII. */
export const jsonValue = fc.oneof(fc.jsonValue(), fc.jsonValue({ stringUnit: 'binary' }));

/** Arbitrary JavaScript values as they come out of JSON.stringify (undefined → "undefined"). */
export const anythingText = fc
  .anything({ withBoxedValues: true, withNullPrototype: true, withObjectString: true, withDate: true, withMap: true, withSet: true })
  .map((v) => {
    try {
      return JSON.stringify(v) ?? String(v);
    } catch {
      return String(v);
    }
  });

/** Random bytes — often invalid UTF-8 — decoded leniently (U+FFFD for bad sequences). */
export const lenientBytesText = fc.uint8Array({ maxLength: 512 }).map((b) => new TextDecoder('utf-8').decode(b));

/** Valid JSON text with a few bytes corrupted before a lenient decode. */
export const corruptedJsonText = fc
  .tuple(jsonValue, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }))
  .map(([v, flips]) => {
    const bytes = new TextEncoder().encode(JSON.stringify(v));
    for (const [at, xor] of flips) if (bytes.length > 0) bytes[at % bytes.length] ^= xor;
    return new TextDecoder('utf-8').decode(bytes);
  });

/** A member value that is usually right and sometimes anything else. */
const mostly = <T>(good: fc.Arbitrary<T>, goodWeight = 20) =>
  fc.oneof({ weight: goodWeight, arbitrary: good }, { weight: 1, arbitrary: fc.constant('') }, { weight: 2, arbitrary: jsonValue });

const isoInstant = fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(Date.UTC(2200, 0, 1)) }).map((d) => d.toISOString());
const expiresAt = fc.oneof(isoInstant, anyString, fc.constantFrom('2026-05-01T12:00:00Z', '2026-05-01T12:00:00+02:00', '2026-05-01', 'tomorrow', '2026-02-30T00:00:00Z'));
const base64ish = fc.base64String({ maxLength: 120 });

const envelope = fc.record(
  {
    provider: mostly(fc.constantFrom('aws', 'gcp', 'azure'), 80),
    keyId: mostly(anyString, 80),
    wrappedKey: mostly(base64ish, 80),
    algorithm: mostly(fc.constant('SYMMETRIC_DEFAULT'), 80),
    iv: mostly(base64ish, 80),
    authTag: mostly(base64ish, 80),
  },
);

/**
 * Objects shaped like a packed artifact, with each member independently present, absent,
 * empty or of another type — so cases get past the JSON step and reach every shape check.
 */
export const artifactLike: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    version: fc.oneof({ weight: 12, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: jsonValue }),
    identity: mostly(anyString),
    environment: mostly(anyString),
    packedAt: mostly(isoInstant),
    revision: mostly(fc.stringMatching(/^\d{13}-[0-9a-f]{8}$/)),
    ciphertextHash: mostly(fc.stringMatching(/^[0-9a-f]{64}$/)),
    ciphertext: mostly(base64ish),
    envelope: fc.oneof({ weight: 8, arbitrary: envelope }, { weight: 1, arbitrary: jsonValue }),
    expiresAt: mostly(expiresAt),
    revokedAt: fc.oneof({ weight: 12, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constant('2026-05-01T12:30:00.000Z') }, { weight: 1, arbitrary: jsonValue }),
    signature: mostly(base64ish),
    signatureAlgorithm: mostly(fc.constantFrom('Ed25519', 'ECDSA_SHA256', 'RSA', 'ed25519')),
    keys: fc.array(fc.string()),
    // Inherited-looking names must be ordinary members (own-property reads only). The
    // computed key makes `__proto__` a real member rather than this literal's prototype.
    ['__proto__']: jsonValue,
    constructor: jsonValue,
  },
  // Required members are always generated (and sometimes dropped below); optional ones
  // come and go.
  { requiredKeys: ['version', 'identity', 'environment', 'packedAt', 'revision', 'ciphertextHash', 'ciphertext'] },
).chain((doc: Record<string, unknown>) =>
  // Sometimes drop a member or two, so "missing" is covered for required members too.
  fc.oneof({ weight: 3, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.subarray(Object.keys(doc), { maxLength: 2 }) }).map((drop) => {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(doc)) if (!drop.includes(k)) Object.defineProperty(out, k, { value: doc[k], enumerable: true, writable: true, configurable: true });
    return out;
  }),
);
