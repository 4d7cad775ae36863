/**
 * Issue 10.2 through the real process: revision ETags with If-None-Match → 304, and a
 * long-poll on /v1/secrets woken by a rotation (and by a revocation) on a loopback HTTP
 * source that the agent polls.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { packAge, revocationMarker } from '../support/pack';
import { AGE_KEY_FILE, VECTORS_DIR } from '../support/vectors';
import { httpGet, startAgent, stopAllAgents, type AgentProcess, type HttpReply } from '../support/agent-process';

const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();
const V1 = { app: { DB_PASSWORD: 'long-poll-first-111' } };
const V2 = { app: { DB_PASSWORD: 'long-poll-second-222' } };
const REV1 = '1800000000001-0000000a';
const REV2 = '1800000000002-0000000b';

let server: ArtifactServer;
let agent: AgentProcess;
const auth = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${agent.token}`, ...extra });
const get = (p: string, extra: Record<string, string> = {}) => httpGet(agent.port, p, auth(extra));

beforeEach(async () => {
  server = await ArtifactServer.start();
  server.publish(await packAge(V1, RECIPIENT, { revision: REV1 }));
  agent = await startAgent({ env: { CLEF_AGENT_SOURCE: server.url, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_POLL_INTERVAL: '0.2' } });
  await agent.waitReady();
});
afterEach(async () => {
  await stopAllAgents();
  await server.close();
});

/** Source polls the agent has made so far: progress we can wait on instead of sleeping. */
const polls = () => server.log.length;
async function pollsPass(n: number): Promise<void> {
  const target = polls() + n;
  await agent.waitFor('/v1/health', () => polls() >= target);
}

it('tags /v1/secrets and /v1/keys by revision and answers If-None-Match with 304', async () => {
  const first = await get('/v1/secrets');
  expect(first.status).toBe(200);
  expect(first.headers['clef-revision']).toBe(REV1);
  const tag = String(first.headers.etag);
  expect(tag).toMatch(/^"r-[0-9a-f]{32}"$/);

  const again = await get('/v1/secrets', { 'if-none-match': tag });
  expect(again.status).toBe(304);
  expect(again.body).toBe('');
  expect(again.headers['cache-control']).toBe('no-store');

  const keys = await get('/v1/keys');
  expect(keys.headers.etag).not.toBe(tag);
  expect((await get('/v1/keys', { 'if-none-match': String(keys.headers.etag) })).status).toBe(304);

  // After a rotation the old tag no longer matches.
  server.publish(await packAge(V2, RECIPIENT, { revision: REV2 }));
  const rotated = await agent.waitFor('/v1/secrets', (r) => r.headers['clef-revision'] === REV2, 15_000, true);
  expect(rotated.json()).toEqual(V2);
  const stale = await get('/v1/secrets', { 'if-none-match': tag });
  expect(stale.status).toBe(200);
  expect(stale.headers.etag).not.toBe(tag);
});

it('holds a long-poll across unchanged polls and answers as soon as a rotation is served', async () => {
  let settled = false;
  const pending = get(`/v1/secrets?wait=120&since=${REV1}`).then((r) => {
    settled = true;
    return r;
  });
  // Several unchanged source polls go by: the long-poll is still held.
  await pollsPass(3);
  expect(settled).toBe(false);

  server.publish(await packAge(V2, RECIPIENT, { revision: REV2 }));
  const res: HttpReply = await pending;
  expect(res.status).toBe(200);
  expect(res.headers['clef-revision']).toBe(REV2);
  expect(res.json()).toEqual(V2);
  expect(res.headers.etag).toMatch(/^"r-/);
});

it('returns at once when since is not the served revision, and rejects bad parameters', async () => {
  const now = await get('/v1/secrets?wait=300&since=some-older-revision');
  expect(now.status).toBe(200);
  expect(now.headers['clef-revision']).toBe(REV1);
  for (const q of ['wait=301', 'wait=ten', 'since=x']) {
    const bad = await get(`/v1/secrets?${q}`);
    expect({ q, status: bad.status }).toEqual({ q, status: 400 });
    expect(bad.json()).toMatchObject({ code: 'bad_request' });
  }
});

it('wakes a long-poll on revocation, with a 503', async () => {
  const pending = get(`/v1/secrets?wait=120&since=${REV1}`);
  await pollsPass(1);
  server.publish(revocationMarker());
  const res = await pending;
  expect(res.status).toBe(503);
  expect(res.json()).toMatchObject({ code: 'revoked' });
});

it('answers a held long-poll promptly at shutdown instead of holding the drain', async () => {
  const pending = get(`/v1/secrets?wait=120&since=${REV1}`);
  await pollsPass(1);
  const exited = agent.stop('SIGTERM');
  const res = await pending;
  expect(res.status).toBe(503);
  expect(res.json()).toMatchObject({ code: 'stopped' });
  expect(await exited).toBe(0);
});
