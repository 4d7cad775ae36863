/**
 * Mutations of a valid packed artifact, as plain data so fast-check can print and shrink
 * them (a 5 MiB member is described by its length, not carried in the report).
 * `render` applies them to the vector text: object-level edits first, then edits of the
 * JSON text that no object can express (duplicate keys, BOM, garbage, deep nesting).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { anyString, jsonValue } from './arbitraries';

type Doc = Record<string, unknown>;

export type Op =
  | { op: 'drop'; field: string }
  | { op: 'set'; field: string; value: unknown }
  | { op: 'flip'; field: string; at: number; xor: number }
  /** Flip a byte of the decoded age file; `rehash` keeps ciphertextHash consistent. */
  | { op: 'cipherByte'; at: number; xor: number; rehash: boolean }
  | { op: 'huge'; field: string; chars: number; unit: string }
  /** An own `__proto__` / `constructor` / `prototype` member at top level or in the envelope. */
  | { op: 'special'; inEnvelope: boolean; key: string; value: unknown }
  /** Move members into an own `__proto__` object, where only an inheriting read would find them. */
  | { op: 'hoist'; fields: string[] }
  | { op: 'reorder'; weights: number[] };

export type TextOp =
  | { op: 'deep'; member: string; depth: number; shape: 'array' | 'object' }
  | { op: 'duplicate'; field: string; value: unknown; last: boolean }
  | { op: 'crlf' }
  | { op: 'bom' }
  | { op: 'whitespace'; ws: string }
  | { op: 'trailing'; junk: string }
  | { op: 'truncate'; at: number }
  | { op: 'flipText'; at: number; xor: number };

export interface Mutation {
  ops: Op[];
  text: TextOp[];
  /** Compact JSON instead of the packer's pretty printing. */
  compact: boolean;
}

const TOP = ['version', 'identity', 'environment', 'packedAt', 'revision', 'ciphertextHash', 'ciphertext', 'signature', 'signatureAlgorithm', 'expiresAt', 'revokedAt', 'envelope', 'keys', 'x-unknown'];
const ENVELOPE = ['provider', 'keyId', 'wrappedKey', 'algorithm', 'iv', 'authTag'].map((k) => `envelope.${k}`);
/** Members the clef-sig-v3 payload covers (ARTIFACT.md §7.1), besides `version`. */
export const SIGNED = ['identity', 'environment', 'revision', 'packedAt', 'ciphertextHash', 'expiresAt', 'envelope'] as const;

/** A well-formed (but not openable) KMS envelope, so envelope members can be mutated. */
const DEFAULT_ENVELOPE = {
  provider: 'aws',
  keyId: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000',
  wrappedKey: Buffer.alloc(32, 7).toString('base64'),
  algorithm: 'SYMMETRIC_DEFAULT',
  iv: Buffer.alloc(12, 1).toString('base64'),
  authTag: Buffer.alloc(16, 2).toString('base64'),
};

const isObj = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasOwn = (o: Doc, k: string) => Object.prototype.hasOwnProperty.call(o, k);
/** Own data property even for `__proto__` (plain assignment would set the prototype). */
const put = (o: Doc, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

/** The object holding `field` and the member name in it; envelope paths create an envelope. */
function slot(doc: Doc, field: string): [Doc, string] {
  if (!field.startsWith('envelope.')) return [doc, field];
  if (!isObj(doc.envelope)) put(doc, 'envelope', { ...DEFAULT_ENVELOPE });
  return [doc.envelope as Doc, field.slice('envelope.'.length)];
}

function flipChar(s: string, at: number, xor: number): string {
  if (s.length === 0) return s;
  const i = at % s.length;
  const c = s.charCodeAt(i);
  const d = (c ^ xor) === c ? c ^ 1 : c ^ xor;
  return s.slice(0, i) + String.fromCharCode(d) + s.slice(i + 1);
}

function applyOp(doc: Doc, o: Op): Doc {
  switch (o.op) {
    case 'drop': {
      const [obj, k] = slot(doc, o.field);
      delete obj[k];
      return doc;
    }
    case 'set': {
      const [obj, k] = slot(doc, o.field);
      put(obj, k, o.value);
      return doc;
    }
    case 'flip': {
      const [obj, k] = slot(doc, o.field);
      if (typeof obj[k] === 'string') put(obj, k, flipChar(obj[k] as string, o.at, o.xor));
      return doc;
    }
    case 'cipherByte': {
      if (typeof doc.ciphertext !== 'string') return doc;
      const bytes = Buffer.from(doc.ciphertext, 'base64');
      if (bytes.length === 0) return doc;
      bytes[o.at % bytes.length] ^= o.xor;
      const ciphertext = bytes.toString('base64');
      doc.ciphertext = ciphertext;
      if (o.rehash) doc.ciphertextHash = createHash('sha256').update(ciphertext).digest('hex');
      return doc;
    }
    case 'huge': {
      const [obj, k] = slot(doc, o.field);
      put(obj, k, o.unit.repeat(Math.ceil(o.chars / o.unit.length)).slice(0, o.chars));
      return doc;
    }
    case 'special': {
      const [obj] = o.inEnvelope ? slot(doc, 'envelope.provider') : [doc];
      put(obj, o.key, o.value);
      return doc;
    }
    case 'hoist': {
      const inner: Doc = {};
      for (const f of o.fields) {
        if (!hasOwn(doc, f)) continue;
        put(inner, f, doc[f]);
        delete doc[f];
      }
      put(doc, '__proto__', inner);
      return doc;
    }
    case 'reorder': {
      const keys = Object.keys(doc);
      const weight = (k: string) => o.weights[keys.indexOf(k) % o.weights.length];
      const out: Doc = {};
      for (const k of [...keys].sort((x, y) => weight(x) - weight(y))) put(out, k, doc[k]);
      return out;
    }
  }
}

/** Structural text edits need the opening brace, so they run before the cosmetic ones. */
const PHASE: Record<TextOp['op'], number> = { deep: 0, duplicate: 0, crlf: 1, whitespace: 2, bom: 3, trailing: 3, truncate: 4, flipText: 4 };

function nested(depth: number, shape: 'array' | 'object'): string {
  return shape === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '0' + '}'.repeat(depth);
}

function applyText(text: string, t: TextOp): string {
  const open = text.indexOf('{') + 1;
  switch (t.op) {
    case 'deep':
      return `${text.slice(0, open)}${JSON.stringify(t.member)}:${nested(t.depth, t.shape)},${text.slice(open)}`;
    case 'duplicate': {
      const member = `${JSON.stringify(t.field)}:${JSON.stringify(t.value)}`;
      if (!t.last) return `${text.slice(0, open)}${member},${text.slice(open)}`;
      const close = text.lastIndexOf('}');
      return `${text.slice(0, close)},${member}${text.slice(close)}`;
    }
    case 'crlf':
      return text.replace(/\n/g, '\r\n');
    case 'bom':
      return `\ufeff${text}`;
    case 'whitespace':
      return `${t.ws}${text}${t.ws}`;
    case 'trailing':
      return text + t.junk;
    case 'truncate':
      return text.slice(0, t.at % (text.length + 1));
    case 'flipText':
      return flipChar(text, t.at, t.xor);
  }
}

export function render(vectorText: string, m: Mutation): string {
  let doc = JSON.parse(vectorText) as Doc;
  for (const o of m.ops) doc = applyOp(doc, o);
  let text = m.compact ? JSON.stringify(doc) : JSON.stringify(doc, null, 2);
  for (const t of [...m.text].sort((a, b) => PHASE[a.op] - PHASE[b.op])) text = applyText(text, t);
  return text;
}

// ---- generators -------------------------------------------------------------------

const field = fc.constantFrom(...TOP, ...ENVELOPE);
const retyped = fc.constantFrom<unknown>(0, 1, -1, 1.5, 1e308, null, true, false, {}, [], [1], ['x'], { a: 'b' }, '1', 'null');
/** Packer-style revisions around both vectors' (…410485 / …410506), and legacy ones. */
const revision = fc.oneof(
  fc.tuple(fc.integer({ min: 1795621410000, max: 1795621411000 }), fc.stringMatching(/^[0-9a-f]{8}$/)).map(([ms, hex]) => `${ms}-${hex}`),
  fc.constantFrom('legacy-rev', '1-00000000', '999999999999999-ffffffff', '1795621410485-484CAD8B'),
);
/** Around the fake clock's 2026-05-01T12:00:00.000Z: past, the instant itself, future, junk. */
const expiresAt = fc.constantFrom(
  '2026-04-30T00:00:00.000Z',
  '2026-05-01T11:59:59.999Z',
  '2026-05-01T12:00:00.000Z',
  '2026-05-01T14:00:00.000+02:00',
  '2030-01-01T00:00:00.000Z',
  '',
  'tomorrow',
  '2026-13-01T00:00:00Z',
  '2026-05-01',
);
const revokedAt = fc.constantFrom<unknown>('', '2026-05-01T12:30:00.000Z', 'yes', ' ', 0, 1, -1, true, false, null, {}, [], [0], { at: 'now' }, '0', 'false');

const specific: Record<string, fc.Arbitrary<unknown>> = {
  version: fc.constantFrom<unknown>(1, 2, 0, '1', 1.0000001, null),
  identity: fc.constantFrom('vector-svc', 'other-svc', 'Vector-svc', 'vector-svc\n', 'vector-svc '),
  environment: fc.constantFrom('production', 'staging', 'production\n', ''),
  revision,
  packedAt: fc.constantFrom('2026-11-25T15:43:30.485Z', '2020-01-01T00:00:00.000Z', 'not a date'),
  expiresAt,
  revokedAt,
  signatureAlgorithm: fc.constantFrom<unknown>('Ed25519', 'ECDSA_SHA256', 'RSA', 'ed25519', '', null),
  signature: fc.oneof(fc.base64String({ minLength: 4, maxLength: 96 }), fc.constantFrom('', '====', 'not base64!')),
  ciphertextHash: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.constantFrom('', '0'.repeat(64))),
  envelope: fc.constantFrom<unknown>({ ...DEFAULT_ENVELOPE }, {}, { provider: 'aws' }),
  keys: fc.array(fc.string(), { maxLength: 3 }),
};

const setOp = field.chain((f) =>
  fc
    .oneof(
      { weight: 4, arbitrary: specific[f] ?? jsonValue },
      { weight: 2, arbitrary: retyped },
      { weight: 1, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: anyString },
      { weight: 1, arbitrary: jsonValue },
    )
    .map((value): Op => ({ op: 'set', field: f, value })),
);

const xor = fc.oneof(fc.integer({ min: 1, max: 0x7f }), fc.integer({ min: 1, max: 0xffff }));
const MiB = 1024 * 1024;

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: field.map((f): Op => ({ op: 'drop', field: f })) },
  { weight: 8, arbitrary: setOp },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('flip' as const), field, at: fc.nat(), xor }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('cipherByte' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }), rehash: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('huge' as const),
      field: fc.constantFrom('ciphertext', 'identity', 'signature', 'revokedAt', 'x-unknown', 'revision', 'envelope.wrappedKey'),
      chars: fc.integer({ min: MiB, max: 5 * MiB }),
      unit: fc.constantFrom('A', 'QUJD', 'é', '\n', '"\\', '\u{1F511}'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('special' as const), inEnvelope: fc.boolean(), key: fc.constantFrom('__proto__', 'constructor', 'prototype'), value: fc.oneof(jsonValue, fc.constant({ version: 1, identity: 'x', revokedAt: 'now' })) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('hoist' as const), fields: fc.subarray(TOP, { minLength: 1, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('reorder' as const), weights: fc.array(fc.nat(), { minLength: 1, maxLength: 16 }) }) },
);

const textOp: fc.Arbitrary<TextOp> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deep' as const), member: fc.constantFrom('x-unknown', 'revokedAt', 'envelope', 'identity', '__proto__'), depth: fc.integer({ min: 1, max: 10_000 }), shape: fc.constantFrom('array' as const, 'object' as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('duplicate' as const), field: fc.constantFrom(...TOP), value: fc.oneof(jsonValue, revokedAt, revision), last: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ op: 'crlf' as const }) },
  { weight: 2, arbitrary: fc.constant({ op: 'bom' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('whitespace' as const), ws: fc.constantFrom(' ', '\t', '\n', '\r\n', '\u00a0', '\u2028', '\ufeff') }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('trailing' as const), junk: fc.oneof(anyString, fc.constantFrom('}', ',', '{}', '\u0000', ' // x')) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('flipText' as const), at: fc.nat(), xor }) },
);

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  ops: fc.array(op, { maxLength: 3 }),
  text: fc.array(textOp, { maxLength: 2 }),
  compact: fc.boolean(),
});
