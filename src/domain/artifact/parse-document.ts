import { AgentError } from '../errors';
import type { Envelope, ParsedDocument, PackedArtifact, SignatureAlgorithm } from './types';

/**
 * Parses and shape-checks a fetched document in the order of ARTIFACT.md §11/§12:
 * size, JSON, revocation marker, shape (first failing check wins), non-empty fields,
 * `expiresAt` syntax. Only own properties are read, so inherited names such as
 * `constructor` never satisfy a check.
 */
export const DEFAULT_MAX_DOCUMENT_CHARS = 10 * 1024 * 1024;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const SIGNATURE_ALGORITHMS: ReadonlySet<string> = new Set(['Ed25519', 'ECDSA_SHA256']);
const REQUIRED_STRINGS = ['identity', 'environment', 'packedAt', 'revision', 'ciphertextHash', 'ciphertext'] as const;
const ENVELOPE_MEMBERS = ['provider', 'keyId', 'wrappedKey', 'algorithm', 'iv', 'authTag'] as const;

type Json = Record<string, unknown>;

function own(o: Json, k: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON truthiness as the reference applies it to `revokedAt`. */
function truthy(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false && v !== 0 && v !== '';
}

/** A bounded, printable description of `revokedAt` for health and logs (the value is
 * attacker-controlled: cap it, and never let a deeply nested value throw). */
function describeRevokedAt(v: unknown): string {
  let text: string;
  try {
    text = typeof v === 'string' ? v : JSON.stringify(v);
  } catch {
    text = Array.isArray(v) ? '[array]' : '[object]';
  }
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

function invalid(code: 'invalid_shape' | 'signature', member: string): AgentError {
  return new AgentError(code, `artifact member "${member}" is missing or has the wrong type`);
}

export function parseExpiry(value: string): number {
  const ms = ISO_INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new AgentError('invalid_expiry', 'artifact expiresAt is not an ISO-8601 instant');
  return ms;
}

export function parseDocument(text: string, maxChars = DEFAULT_MAX_DOCUMENT_CHARS): ParsedDocument {
  if (text.length > maxChars) {
    throw new AgentError('too_large', `document is larger than the ${maxChars}-character limit`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    throw new AgentError('json_parse', 'document is not valid JSON');
  }
  if (isObject(value) && truthy(own(value, 'revokedAt'))) {
    const identity = own(value, 'identity');
    const environment = own(value, 'environment');
    return {
      kind: 'revoked',
      marker: {
        revokedAt: describeRevokedAt(own(value, 'revokedAt')),
        identity: typeof identity === 'string' ? identity : undefined,
        environment: typeof environment === 'string' ? environment : undefined,
      },
    };
  }
  return { kind: 'artifact', artifact: checkShape(value) };
}

function checkShape(value: unknown): PackedArtifact {
  if (!isObject(value)) throw new AgentError('invalid_shape', 'document is not a JSON object');
  if (own(value, 'version') !== 1) throw new AgentError('unsupported_version', 'artifact version must be the number 1');
  for (const k of REQUIRED_STRINGS) if (typeof own(value, k) !== 'string') throw invalid('invalid_shape', k);

  const rawEnvelope = own(value, 'envelope');
  let envelope: Envelope | undefined;
  if (rawEnvelope !== undefined) {
    if (!isObject(rawEnvelope)) throw invalid('invalid_shape', 'envelope');
    for (const k of ENVELOPE_MEMBERS) if (typeof own(rawEnvelope, k) !== 'string') throw invalid('invalid_shape', `envelope.${k}`);
    envelope = Object.fromEntries(ENVELOPE_MEMBERS.map((k) => [k, own(rawEnvelope, k) as string])) as unknown as Envelope;
  }
  for (const k of ['expiresAt', 'revokedAt'] as const) {
    const v = own(value, k);
    if (v !== undefined && typeof v !== 'string') throw invalid('invalid_shape', k);
  }
  const signature = own(value, 'signature');
  if (signature !== undefined && typeof signature !== 'string') throw invalid('signature', 'signature');
  const algorithm = own(value, 'signatureAlgorithm');
  if (algorithm !== undefined && (typeof algorithm !== 'string' || !SIGNATURE_ALGORITHMS.has(algorithm))) {
    throw invalid('signature', 'signatureAlgorithm');
  }

  const s = (k: (typeof REQUIRED_STRINGS)[number]) => own(value, k) as string;
  for (const k of ['ciphertext', 'revision', 'ciphertextHash'] as const) {
    if (s(k) === '') throw new AgentError('missing_fields', `artifact member "${k}" is empty`);
  }
  if (envelope) {
    for (const k of ENVELOPE_MEMBERS) {
      if (envelope[k] === '') throw new AgentError('incomplete_envelope', `envelope member "${k}" is empty`);
    }
  }
  const expiresAt = own(value, 'expiresAt') as string | undefined;
  const hasExpiry = expiresAt !== undefined && expiresAt !== '';
  return {
    version: 1,
    identity: s('identity'),
    environment: s('environment'),
    packedAt: s('packedAt'),
    revision: s('revision'),
    ciphertextHash: s('ciphertextHash'),
    ciphertext: s('ciphertext'),
    envelope,
    expiresAt: hasExpiry ? expiresAt : undefined,
    expiresAtMs: hasExpiry ? parseExpiry(expiresAt) : undefined,
    signature: signature as string | undefined,
    signatureAlgorithm: algorithm as SignatureAlgorithm | undefined,
  };
}
