/**
 * The Redis lease reached through three Sentinels (redis+sentinel://): same contract as a
 * plain URL, with a blackholed "Sentinel" (accepts, never answers) listed first: the
 * Sentinels are asked at once, so a dead one costs nothing.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createClient } from '@keyv/redis';
import { RedisLease } from '../../src/adapters/cache/redis-lease';
import { startSentinelGroup, type SentinelGroup } from '../support/redis-servers';
import { fleetLeaseContract } from './fleet-lease.contract';

let group: SentinelGroup;
let blackhole: Server;
let url: string;
const held: Socket[] = [];
beforeAll(async () => {
  group = await startSentinelGroup();
  blackhole = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  const port = (blackhole.address() as { port: number }).port;
  url = group.url.replace('redis+sentinel://', `redis+sentinel://127.0.0.1:${port},`);
}, 60_000);
afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => blackhole?.close(resolve));
  await group?.stop();
});

let run = 0;
fleetLeaseContract('redis-sentinel', async () => {
  run += 1;
  const namespace = `sentinel-lease-contract-${run}`;
  const a = new RedisLease(url, { namespace });
  const b = new RedisLease(url, { namespace });
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
