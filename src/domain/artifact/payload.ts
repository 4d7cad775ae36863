import { AgentError } from '../errors';

/** Namespace → key → value, all in null-prototype objects so `__proto__` and
 * `constructor` are ordinary names (DIFFERENCES.md W11). */
export type SecretsTree = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Namespace that a legacy flat payload (`{"KEY":"value"}`, ARTIFACT.md §4) is served under. */
export const LEGACY_NAMESPACE = 'default';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(): AgentError {
  return new AgentError('payload_parse', 'decrypted payload is not an object of namespaces of string values');
}

/** Decodes and validates the decrypted plaintext (ARTIFACT.md §4 [hardening]). */
export function parsePayload(plaintext: Uint8Array): SecretsTree {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    throw bad();
  }
  if (!isPlainObject(value)) throw bad();
  const entries = Object.entries(value);
  const tree: Record<string, Record<string, string>> = Object.create(null);
  if (entries.length > 0 && entries.every(([, v]) => typeof v === 'string')) {
    const ns: Record<string, string> = Object.create(null);
    for (const [k, v] of entries) ns[k] = v as string;
    tree[LEGACY_NAMESPACE] = ns;
    return tree;
  }
  for (const [name, members] of entries) {
    if (!isPlainObject(members)) throw bad();
    const ns: Record<string, string> = Object.create(null);
    for (const [k, v] of Object.entries(members)) {
      if (typeof v !== 'string') throw bad();
      ns[k] = v;
    }
    tree[name] = ns;
  }
  return tree;
}
