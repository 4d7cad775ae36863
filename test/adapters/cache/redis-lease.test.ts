import { setTimeout as delay } from 'node:timers/promises';
import { RedisLease } from '../../../src/adapters/cache/redis-lease';
import { startRedis, type RedisTestServer } from '../../support/redis';

const bounds = { connectTimeoutMs: 300, commandTimeoutMs: 300 };

let redis: RedisTestServer;
let a: RedisLease;
let b: RedisLease;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
beforeEach(() => {
  // Two clients, as two agents would have.
  a = new RedisLease(redis.url, bounds);
  b = new RedisLease(redis.url, bounds);
});
afterEach(async () => {
  await a.close();
  await b.close();
  await redis.start();
});

let n = 0;
const leaseName = () => `refresh-${(n += 1)}`;

it('lets exactly one of two clients acquire a lease', async () => {
  const name = leaseName();
  const first = await a.tryAcquire(name, 60_000);
  const second = await b.tryAcquire(name, 60_000);
  expect(first.acquired).toBe(true);
  expect(second.acquired).toBe(false);
  expect(first.token).not.toEqual(second.token);
});

it('ignores a release by a non-owner', async () => {
  const name = leaseName();
  const owner = await a.tryAcquire(name, 60_000);
  const other = await b.tryAcquire(name, 60_000);
  await expect(b.release(name, other.token)).resolves.toBe(false);
  expect((await b.tryAcquire(name, 60_000)).acquired).toBe(false);
  await expect(a.release(name, owner.token)).resolves.toBe(true);
  expect((await b.tryAcquire(name, 60_000)).acquired).toBe(true);
});

it('lets another client acquire once the lease expires', async () => {
  const name = leaseName();
  const first = await a.tryAcquire(name, 100);
  expect(first.acquired).toBe(true);
  let second = await b.tryAcquire(name, 60_000);
  while (!second.acquired) {
    await delay(20); // poll interval until Redis expires the key
    second = await b.tryAcquire(name, 60_000);
  }
  // The expired holder's late release must not drop the new owner's lease.
  await expect(a.release(name, first.token)).resolves.toBe(false);
  expect((await a.tryAcquire(name, 60_000)).acquired).toBe(false);
});

it('rejects with cache_unavailable when Redis is down', async () => {
  await redis.stop();
  await expect(a.tryAcquire(leaseName(), 1000)).rejects.toMatchObject({ code: 'cache_unavailable' });
  await expect(a.release('x', 'token')).rejects.toMatchObject({ code: 'cache_unavailable' });
}, 10_000);

it('validates its arguments', async () => {
  await expect(a.tryAcquire('x', 0)).rejects.toBeInstanceOf(RangeError);
  await expect(a.tryAcquire('x', 1.5)).rejects.toBeInstanceOf(RangeError);
  await expect(a.tryAcquire('', 1000)).rejects.toBeInstanceOf(RangeError);
});
