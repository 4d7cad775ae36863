/**
 * parsePayload turns decrypted bytes into the served tree. Authenticated ciphertext can
 * still carry any plaintext (a packer bug, a broker flat payload, a hostile signer), so
 * it must yield a well-formed tree of strings or `payload_parse` — nothing else.
 */
import fc from 'fast-check';
import { LEGACY_NAMESPACE, parsePayload, type SecretsTree } from '../../src/domain/artifact/payload';
import { anyString, jsonValue } from './support/arbitraries';
import { params, TIMEOUT_MS } from './support/budget';
import { codeOf } from './support/coded';
import { tally, type Tally } from './support/tally';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Null-prototype maps all the way down (W11), holding only strings. */
function expectWellFormed(tree: SecretsTree): void {
  expect(Object.getPrototypeOf(tree)).toBeNull();
  for (const ns of Object.keys(tree)) {
    expect(Object.getPrototypeOf(tree[ns])).toBeNull();
    for (const key of Object.keys(tree[ns])) expect(typeof tree[ns][key]).toBe('string');
  }
}

function run(bytes: Uint8Array, t: Tally): SecretsTree | string {
  let tree: SecretsTree;
  try {
    tree = parsePayload(bytes);
  } catch (e) {
    const code = codeOf(e, ['payload_parse']);
    t.rejectedWith(code);
    return code;
  }
  expectWellFormed(tree);
  t.ok('tree');
  return tree;
}

/** Object with own members exactly as given, even `__proto__` (as JSON.parse would build it). */
function own<V>(entries: Array<[string, V]>): Record<string, V> {
  const o: Record<string, V> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

const key = fc.oneof({ weight: 4, arbitrary: anyString }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '') });
const namespace = fc.array(fc.tuple(key, anyString), { maxLength: 6 }).map(own);
const tree = fc.array(fc.tuple(key, namespace), { maxLength: 5 }).map(own);
const flat = fc.array(fc.tuple(key, anyString), { minLength: 1, maxLength: 8 }).map(own);

/** ARTIFACT.md §4 restated: an object of namespaces of strings, or a non-empty flat map of strings. */
function acceptable(v: unknown): boolean {
  const obj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!obj(v)) return false;
  const values = Object.values(v);
  if (values.length > 0 && values.every((x) => typeof x === 'string')) return true;
  return values.every((ns) => obj(ns) && Object.values(ns).every((x) => typeof x === 'string'));
}

describe('parsePayload (fuzz)', () => {
  it('arbitrary bytes → a tree of strings or payload_parse', () => {
    const t = tally('parsePayload ← arbitrary bytes');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        run(bytes, t);
      }),
      params(500, 1, [[utf8('{"a":{"b":"c"}}')], [Uint8Array.of(0xef, 0xbb, 0xbf, 0x7b, 0x7d)], [Uint8Array.of(0x7b, 0x22, 0xff, 0x22, 0x3a, 0x22, 0x22, 0x7d)]]),
    );
  }, TIMEOUT_MS);

  it('arbitrary JSON is accepted exactly when it has the payload shape', () => {
    const t = tally('parsePayload ← arbitrary JSON (vs §4 shape)');
    const shaped = fc.oneof(jsonValue, tree, flat, fc.dictionary(anyString, jsonValue));
    fc.assert(
      fc.property(shaped, (value) => {
        const text = JSON.stringify(value);
        const got = run(utf8(text), t);
        expect(typeof got !== 'string').toBe(acceptable(JSON.parse(text)));
      }),
      params(800, 1),
    );
  }, TIMEOUT_MS);

  it('a nested tree round-trips unchanged, hostile names included', () => {
    const t = tally('parsePayload ← nested trees (round trip)');
    fc.assert(
      fc.property(tree, (value) => {
        const got = run(utf8(JSON.stringify(value)), t);
        const isFlat = Object.keys(value).length > 0 && Object.values(value).every((v) => typeof v === 'string');
        expect(isFlat).toBe(false);
        expect(JSON.stringify(got)).toBe(JSON.stringify(value));
      }),
      params(500, 0.5),
    );
  }, TIMEOUT_MS);

  it('a non-empty flat map of strings is served under the legacy namespace', () => {
    const t = tally('parsePayload ← flat legacy maps');
    fc.assert(
      fc.property(flat, (value) => {
        const got = run(utf8(JSON.stringify(value)), t) as SecretsTree;
        expect(Object.keys(got)).toEqual([LEGACY_NAMESPACE]);
        expect(JSON.stringify(got[LEGACY_NAMESPACE])).toBe(JSON.stringify(value));
      }),
      params(300, 0.5),
    );
  }, TIMEOUT_MS);

  it('10k levels of nesting are rejected as payload_parse, not a RangeError', () => {
    const t = tally('parsePayload ← deep nesting');
    for (const text of [`{"ns":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, `${'{"a":'.repeat(10_000)}"x"${'}'.repeat(10_000)}`]) {
      expect(run(utf8(text), t)).toBe('payload_parse');
    }
  });
});
