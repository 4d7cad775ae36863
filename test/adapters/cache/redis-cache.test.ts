import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { createClient } from '@keyv/redis';
import { createRedisArtifactCache, redisKeyFor } from '../../../src/adapters/cache/redis-cache';
import type { CacheWarningCode } from '../../../src/adapters/cache/keyv-artifact-cache';
import { sampleEntry } from '../../contracts/artifact-cache.contract';
import { startRedis, type RedisTestServer } from '../../support/redis';

// Small bounds so "Redis is down" resolves quickly; the per-test jest timeout
// (last argument) is the hang detector, not a timing assertion.
const bounds = { connectTimeoutMs: 300, commandTimeoutMs: 300 };
const HANG = 10_000;

let redis: RedisTestServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  await redis.start(); // tests that stop Redis leave it running for the next
});

let run = 0;
function newCache() {
  run += 1;
  const seen: CacheWarningCode[] = [];
  const cache = createRedisArtifactCache(redis.url, { ...bounds, namespace: `unit-${run}`, onWarning: (code) => void seen.push(code) });
  return { cache, seen, namespace: `unit-${run}` };
}

async function eventually(attempt: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      return await attempt();
    } catch {
      await delay(50); // poll interval while the client reconnects
    }
  }
}

it('reports shared, persistent capabilities', async () => {
  const { cache } = newCache();
  expect(cache.capabilities).toEqual({ persistent: true, shared: true });
  await cache.close();
});

it('rejects a non-Redis URL without echoing it', () => {
  expect(() => createRedisArtifactCache('http://user:pw@host')).toThrow(expect.objectContaining({ code: 'cache_unavailable' }));
  try {
    createRedisArtifactCache('http://user:pw@host');
  } catch (error) {
    expect(String((error as Error).message)).not.toContain('pw');
  }
});

it('stores under a hashed key in its namespace', async () => {
  const { cache, namespace } = newCache();
  await cache.set('https://host/secret-path', sampleEntry());
  const raw = createClient({ url: redis.url });
  await raw.connect();
  const keys = await raw.keys(`${namespace}*`);
  await raw.close();
  expect(keys).toEqual([redisKeyFor('https://host/secret-path', namespace)]);
  expect(keys[0]).not.toContain('secret-path');
  await cache.close();
});

it('when Redis is down from the start: get is a miss with a warning, set/delete reject with a code', async () => {
  await redis.stop();
  const { cache, seen } = newCache();
  await expect(cache.get('k')).resolves.toBeUndefined();
  expect(seen).toEqual(['cache_unavailable']);
  await expect(cache.set('k', sampleEntry())).rejects.toMatchObject({ code: 'cache_unavailable' });
  await expect(cache.delete('k')).rejects.toMatchObject({ code: 'cache_unavailable' });
  await cache.close();
}, HANG);

it('when Redis goes away: fails fast, then recovers once it is back', async () => {
  const { cache, seen } = newCache();
  const entry = sampleEntry();
  await cache.set('k', entry);
  await redis.stop();
  await expect(cache.get('k')).resolves.toBeUndefined();
  expect(seen).toEqual(['cache_unavailable']);
  await expect(cache.set('k', entry)).rejects.toMatchObject({ code: 'cache_unavailable' });
  await redis.start(); // a fresh, empty server on the same port
  await eventually(() => cache.set('k', entry));
  await expect(cache.get('k')).resolves.toEqual(entry);
  await cache.close();
}, HANG);

describe('against a server that accepts connections but never answers', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('bounds get (miss + warning), set and delete (reject), and close', async () => {
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    const seen: CacheWarningCode[] = [];
    const cache = createRedisArtifactCache(`redis://127.0.0.1:${address.port}`, { ...bounds, onWarning: (c) => void seen.push(c) });
    await expect(cache.get('k')).resolves.toBeUndefined();
    expect(seen).toEqual(['cache_unavailable']);
    await expect(cache.set('k', sampleEntry())).rejects.toMatchObject({ code: 'cache_unavailable' });
    await expect(cache.delete('k')).rejects.toMatchObject({ code: 'cache_unavailable' });
    await cache.close();
  }, HANG);
});
