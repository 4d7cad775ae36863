import type { SecretsTree } from './artifact/payload';

/** Joins a namespace and key into the flat `<namespace>__<key>` form. */
export function flatName(namespace: string, key: string): string {
  return `${namespace}__${key}`;
}

/**
 * One decrypted revision, immutable once built. Response bodies are serialised once
 * here, at swap time, so the request path only writes prepared strings.
 */
export class SecretsSnapshot {
  readonly keyCount: number;
  private tree: SecretsTree;
  private flat: Map<string, string>;
  private names: string[];
  private secretsBody: string;
  private keysBody: string;

  constructor(
    readonly revision: string,
    tree: SecretsTree,
  ) {
    this.tree = tree;
    this.flat = new Map();
    this.names = [];
    for (const ns of Object.keys(tree)) {
      for (const key of Object.keys(tree[ns])) {
        const name = flatName(ns, key);
        this.names.push(name);
        // Flat names can collide (`a__b`+`c` vs `a`+`b__c`); the first namespace wins,
        // as in the reference client's lookup. /v1/secrets/:ns/:key is unambiguous.
        if (!this.flat.has(name)) this.flat.set(name, tree[ns][key]);
      }
    }
    this.keyCount = this.names.length;
    this.secretsBody = JSON.stringify(tree);
    this.keysBody = JSON.stringify(this.names);
  }

  /** `GET /v1/secrets` body. */
  get secretsJson(): string {
    return this.secretsBody;
  }

  /** `GET /v1/keys` body. */
  get keysJson(): string {
    return this.keysBody;
  }

  get keys(): readonly string[] {
    return this.names;
  }

  get namespaces(): readonly string[] {
    return Object.keys(this.tree);
  }

  get(namespace: string, key: string): string | undefined {
    const ns = Object.prototype.hasOwnProperty.call(this.tree, namespace) ? this.tree[namespace] : undefined;
    return ns && Object.prototype.hasOwnProperty.call(ns, key) ? ns[key] : undefined;
  }

  getFlat(name: string): string | undefined {
    return this.flat.get(name);
  }

  /** The tree restricted to `allowed` namespaces (scoped tokens). */
  subset(allowed: ReadonlySet<string>): SecretsTree {
    const out: Record<string, Readonly<Record<string, string>>> = Object.create(null);
    for (const ns of Object.keys(this.tree)) if (allowed.has(ns)) out[ns] = this.tree[ns];
    return out;
  }

  /** Drops every reference to plaintext (best effort in a garbage-collected runtime). */
  wipe(): void {
    this.tree = Object.create(null);
    this.flat.clear();
    this.names = [];
    this.secretsBody = '{}';
    this.keysBody = '[]';
  }
}
