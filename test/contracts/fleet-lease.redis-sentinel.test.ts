/** The Redis lease reached through three Sentinels (redis+sentinel://): same contract as a plain URL. */
import { createClient } from '@keyv/redis';
import { RedisLease } from '../../src/adapters/cache/redis-lease';
import { startSentinelGroup, type SentinelGroup } from '../support/redis-servers';
import { fleetLeaseContract } from './fleet-lease.contract';

let group: SentinelGroup;
beforeAll(async () => {
  group = await startSentinelGroup();
}, 60_000);
afterAll(async () => {
  await group?.stop();
});

let run = 0;
fleetLeaseContract('redis-sentinel', async () => {
  run += 1;
  const namespace = `sentinel-lease-contract-${run}`;
  const a = new RedisLease(group.url, { namespace });
  const b = new RedisLease(group.url, { namespace });
  const raw = createClient({ url: `redis://127.0.0.1:${await group.primaryPort()}` });
  await raw.connect();
  return {
    a,
    b,
    expire: async () => {
      while ((await raw.keys(`${namespace}*`)).length > 0) await new Promise((r) => setTimeout(r, 20));
    },
    close: async () => {
      await Promise.all([a.close(), b.close(), raw.close()]);
    },
  };
});
