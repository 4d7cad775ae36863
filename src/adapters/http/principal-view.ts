import { flatName, type SecretsSnapshot } from '../../domain/snapshot';
import type { Principal } from './authenticator';

/**
 * The prepared bodies as UTF-8 bytes, encoded once per snapshot instead of on every
 * response (issue 8: a 10,000-key body is ~0.5 MB to measure and encode each time). Keyed
 * weakly by the snapshot, so the bytes go when the snapshot does; checked against the
 * snapshot's current string, so a wiped snapshot (bodies `{}`/`[]`) is never answered with
 * the bytes it held before. Like the strings, the bytes are dropped, not zeroed: a
 * response may still be writing them.
 */
const bodies = new WeakMap<SecretsSnapshot, { secrets?: [string, Buffer]; keys?: [string, Buffer] }>();

function encoded(snapshot: SecretsSnapshot, which: 'secrets' | 'keys', text: string): Buffer {
  let held = bodies.get(snapshot);
  if (held === undefined) bodies.set(snapshot, (held = {}));
  const entry = held[which];
  if (entry !== undefined && entry[0] === text) return entry[1];
  const bytes = Buffer.from(text, 'utf8');
  held[which] = [text, bytes];
  return bytes;
}

/**
 * What one principal may see of a snapshot. An all-namespaces principal gets the
 * prepared bodies as they are (no per-request serialisation on the hot path); a scoped
 * one sees the snapshot as if it held only its namespaces, so a namespace it lacks is
 * indistinguishable from one that does not exist.
 */

export function secretsBody(snapshot: SecretsSnapshot, principal: Principal): string | Buffer {
  if (principal.namespaces === 'all') return encoded(snapshot, 'secrets', snapshot.secretsJson);
  return JSON.stringify(snapshot.subset(principal.namespaces));
}

export function keysBody(snapshot: SecretsSnapshot, principal: Principal): string | Buffer {
  if (principal.namespaces === 'all') return encoded(snapshot, 'keys', snapshot.keysJson);
  const tree = snapshot.subset(principal.namespaces);
  const names: string[] = [];
  for (const ns of Object.keys(tree)) for (const key of Object.keys(tree[ns])) names.push(flatName(ns, key));
  return JSON.stringify(names);
}

export function lookup(snapshot: SecretsSnapshot, principal: Principal, ns: string, key: string): string | undefined {
  if (principal.namespaces !== 'all' && !principal.namespaces.has(ns)) return undefined;
  return snapshot.get(ns, key);
}

/**
 * `<namespace>__<key>` lookup. Flat names can be ambiguous; as in
 * `SecretsSnapshot.getFlat`, the first namespace (snapshot order) holding the name wins,
 * considering only the namespaces the principal may read.
 */
export function lookupFlat(snapshot: SecretsSnapshot, principal: Principal, name: string): string | undefined {
  const allowed = principal.namespaces;
  if (allowed === 'all') return snapshot.getFlat(name);
  for (const ns of snapshot.namespaces) {
    if (!allowed.has(ns) || !name.startsWith(ns) || !name.startsWith('__', ns.length)) continue;
    const value = snapshot.get(ns, name.slice(ns.length + 2));
    if (value !== undefined) return value;
  }
  return undefined;
}
