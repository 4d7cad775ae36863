import { createClient } from '@keyv/redis';
import { createRedisArtifactCache, redisKeyFor } from '../../src/adapters/cache/redis-cache';
import type { ArtifactCache } from '../../src/domain/ports/artifact-cache';
import { startRedis, type RedisTestServer } from '../support/redis';
import { artifactCacheContract } from './artifact-cache.contract';

let redis: RedisTestServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

let run = 0;
artifactCacheContract('redis', async () => {
  // A namespace per test keeps cases apart on the shared per-file server.
  run += 1;
  const namespace = `contract-${run}`;
  const cache = createRedisArtifactCache(redis.url, { namespace });
  return {
    cache,
    corrupt: async (key) => {
      const raw = createClient({ url: redis.url });
      await raw.connect();
      try {
        await raw.set(redisKeyFor(key, namespace), 'garbage{');
      } finally {
        await raw.close();
      }
    },
    reopen: async (): Promise<ArtifactCache> => createRedisArtifactCache(redis.url, { namespace }),
    close: () => cache.close(),
  };
});
