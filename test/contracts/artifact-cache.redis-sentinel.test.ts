/** The Redis artifact cache reached through three Sentinels (redis+sentinel://): same contract as a plain URL. */
import { createClient } from '@keyv/redis';
import { createRedisArtifactCache, redisKeyFor } from '../../src/adapters/cache/redis-cache';
import type { ArtifactCache } from '../../src/domain/ports/artifact-cache';
import { startSentinelGroup, type SentinelGroup } from '../support/redis-servers';
import { artifactCacheContract } from './artifact-cache.contract';

let group: SentinelGroup;
beforeAll(async () => {
  group = await startSentinelGroup();
}, 60_000);
afterAll(async () => {
  await group?.stop();
});

let run = 0;
artifactCacheContract('redis-sentinel', async () => {
  run += 1;
  const namespace = `sentinel-contract-${run}`;
  const cache = createRedisArtifactCache(group.url, { namespace });
  return {
    cache,
    corrupt: async (key) => {
      const raw = createClient({ url: `redis://127.0.0.1:${await group.primaryPort()}` });
      await raw.connect();
      try {
        await raw.set(redisKeyFor(key, namespace), 'garbage{');
      } finally {
        await raw.close();
      }
    },
    reopen: async (): Promise<ArtifactCache> => createRedisArtifactCache(group.url, { namespace }),
    close: () => cache.close(),
  };
});
