/**
 * parseDocument is the first code to touch bytes from an untrusted source. Whatever the
 * input, it must return a document or throw an AgentError with a parsing code — any
 * other exception would escape classification (and, in the domain, become `unknown`).
 */
import fc from 'fast-check';
import { parseDocument } from '../../src/domain/artifact/parse-document';
import type { ParsedDocument } from '../../src/domain/artifact/types';
import { anythingText, anyString, artifactLike, corruptedJsonText, jsonValue, lenientBytesText } from './support/arbitraries';
import { params, TIMEOUT_MS } from './support/budget';
import { codeOf, PARSE_CODES } from './support/coded';
import { expectedParse } from './support/parse-oracle';
import { tally, type Tally } from './support/tally';

/** Parses, checks the outcome is well-formed, and records it. */
function classify(text: string, t: Tally, maxChars?: number): ParsedDocument | string {
  let parsed: ParsedDocument;
  try {
    parsed = parseDocument(text, maxChars);
  } catch (e) {
    const code = codeOf(e, PARSE_CODES);
    t.rejectedWith(code);
    return code;
  }
  if (parsed.kind === 'revoked') {
    expect(typeof parsed.marker.revokedAt).toBe('string');
  } else {
    const a = parsed.artifact;
    expect(a.version).toBe(1);
    for (const k of ['identity', 'environment', 'packedAt', 'revision', 'ciphertextHash', 'ciphertext'] as const) expect(typeof a[k]).toBe('string');
    for (const k of ['ciphertext', 'revision', 'ciphertextHash'] as const) expect(a[k]).not.toBe('');
    expect(a.expiresAt === undefined).toBe(a.expiresAtMs === undefined);
    if (a.expiresAtMs !== undefined) expect(Number.isFinite(a.expiresAtMs)).toBe(true);
  }
  t.ok(parsed.kind);
  return parsed;
}

// Deep revokedAt values: see regressions.test.ts.
const DEEP = 10_000;
const deepUnknown = `{"junk":${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)},"version":1}`;

describe('parseDocument on arbitrary input (fuzz)', () => {
  const sources: Array<[string, fc.Arbitrary<string>]> = [
    ['fc.jsonValue', jsonValue.map((v) => JSON.stringify(v))],
    ['fc.anything serialised', anythingText],
    ['unicode strings', anyString],
    ['invalid UTF-8 decoded leniently', lenientBytesText],
    ['corrupted JSON bytes', corruptedJsonText],
  ];
  it.each(sources)('%s → a document or a parsing AgentError', (name, arb) => {
    const t = tally(`parseDocument ← ${name}`);
    fc.assert(
      fc.property(arb, (text) => {
        classify(text, t);
      }),
      params(500, 1, [['\ufeff{}'], ['{"revokedAt":{"__proto__":1}}'], ['{"__proto__":{"version":1}}']]),
    );
  }, TIMEOUT_MS);

  it('artifact-shaped objects follow ARTIFACT.md §11 (first failing check wins)', () => {
    const t = tally('parseDocument ← artifact-shaped objects (vs spec oracle)');
    fc.assert(
      fc.property(artifactLike, fc.boolean(), (doc, bom) => {
        const text = (bom ? '\ufeff' : '') + JSON.stringify(doc);
        const got = classify(text, t);
        const want = expectedParse(JSON.parse(JSON.stringify(doc)));
        if (want.kind === 'error') return expect(got).toBe(want.code);
        if (want.kind === 'artifact-or-invalid_expiry') {
          if (typeof got === 'string') return expect(got).toBe('invalid_expiry');
          return expect(got.kind).toBe('artifact');
        }
        if (typeof got === 'string') throw new Error(`rejected with ${got}, spec expects a ${want.kind} document`);
        expect(got.kind).toBe(want.kind);
        if (got.kind === 'artifact') {
          // Members come through unchanged (own members only, nothing inherited or coerced).
          const a = got.artifact;
          for (const k of ['identity', 'environment', 'packedAt', 'revision', 'ciphertextHash', 'ciphertext', 'signature', 'signatureAlgorithm'] as const) {
            expect(a[k]).toBe(doc[k]);
          }
          expect(a.envelope === undefined).toBe(doc.envelope === undefined);
          if (a.envelope) expect(a.envelope).toEqual(doc.envelope);
          if (a.expiresAtMs !== undefined) expect(a.expiresAtMs).toBe(Date.parse(doc.expiresAt as string));
        } else {
          // How a non-string revokedAt is described is the implementation's choice.
          const m = got.marker;
          if (typeof doc.revokedAt === 'string') expect(m.revokedAt).toBe(doc.revokedAt);
          expect(m.identity).toBe(typeof doc.identity === 'string' ? doc.identity : undefined);
          expect(m.environment).toBe(typeof doc.environment === 'string' ? doc.environment : undefined);
        }
      }),
      params(2000, 1),
    );
  }, TIMEOUT_MS);

  it('enforces the size cap before anything else', () => {
    const t = tally('parseDocument ← size cap');
    fc.assert(
      fc.property(anyString, fc.nat({ max: 64 }), (text, maxChars) => {
        const got = classify(text, t, maxChars);
        expect(got === 'too_large').toBe(text.length > maxChars);
      }),
      params(300, 0.2),
    );
  }, TIMEOUT_MS);

  // Deep nesting is tested directly rather than as fast-check examples: shrinking a
  // failing 20k-character string would take minutes and teach nothing.
  it('10k levels of nesting in an unknown member are a shape error, not a RangeError', () => {
    expect(classify(deepUnknown, tally('parseDocument ← deep unknown member'))).toBe('invalid_shape');
  });
});
