/**
 * ETag / If-None-Match and the long-poll on /v1/secrets, through the Koa adapter over the
 * real SecretsService (in-memory source, age decryptor): rotation and revocation are
 * real commits and wipes, not fakes.
 */
import { createHash } from 'node:crypto';
import { request, type ClientRequest } from 'node:http';
import { createHttpApp } from '../../../src/adapters/http/app';
import { StaticTokenAuthenticator } from '../../../src/adapters/http/authenticator';
import { etagFor } from '../../../src/adapters/http/change-notification';
import { ScopedTokenAuthenticator } from '../../../src/adapters/http/scoped-token-authenticator';
import { startHttpServer, type RunningServer } from '../../../src/adapters/http/server';
import { revocationMarker } from '../../support/pack';
import { coreHarness, TREE } from '../../support/core-harness';
import { AUTH, TOKEN, send, type Reply } from './support';

const SCOPED_TOKEN = 'scoped-token-abcdef0123456789';
const SCOPED_AUTH = `Bearer ${SCOPED_TOKEN}`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

type Harness = Awaited<ReturnType<typeof coreHarness>>;
let h: Harness;
let server: RunningServer;

async function setup(limits: { socketTimeoutMs?: number } = {}): Promise<void> {
  h = await coreHarness();
  h.source.publish(await h.pack(TREE, { revision: 'rev-1' }));
  await h.refresher.refresh();
  const authenticator = new ScopedTokenAuthenticator([{ name: 'shared-only', sha256: sha256(SCOPED_TOKEN), namespaces: ['shared'] }], new StaticTokenAuthenticator(TOKEN));
  const app = createHttpApp({ query: h.service, authenticator, port: 0 });
  app.silent = true;
  server = await startHttpServer(app, { host: '127.0.0.1', port: 0, limits });
}

const get = (path: string, headers: Record<string, string> = {}, auth = AUTH): Promise<Reply> =>
  send(server.port, { path, headers: { authorization: auth, ...headers } });

async function rotate(revision: string, tree = { api: { DB_URL: `db-of-${revision}` } }): Promise<void> {
  h.source.publish(await h.pack(tree, { revision }));
  expect((await h.refresher.refresh()).status).toBe('refreshed');
}

/** Polls a condition on the event loop (no fixed sleep); fails after `ms`. */
async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setImmediate(r));
  }
}

afterEach(async () => {
  h.scheduler.stop();
  await server.close(100);
});

describe('ETag and If-None-Match', () => {
  beforeEach(() => setup());

  it('names the revision only when it is header-safe, as each snapshot is served', async () => {
    for (const [revision, named] of [
      ['rev 2', false],
      ['rev-3', true],
      ['r\u00e9v-4', false],
      ['rev-5', true],
    ] as const) {
      await rotate(revision);
      const res = await get('/v1/secrets');
      expect(res.status).toBe(200);
      expect(res.headers.etag).toMatch(/^"r-[0-9a-f]{32}"$/);
      expect({ revision, header: res.headers['clef-revision'] }).toEqual({ revision, header: named ? revision : undefined });
    }
  });

  it('tags /v1/secrets, /v1/keys and single secrets with a revision-derived ETag, and names the revision', async () => {
    const paths = ['/v1/secrets', '/v1/keys', '/v1/secrets/api/DB_URL', '/v1/secrets/api__DB_URL'];
    const tags = new Set<string>();
    for (const path of paths) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers['clef-revision']).toBe('rev-1');
      const tag = String(res.headers.etag);
      expect(tag).toMatch(/^"r-[0-9a-f]{32}"$/);
      expect(tag).toBe(etagFor('rev-1', { name: 'default', namespaces: 'all' }, path));
      // Never derived from the body.
      expect(tag).not.toContain(sha256(res.body).slice(0, 32));
      expect((await get(path)).headers.etag).toBe(tag); // stable
      tags.add(tag);
    }
    expect(tags.size).toBe(paths.length); // one tag per resource
  });

  it('answers a matching If-None-Match with 304, no body, still no-store', async () => {
    const tag = String((await get('/v1/secrets')).headers.etag);
    for (const inm of [tag, `W/${tag}`, `"other", ${tag}`, '*']) {
      const res = await get('/v1/secrets', { 'if-none-match': inm });
      expect({ inm, status: res.status }).toEqual({ inm, status: 304 });
      expect(res.body).toBe('');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.etag).toBe(tag);
    }
    const other = await get('/v1/secrets', { 'if-none-match': '"r-00000000000000000000000000000000"' });
    expect(other.status).toBe(200);
    expect(JSON.parse(other.body)).toEqual(TREE);
  });

  it('gives a scoped principal its own tag, and a new revision a new tag', async () => {
    const all = await get('/v1/secrets');
    const scoped = await get('/v1/secrets', {}, SCOPED_AUTH);
    expect(JSON.parse(scoped.body)).toEqual({ shared: TREE.shared });
    expect(scoped.headers.etag).not.toBe(all.headers.etag);

    await rotate('rev-2');
    const after = await get('/v1/secrets', { 'if-none-match': String(all.headers.etag) });
    expect(after.status).toBe(200);
    expect(after.headers['clef-revision']).toBe('rev-2');
    expect(after.headers.etag).not.toBe(all.headers.etag);
  });

  it('puts no ETag on a 404 or an unauthenticated request', async () => {
    expect((await get('/v1/secrets/api/NOPE')).headers.etag).toBeUndefined();
    expect((await send(server.port, { path: '/v1/secrets' })).headers.etag).toBeUndefined();
  });
});

describe('long-poll GET /v1/secrets?wait=&since=', () => {
  beforeEach(() => setup());

  it.each(['wait=abc', 'wait=301', 'wait=-1', 'wait=1.5', 'wait=', 'wait=1&wait=2', 'since=rev-1', 'wait=5&since=a&since=b'])(
    '%s → 400 bad_request before waiting',
    async (query) => {
      const res = await get(`/v1/secrets?${query}`);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'bad_request' });
      expect(h.service.waiterCount).toBe(0);
    },
  );

  it('returns at once when the served revision differs from since (or wait=0)', async () => {
    for (const q of ['wait=300&since=rev-0', 'wait=0&since=rev-1', 'wait=300&since=']) {
      const res = await get(`/v1/secrets?${q}`);
      expect(res.status).toBe(200);
      expect(res.headers['clef-revision']).toBe('rev-1');
    }
  });

  it('is woken by a rotation and answers with the new revision', async () => {
    const pending = get('/v1/secrets?wait=300&since=rev-1');
    await until(() => h.service.waiterCount === 1);
    await rotate('rev-2');
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.headers['clef-revision']).toBe('rev-2');
    expect(JSON.parse(res.body)).toEqual({ api: { DB_URL: 'db-of-rev-2' } });
    expect(h.service.waiterCount).toBe(0);
  });

  it('without since, waits for the next change after the request arrived', async () => {
    const pending = get('/v1/secrets?wait=300');
    await until(() => h.service.waiterCount === 1);
    await rotate('rev-2');
    expect((await pending).headers['clef-revision']).toBe('rev-2');
  });

  it('is woken by a revocation, which it reports as 503 revoked', async () => {
    const pending = get('/v1/secrets?wait=300&since=rev-1');
    await until(() => h.service.waiterCount === 1);
    h.source.publish(revocationMarker());
    await h.refresher.refresh();
    const res = await pending;
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'revoked' });
  });

  it('answers the unchanged revision when the wait elapses (304 if the client holds it)', async () => {
    const tag = String((await get('/v1/secrets')).headers.etag);
    const res = await get('/v1/secrets?wait=1&since=rev-1', { 'if-none-match': tag });
    expect(res.status).toBe(304);
    expect(res.headers['clef-revision']).toBe('rev-1');
    expect(h.service.waiterCount).toBe(0);
  });

  it('leaves no waiter, timer or listener behind after many cancelled waits', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const baseline = timers();
    const requests: ClientRequest[] = [];
    for (let i = 0; i < 100; i++) {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/v1/secrets?wait=300&since=rev-1', headers: { host: `127.0.0.1:${server.port}`, authorization: AUTH }, agent: false });
      req.on('error', () => undefined); // destroyed on purpose
      req.end();
      requests.push(req);
    }
    await until(() => h.service.waiterCount === 100);
    // Each waiter holds its own timer (the baseline may include a transient one that has fired since).
    expect(timers()).toBeGreaterThanOrEqual(100);
    requests.forEach((r) => r.destroy());
    await until(() => h.service.waiterCount === 0);
    await until(() => timers() <= baseline);
    expect(h.state.changeListeners.size).toBe(0);
    // Still serving normally afterwards.
    expect((await get('/v1/secrets')).status).toBe(200);
  });
});

describe('long-poll and the server socket timeout', () => {
  beforeEach(() => setup({ socketTimeoutMs: 100 }));

  it('is not cut by a socket timeout shorter than the wait', async () => {
    const res = await get('/v1/secrets?wait=1&since=rev-1');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual(TREE);
  });
});
