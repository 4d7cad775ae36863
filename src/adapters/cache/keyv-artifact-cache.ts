import { createHash } from 'node:crypto';
import { Keyv, type KeyvStoreAdapter } from 'keyv';
import type { ArtifactCache, ArtifactCacheCapabilities, CachedArtifact, TrustRecord } from '../../domain/ports/artifact-cache';
import { AgentError, isAgentError } from '../../domain/errors';
import { toCachedArtifact, toTrustRecord } from './cached-artifact-codec';

export type CacheWarningCode = 'cache_corrupt' | 'cache_unavailable';
/** Told about entries or storage the cache had to ignore; messages carry no values. */
export type CacheWarningListener = (code: CacheWarningCode, message: string) => void;

export interface KeyvArtifactCacheOptions {
  capabilities: ArtifactCacheCapabilities;
  onWarning?: CacheWarningListener;
  /** Upper bound for any one operation, a backstop for stores that can stall. */
  operationTimeoutMs?: number;
  /** Keyv namespace when a store (not a Keyv) is given. */
  namespace?: string;
}

/** The storage key for a cache key: a sha256 hex digest, so whatever the domain
 * uses as a key never appears in file names or Redis key spaces. */
export function storageKeyFor(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The storage key of the trust record kept next to the entry for `key` (cache keys hold no NUL). */
export function trustStorageKeyFor(key: string): string {
  return storageKeyFor(`${key}\u0000trust`);
}

/** Raised by our deserialiser so corrupt entries can be told apart from I/O failures. */
class CorruptEntryError extends Error {}

/** Plain JSON envelope, stricter than keyv's default: anything that is not
 * `{"value": …}` is corrupt, rather than silently read as "missing". */
export function strictDeserialize(text: string): { value?: unknown; expires?: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CorruptEntryError('entry is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || !Object.hasOwn(parsed, 'value')) {
    throw new CorruptEntryError('entry is not a keyv envelope');
  }
  return parsed as { value?: unknown; expires?: number };
}

function classify(error: unknown): CacheWarningCode {
  if (error instanceof CorruptEntryError || error instanceof SyntaxError) return 'cache_corrupt';
  if (isAgentError(error) && error.code === 'cache_corrupt') return 'cache_corrupt';
  return 'cache_unavailable';
}

/**
 * The one ArtifactCache over keyv; file and Redis differ only in the store.
 * Errors must surface (keyv swallows them unless `throwOnErrors`), and are turned
 * into a warning on `get` (a cache miss is always a safe answer) or a coded
 * rejection on `set`/`delete` (the caller decides whether that matters).
 */
export class KeyvArtifactCache implements ArtifactCache {
  readonly capabilities: ArtifactCacheCapabilities;
  private readonly keyv: Keyv;
  private readonly onWarning?: CacheWarningListener;
  private readonly timeoutMs?: number;
  private closed = false;

  /** Pass a Keyv (its `throwOnErrors` is switched on) or a bare keyv store. */
  constructor(source: Keyv | KeyvStoreAdapter, options: KeyvArtifactCacheOptions) {
    this.capabilities = { ...options.capabilities };
    this.onWarning = options.onWarning;
    this.timeoutMs = options.operationTimeoutMs;
    if (source instanceof Keyv) {
      this.keyv = source;
      this.keyv.throwOnErrors = true;
    } else {
      this.keyv = new Keyv(source, {
        namespace: options.namespace ?? 'clef-agent',
        // Keys are already hashed; the store keeps caches apart (directory, Redis namespace).
        useKeyPrefix: false,
        throwOnErrors: true,
        serialize: (data) => JSON.stringify(data),
        deserialize: strictDeserialize as never,
      });
    }
    // Errors are handled per operation; this stops keyv treating them as unobserved.
    this.keyv.on('error', () => undefined);
  }

  get(key: string): Promise<CachedArtifact | undefined> {
    return this.read(storageKeyFor(key), toCachedArtifact, 'cache entry');
  }

  async set(key: string, entry: CachedArtifact): Promise<void> {
    const copy = toCachedArtifact(entry);
    if (copy === undefined) throw new AgentError('cache_corrupt', 'refusing to cache an entry of invalid shape');
    await this.run('write', () => this.keyv.set(storageKeyFor(key), copy));
  }

  async delete(key: string): Promise<void> {
    await this.run('delete', () => this.keyv.delete(storageKeyFor(key)));
  }

  getTrust(key: string): Promise<TrustRecord | undefined> {
    return this.read(trustStorageKeyFor(key), toTrustRecord, 'trust record');
  }

  async setTrust(key: string, record: TrustRecord): Promise<void> {
    const copy = toTrustRecord(record);
    if (copy === undefined) throw new AgentError('cache_corrupt', 'refusing to store a trust record of invalid shape');
    await this.run('write', () => this.keyv.set(trustStorageKeyFor(key), copy));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.keyv.disconnect();
  }

  /** A read never throws: unreachable storage or an unreadable or misshapen value is a miss, with a warning. */
  private async read<T>(storageKey: string, decode: (raw: unknown) => T | undefined, what: string): Promise<T | undefined> {
    let raw: unknown;
    try {
      raw = await this.bounded(() => this.keyv.get(storageKey));
    } catch (error) {
      const code = classify(error);
      this.warn(code, code === 'cache_corrupt' ? `ignoring an unreadable ${what}` : 'cache storage unavailable; treating as a miss');
      return undefined;
    }
    if (raw === undefined || raw === null) return undefined;
    const value = decode(raw);
    if (value === undefined) this.warn('cache_corrupt', `ignoring a ${what} of unexpected shape`);
    return value;
  }

  private async run(what: string, op: () => Promise<unknown>): Promise<void> {
    try {
      await this.bounded(op);
    } catch (error) {
      if (isAgentError(error)) throw error;
      throw new AgentError('cache_unavailable', `cache ${what} failed`, { cause: error });
    }
  }

  private bounded<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new AgentError('cache_unavailable', 'cache is closed'));
    if (this.timeoutMs === undefined) return op();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AgentError('cache_unavailable', 'cache operation timed out')), this.timeoutMs);
    });
    return Promise.race([op(), timeout]).finally(() => clearTimeout(timer));
  }

  private warn(code: CacheWarningCode, message: string): void {
    try {
      this.onWarning?.(code, message);
    } catch {
      // A faulty listener must not turn a cache miss into a crash.
    }
  }
}
