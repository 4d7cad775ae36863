import { AgentError } from '../../domain/errors';
import KeyvRedis, { createClient, Keyv } from '@keyv/redis';
import { KeyvArtifactCache, storageKeyFor, strictDeserialize, type CacheWarningListener } from './keyv-artifact-cache';
import { RedisConnection, type RedisClient, type RedisConnectionOptions } from './redis-connection';
import { RedisEndpoint } from './redis-endpoint';

export interface RedisArtifactCacheOptions extends RedisConnectionOptions {
  /** Key prefix, so several fleets or environments can share one Redis (default `clef-agent:cache`). */
  namespace?: string;
  onWarning?: CacheWarningListener;
}

const defaultNamespace = 'clef-agent:cache';
const separator = '::';

/** The Redis key holding the entry for a cache key (for operators and tests). */
export function redisKeyFor(key: string, namespace = defaultNamespace): string {
  return `${namespace}${separator}${storageKeyFor(key)}`;
}

/**
 * @keyv/redis connects on its own, without a deadline and without guarding
 * concurrent first uses; here every operation goes through our bounded connection
 * instead (the client given to the constructor is a placeholder that never connects),
 * every outcome is reported to it, and disconnecting closes that connection.
 */
class BoundedKeyvRedis extends KeyvRedis<string> {
  constructor(private readonly connection: RedisConnection, namespace: string) {
    super(createClient() as never, { namespace, keyPrefixSeparator: separator, throwOnErrors: true, throwOnConnectError: true });
  }

  override async getClient(): Promise<RedisClient> {
    return this.connection.ready();
  }

  override async get<U = string>(key: string): Promise<U | undefined> {
    return this.observed(() => super.get<U>(key));
  }

  override async set(key: string, value: string, ttl?: number): Promise<void> {
    return this.observed(() => super.set(key, value, ttl));
  }

  override async delete(key: string): Promise<boolean> {
    return this.observed(() => super.delete(key));
  }

  private async observed<R>(op: () => Promise<R>): Promise<R> {
    try {
      const result = await op();
      this.connection.observe(undefined);
      return result;
    } catch (error) {
      if (!(error instanceof AgentError)) this.connection.observe(error); // AgentErrors come from ready(), already reported
      throw error;
    }
  }

  override async disconnect(): Promise<void> {
    await this.connection.close();
  }
}

/**
 * The fleet tier: entries shared by every agent pointing at the same Redis and
 * namespace. `get` degrades to a miss (with a `cache_unavailable` warning) when
 * Redis is down; `set`/`delete` reject with `cache_unavailable`. All waits are
 * bounded by the connect/command timeouts.
 */
export function createRedisArtifactCache(endpoint: RedisEndpoint | string, options: RedisArtifactCacheOptions = {}): KeyvArtifactCache {
  const namespace = options.namespace ?? defaultNamespace;
  const connection = new RedisConnection(typeof endpoint === 'string' ? new RedisEndpoint({ url: endpoint }) : endpoint, options);
  const store = new BoundedKeyvRedis(connection, namespace);
  const keyv = new Keyv(store, {
    namespace, // keyv hands this to the store, which prefixes keys with it
    useKeyPrefix: false,
    throwOnErrors: true,
    serialize: (data) => JSON.stringify(data),
    deserialize: strictDeserialize as never,
  });
  const connectMs = options.connectTimeoutMs ?? 2000;
  const commandMs = options.commandTimeoutMs ?? 2000;
  return new KeyvArtifactCache(keyv, {
    capabilities: { persistent: true, shared: true },
    onWarning: options.onWarning,
    // Backstop only: the connection bounds each wait itself.
    operationTimeoutMs: connectMs + commandMs + 1000,
  });
}
