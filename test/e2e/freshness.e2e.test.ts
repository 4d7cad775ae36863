/**
 * Outage survival and freshness through the real process: a loopback artifact server
 * that rotates, fails and revokes, and an encrypted-at-rest (ciphertext-only) disk cache.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { packAge, revocationMarker } from '../support/pack';
import { AGE_KEY_FILE, VECTORS_DIR } from '../support/vectors';
import { startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();
const V1 = { app: { DB_PASSWORD: 'first-revision-password-111' } };
const V2 = { app: { DB_PASSWORD: 'second-revision-password-222' } };
const V3 = { app: { DB_PASSWORD: 'third-revision-password-333' } };
const VALUES = ['first-revision-password-111', 'second-revision-password-222', 'third-revision-password-333'];

type Health = { revision: string | null; ready: boolean; servedFrom: string | null; lastError: { code: string } | null; reason: string | null };

let server: ArtifactServer;
let cacheDir: string;
let agent: AgentProcess;
const env = () => ({
  CLEF_AGENT_SOURCE: server.url,
  CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE,
  CLEF_AGENT_CACHE_PATH: cacheDir,
  CLEF_AGENT_CACHE_TTL: '60',
  CLEF_AGENT_POLL_INTERVAL: '0.2',
});
const health = async () => (await agent.get('/v1/health')).json<Health>();
const waitHealth = (p: (h: Health) => boolean) => agent.waitFor('/v1/health', (r) => p(r.json<Health>()));

function cacheFilesText(): string {
  return readdirSync(cacheDir).map((f) => readFileSync(path.join(cacheDir, f), 'utf8')).join('\n');
}

beforeAll(async () => {
  server = await ArtifactServer.start();
  cacheDir = path.join(mkdtempSync(path.join(tmpdir(), 'clef-fresh-')), 'cache');
  server.publish(await packAge(V1, RECIPIENT, { revision: '1800000000001-00000001' }));
  agent = await startAgent({ env: env() });
  await agent.waitReady();
});
afterAll(async () => {
  await stopAllAgents();
  await server.close();
  rmSync(path.dirname(cacheDir), { recursive: true, force: true });
});

it('polls with conditional requests answered 304 while unchanged', async () => {
  const before = server.log.length;
  await agent.waitFor('/v1/health', () => server.log.slice(before).filter((e) => e.status === 304).length >= 2);
  const conditional = server.log.slice(before).filter((e) => e.headers['if-none-match'] !== undefined);
  expect(conditional.length).toBeGreaterThanOrEqual(2);
  expect((await health()).lastError).toBeNull();
});

it('keeps serving through a source outage and says so in health', async () => {
  server.http.fault = { kind: 'status', status: 503 };
  await waitHealth((h) => h.lastError?.code === 'source_unavailable');
  const r = await agent.authGet('/v1/secrets');
  expect(r.status).toBe(200);
  expect(r.json()).toEqual(V1);
  server.http.fault = null;
  await waitHealth((h) => h.lastError === null);
});

it('serves a rotated revision within a poll', async () => {
  server.publish(await packAge(V2, RECIPIENT, { revision: '1800000000002-00000002' }));
  await waitHealth((h) => h.revision === '1800000000002-00000002');
  expect((await agent.authGet('/v1/secrets')).json()).toEqual(V2);
});

it('a bad artifact never replaces the good one, in memory or on disk', async () => {
  const bad = JSON.parse(await packAge(V3, RECIPIENT, { revision: '1800000000003-00000003' }));
  bad.ciphertextHash = '0'.repeat(64);
  server.publish(JSON.stringify(bad, null, 2));
  await waitHealth((h) => h.lastError?.code === 'integrity');
  expect((await agent.authGet('/v1/secrets')).json()).toEqual(V2);
  expect(cacheFilesText()).toContain('1800000000002-00000002');
  expect(cacheFilesText()).not.toContain('1800000000003-00000003');
  server.publish(await packAge(V2, RECIPIENT, { revision: '1800000000002-00000002' }));
});

it('the cache directory is private and holds no secret value', () => {
  expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
  for (const f of readdirSync(cacheDir)) expect(statSync(path.join(cacheDir, f)).mode & 0o777).toBe(0o600);
  const text = cacheFilesText();
  expect(text.length).toBeGreaterThan(0);
  for (const v of VALUES) expect(text).not.toContain(v);
});

it('restarted during an outage, it becomes ready from the cache', async () => {
  await agent.stop();
  server.http.fault = { kind: 'status', status: 503 };
  agent = await startAgent({ env: env() });
  await agent.waitReady();
  const h = await health();
  expect(h).toMatchObject({ servedFrom: 'cache', lastError: { code: 'source_unavailable' } });
  expect((await agent.authGet('/v1/secrets')).json()).toEqual(V2);
  server.http.fault = null;
  await waitHealth((x) => x.servedFrom === 'source' && x.lastError === null);
});

it('a revocation stops serving within a poll and purges the cache', async () => {
  server.publish(revocationMarker('vector-svc', 'production'));
  await agent.waitFor('/v1/ready', (r) => r.status === 503 && r.json<{ reason: string }>().reason === 'revoked');
  expect((await agent.authGet('/v1/secrets')).status).toBe(503);
  expect(cacheFilesText()).not.toContain('1800000000002-00000002');
  for (const v of VALUES) expect(agent.output).not.toContain(v);
});
