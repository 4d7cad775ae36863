/**
 * The Redis artifact cache reached through three Sentinels (redis+sentinel://): same
 * contract as a plain URL. Here the data nodes and the Sentinels have different passwords:
 * the URL's userinfo goes to the primary, `sentinelPassword` to the Sentinels.
 */
import { createClient } from '@keyv/redis';
import { createRedisArtifactCache, redisKeyFor } from '../../src/adapters/cache/redis-cache';
import type { ArtifactCache } from '../../src/domain/ports/artifact-cache';
import { startSentinelGroup, type SentinelGroup } from '../support/redis-servers';
import { artifactCacheContract } from './artifact-cache.contract';

const DATA_PASSWORD = 'data-node-password';
const SENTINEL_PASSWORD = 'sentinel-password';
let group: SentinelGroup;
let url: string;
beforeAll(async () => {
  group = await startSentinelGroup('clefmaster', { data: DATA_PASSWORD, sentinel: SENTINEL_PASSWORD });
  url = group.url.replace('redis+sentinel://', `redis+sentinel://:${DATA_PASSWORD}@`) + `?sentinelPassword=${SENTINEL_PASSWORD}`;
}, 60_000);
afterAll(async () => {
  await group?.stop();
});

let run = 0;
artifactCacheContract('redis-sentinel', async () => {
  run += 1;
  const namespace = `sentinel-contract-${run}`;
  const cache = createRedisArtifactCache(url, { namespace });
  return {
    cache,
    corrupt: async (key) => {
      const raw = createClient({ url: `redis://:${DATA_PASSWORD}@127.0.0.1:${await group.primaryPort()}` });
      await raw.connect();
      try {
        await raw.set(redisKeyFor(key, namespace), 'garbage{');
      } finally {
        await raw.close();
      }
    },
    reopen: async (): Promise<ArtifactCache> => createRedisArtifactCache(url, { namespace }),
    close: () => cache.close(),
  };
});

it('a wrong Sentinel password or a wrong data-node password is cache_auth, for the lease and in its status', async () => {
  const { RedisLease } = await import('../../src/adapters/cache/redis-lease');
  for (const bad of [url.replace(`sentinelPassword=${SENTINEL_PASSWORD}`, 'sentinelPassword=nope'), url.replace(`:${DATA_PASSWORD}@`, ':nope@')]) {
    const lease = new RedisLease(bad);
    try {
      await expect(lease.tryAcquire('x', 1000)).rejects.toMatchObject({ code: 'cache_auth' });
      expect(lease.status()).toMatchObject({ connected: false, lastError: { code: 'cache_auth' } });
    } finally {
      await lease.close();
    }
  }
});
