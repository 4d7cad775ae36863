import { createClient } from '@keyv/redis';
import { RedisLease } from '../../src/adapters/cache/redis-lease';
import { startRedis, type RedisTestServer } from '../support/redis';
import { fleetLeaseContract } from './fleet-lease.contract';

let redis: RedisTestServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

let run = 0;
fleetLeaseContract('redis', async () => {
  run += 1;
  const namespace = `lease-contract-${run}`;
  const a = new RedisLease(redis.url, { namespace });
  const b = new RedisLease(redis.url, { namespace });
  const raw = createClient({ url: redis.url });
  await raw.connect();
  return {
    a,
    b,
    // Redis expires the key itself: poll until no lease key of this namespace is left.
    expire: async () => {
      while ((await raw.keys(`${namespace}*`)).length > 0) await new Promise((r) => setTimeout(r, 20));
    },
    close: async () => {
      await Promise.all([a.close(), b.close(), raw.close()]);
    },
  };
});
