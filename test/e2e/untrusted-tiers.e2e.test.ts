/**
 * Issue 15, reproduced against the built agent with a real redis-server and a real disk
 * cache: an untrusted tier can neither stretch freshness (finding 1) nor bring a revoked
 * artifact back (finding 2), and the anti-rollback high-water mark survives a restart.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFileArtifactCache } from '../../src/adapters/cache/file-cache';
import { createRedisArtifactCache } from '../../src/adapters/cache/redis-cache';
import { sha256Hex } from '../../src/adapters/sources/digest';
import type { CachedArtifact } from '../../src/domain/ports/artifact-cache';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { newEd25519Keys, packAge } from '../support/pack';
import { startRedis, type RedisTestServer } from '../support/redis';
import { AGE_KEY_FILE, VECTORS_DIR, vectorText, vectorVerifyKey } from '../support/vectors';
import { startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();
const FUTURE = 9_999_999_999_999;
type Health = { ready: boolean; reason: string | null; revision: string | null; servedFrom: string | null; lastRefreshAt: number | null; lastError: { code: string } | null };

let redis: RedisTestServer;
let server: ArtifactServer;
let root: string;
let namespaceSeq = 0;

beforeAll(async () => {
  redis = await startRedis();
  root = mkdtempSync(path.join(tmpdir(), 'clef-untrusted-'));
});
beforeEach(async () => {
  server = await ArtifactServer.start();
});
afterEach(async () => {
  await stopAllAgents();
  await server.close();
});
afterAll(async () => {
  await redis.stop();
  rmSync(root, { recursive: true, force: true });
});

/** The agent's cache key for the loopback source (http-source.ts). */
const cacheKey = () => {
  const url = new URL(server.url);
  return `http:${sha256Hex(url.origin + url.pathname)}`;
};
/** A fresh Redis key space per test: CLEF_AGENT_CACHE_URL has no namespace setting, so use a database. */
const redisUrl = () => `${redis.url}/${++namespaceSeq}`;
const health = async (a: AgentProcess) => (await a.get('/v1/health')).json<Health>();
const fetchFailures = (a: AgentProcess) => a.logLines().filter((l) => l.event === 'fetch.failed').length;
const servedFromTiers = (a: AgentProcess) => a.logLines().filter((l) => l.event === 'artifact.refreshed' && l.origin !== 'source');

async function plantInRedis(url: string, entry: CachedArtifact): Promise<void> {
  const cache = createRedisArtifactCache(url);
  await cache.set(cacheKey(), entry);
  await cache.close();
}

async function plantOnDisk(dir: string, entry: CachedArtifact): Promise<void> {
  const cache = createFileArtifactCache(dir);
  await cache.set(cacheKey(), entry);
  await cache.close();
}

const signedVector = (confirmedAt: number): CachedArtifact => ({ document: vectorText('b-ed25519-signed'), revision: '1795621410506-becd2a0a', confirmedAt });

describe('finding 1: freshness is only earned from the source', () => {
  it('a fleet entry with confirmedAt 9999999999999 does not stop the agent from reading the source: the signed marker revokes', async () => {
    const url = redisUrl();
    await plantInRedis(url, signedVector(FUTURE));
    server.publish(vectorText('h2-revoked-signed'));
    const agent = await startAgent({
      env: { CLEF_AGENT_SOURCE: server.url, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_VERIFY_KEY: vectorVerifyKey(), CLEF_AGENT_CACHE_URL: url, CLEF_AGENT_POLL_INTERVAL: '0.5', CLEF_AGENT_CACHE_TTL: '60' },
    });
    await agent.waitFor('/v1/ready', (r) => r.status === 503 && r.json<{ reason: string }>().reason === 'revoked');
    expect((await agent.authGet('/v1/secrets')).status).toBe(503);
    const h = await health(agent);
    expect(h.lastRefreshAt === null || h.lastRefreshAt <= Date.now()).toBe(true);
    expect(servedFromTiers(agent)).toEqual([]);
  });

  it('the same write to Redis while the agent is running does not keep it from seeing the marker', async () => {
    const url = redisUrl();
    server.publish(vectorText('b-ed25519-signed'));
    const agent = await startAgent({
      env: { CLEF_AGENT_SOURCE: server.url, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_VERIFY_KEY: vectorVerifyKey(), CLEF_AGENT_CACHE_URL: url, CLEF_AGENT_POLL_INTERVAL: '0.5', CLEF_AGENT_CACHE_TTL: '60' },
    });
    await agent.waitReady();
    await plantInRedis(url, signedVector(FUTURE));
    server.publish(vectorText('h2-revoked-signed'));
    await agent.waitFor('/v1/ready', (r) => r.status === 503 && r.json<{ reason: string }>().reason === 'revoked');
    const h = await health(agent);
    expect(h.lastRefreshAt === null || h.lastRefreshAt <= Date.now()).toBe(true);
  });

  it('a planted disk entry claiming a future confirmedAt is never served, and the marker revokes once the source is back', async () => {
    const dir = path.join(root, `disk-${++namespaceSeq}`);
    await plantOnDisk(dir, signedVector(FUTURE));
    server.http.fault = { kind: 'status', status: 503 };
    const agent = await startAgent({
      env: { CLEF_AGENT_SOURCE: server.url, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_VERIFY_KEY: vectorVerifyKey(), CLEF_AGENT_CACHE_PATH: dir, CLEF_AGENT_POLL_INTERVAL: '0.5', CLEF_AGENT_CACHE_TTL: '60' },
    });
    await agent.waitFor('/v1/health', () => fetchFailures(agent) >= 2);
    const h = await health(agent);
    expect(h).toMatchObject({ ready: false, lastRefreshAt: null, servedFrom: null });
    expect((await agent.authGet('/v1/secrets')).status).toBe(503);
    server.http.fault = null;
    server.publish(vectorText('h2-revoked-signed'));
    await agent.waitFor('/v1/ready', (r) => r.status === 503 && r.json<{ reason: string }>().reason === 'revoked');
  });
});

describe('finding 2: revocation is sticky', () => {
  it('after a revocation an outage serves nothing from Redis or the disk, also after a restart', async () => {
    const env = {
      CLEF_AGENT_SOURCE: server.url,
      CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE,
      CLEF_AGENT_VERIFY_KEY: vectorVerifyKey(),
      CLEF_AGENT_CACHE_URL: redisUrl(),
      CLEF_AGENT_CACHE_PATH: path.join(root, `disk-${++namespaceSeq}`),
      CLEF_AGENT_POLL_INTERVAL: '0.3',
      CLEF_AGENT_CACHE_TTL: '60',
    };
    server.publish(vectorText('b-ed25519-signed'));
    let agent = await startAgent({ env });
    await agent.waitReady();
    server.publish(vectorText('h2-revoked-signed'));
    await agent.waitFor('/v1/ready', (r) => r.status === 503 && r.json<{ reason: string }>().reason === 'revoked');
    // Outage: the source is gone.
    server.routes.set(server.path, { kind: 'missing' });
    const before = fetchFailures(agent);
    await agent.waitFor('/v1/health', () => fetchFailures(agent) >= before + 4);
    expect((await health(agent)).reason).toBe('revoked');
    expect((await agent.authGet('/v1/secrets')).status).toBe(503);
    expect(servedFromTiers(agent)).toEqual([]);
    // Restarted during the outage: still revoked.
    await agent.stop();
    agent = await startAgent({ env });
    await agent.waitFor('/v1/health', () => fetchFailures(agent) >= 3);
    expect(await health(agent)).toMatchObject({ ready: false, reason: 'revoked' });
    expect((await agent.authGet('/v1/secrets')).status).toBe(503);
    expect(servedFromTiers(agent)).toEqual([]);
  });
});

describe('anti-rollback survives a restart (CLEF_AGENT_ANTI_ROLLBACK)', () => {
  it('an older signed artifact published after a restart is refused, from the source and from Redis', async () => {
    const keys = newEd25519Keys();
    // Packer revisions are pack times: a stored mark claiming a far future time is ignored as implausible.
    const NEW = `${Date.now() - 1_000}-0000000b`;
    const OLD = `${Date.now() - 60_000}-0000000a`;
    const newer = await packAge({ app: { KEY: 'newer-value' } }, RECIPIENT, { revision: NEW, signWith: keys.privateKey });
    const older = await packAge({ app: { KEY: 'older-value' } }, RECIPIENT, { revision: OLD, signWith: keys.privateKey });
    const url = redisUrl();
    const disk = path.join(root, `disk-${++namespaceSeq}`);
    const base = { CLEF_AGENT_SOURCE: server.url, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_VERIFY_KEY: keys.verifyKey, CLEF_AGENT_ANTI_ROLLBACK: 'true', CLEF_AGENT_POLL_INTERVAL: '0.3', CLEF_AGENT_CACHE_TTL: '60' };
    server.publish(newer);
    let agent = await startAgent({ env: { ...base, CLEF_AGENT_CACHE_PATH: disk, CLEF_AGENT_CACHE_URL: url } });
    await agent.waitReady();
    // The first refresh ran to its end (cache and trust records written) once the next poll ran.
    await agent.waitForLog((l) => l.event === 'artifact.unchanged');
    await agent.stop();

    // From the source, with only the disk cache remembering, then with only Redis remembering.
    server.publish(older);
    for (const tier of [{ CLEF_AGENT_CACHE_PATH: disk }, { CLEF_AGENT_CACHE_URL: url }]) {
      agent = await startAgent({ env: { ...base, ...tier } });
      await agent.waitForLog((l) => l.event === 'artifact.invalid' && l.reason === 'rollback' && l.origin === 'source');
      // Never the older revision (the Redis-only agent may serve the newer one from the fleet entry).
      expect((await health(agent)).revision).not.toBe(OLD);
      const read = await agent.authGet('/v1/secrets');
      expect(read.status === 503 || read.json<{ app: { KEY: string } }>().app.KEY === 'newer-value').toBe(true);
      await agent.stop();
    }

    // From Redis: the older artifact planted as a fresh fleet entry while the source is down.
    server.http.fault = { kind: 'status', status: 503 };
    await plantInRedis(url, { document: older, revision: OLD, confirmedAt: Date.now() });
    // A longer interval keeps the planted entry fresh, so the agent takes it instead of the source.
    agent = await startAgent({ env: { ...base, CLEF_AGENT_CACHE_PATH: disk, CLEF_AGENT_CACHE_URL: url, CLEF_AGENT_POLL_INTERVAL: '10' } });
    await agent.waitForLog((l) => l.event === 'artifact.invalid' && l.reason === 'rollback' && l.origin === 'fleet');
    await agent.waitReady(); // from its own disk copy of the newer revision
    expect(await health(agent)).toMatchObject({ revision: NEW, servedFrom: 'cache' });
    expect((await agent.authGet('/v1/secrets')).json()).toEqual({ app: { KEY: 'newer-value' } });
  });
});
