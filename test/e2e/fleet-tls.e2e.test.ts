/**
 * The fleet tier on a production-shaped Redis: TLS only, a private CA, a required client
 * certificate, the `default` user off and an ACL user. Real redis-server (Debian package,
 * .ci/redis.sh), built agents. A wrong CA, host name or password is a `cache_*` code in
 * /v1/health while the agent keeps serving from the source; the URL (with its password)
 * can live in a file that SIGHUP re-reads; the password never reaches a log line.
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { packAge } from '../support/pack';
import { startTlsRedis, type TlsRedis } from '../support/redis-servers';
import { AGE_KEY_FILE, VECTORS_DIR } from '../support/vectors';
import { startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();
const PASSWORD = 'acl-Pa55word-0f-the-fleet';
const USER = 'clefagent';
type Fleet = { connected: boolean; lastError: { code: string } | null } | null;
type Health = { ready: boolean; servedFrom: string | null; revision: string | null; fleet: Fleet };

let redis: TlsRedis;
let server: ArtifactServer;
let dir: string;
const started: AgentProcess[] = [];
const start = async (overrides: Record<string, string | undefined>) => {
  const agent = await startAgent({ env: env(overrides) });
  started.push(agent);
  return agent;
};

const fleetOf = async (a: AgentProcess) => (await a.get('/v1/health')).json<Health>().fleet;
const urlFile = (name: string, url: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, `${url}\n`, { mode: 0o600 });
  return file;
};
const url = (password = PASSWORD, host = '127.0.0.1') => `rediss://${USER}:${encodeURIComponent(password)}@${host}:${redis.port}`;
const env = (overrides: Record<string, string | undefined>) => ({
  CLEF_AGENT_SOURCE: server.url,
  CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE,
  CLEF_AGENT_POLL_INTERVAL: '0.5',
  CLEF_AGENT_CACHE_TTL: '60',
  CLEF_AGENT_CACHE_TLS_CA_FILE: redis.files.caCert,
  CLEF_AGENT_CACHE_TLS_CERT_FILE: redis.files.clientCert,
  CLEF_AGENT_CACHE_TLS_KEY_FILE: redis.files.clientKey,
  ...overrides,
});
/** Serves secrets, from the source, while the fleet tier reports `code`. */
async function expectServingDespite(agent: AgentProcess, code: string): Promise<void> {
  await agent.waitFor('/v1/health', (r) => r.json<Health>().fleet?.lastError?.code === code, 30_000);
  await agent.waitReady(30_000);
  const health = (await agent.get('/v1/health')).json<Health>();
  expect(health).toMatchObject({ ready: true, servedFrom: 'source', fleet: { connected: false, lastError: { code } } });
  expect((await agent.authGet('/v1/secrets')).json()).toEqual({ app: { KEY: 'tls-value-1' } });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'clef-fleet-tls-'));
  redis = await startTlsRedis({ name: USER, password: PASSWORD });
  server = await ArtifactServer.start();
  server.publish(await packAge({ app: { KEY: 'tls-value-1' } }, RECIPIENT, { revision: '1800000000001-0000000a' }));
});
afterAll(async () => {
  await stopAllAgents();
  await server?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('shares the entry over TLS with a client certificate and an ACL user (URL from a file): a second agent starts from Redis while the source is down', async () => {
  const first = await start({ CLEF_AGENT_CACHE_URL_FILE: urlFile('good.url', url()) });
  await first.waitReady();
  await first.waitFor('/v1/health', (r) => r.json<Health>().fleet?.connected === true, 30_000);
  // The entry is published after the first fetch; a couple of polls later it is surely there.
  await first.waitForLog((l) => l.event === 'artifact.unchanged', 30_000);
  server.http.fault = { kind: 'status', status: 503 };
  try {
    const second = await start({ CLEF_AGENT_CACHE_URL: url() });
    await second.waitReady(30_000);
    expect((await second.get('/v1/health')).json<Health>()).toMatchObject({ servedFrom: 'fleet', fleet: { connected: true, lastError: null } });
    expect((await second.authGet('/v1/secrets')).json()).toEqual({ app: { KEY: 'tls-value-1' } });
  } finally {
    server.http.fault = null;
  }
});

it('the standard NODE_EXTRA_CA_CERTS works in place of CLEF_AGENT_CACHE_TLS_CA_FILE', async () => {
  const agent = await start({ CLEF_AGENT_CACHE_URL: url(), CLEF_AGENT_CACHE_TLS_CA_FILE: undefined, NODE_EXTRA_CA_CERTS: redis.files.caCert });
  await agent.waitFor('/v1/health', (r) => r.json<Health>().fleet?.connected === true, 30_000);
});

it('without any CA that knows the server, the system CAs alone refuse it: cache_tls', async () => {
  const agent = await start({ CLEF_AGENT_CACHE_URL: url(), CLEF_AGENT_CACHE_TLS_CA_FILE: undefined });
  await expectServingDespite(agent, 'cache_tls');
});

it('without the client certificate the server requires: cache_tls', async () => {
  const agent = await start({ CLEF_AGENT_CACHE_URL: url(), CLEF_AGENT_CACHE_TLS_CERT_FILE: undefined, CLEF_AGENT_CACHE_TLS_KEY_FILE: undefined });
  await expectServingDespite(agent, 'cache_tls');
});

it('a server certificate from another CA is cache_tls in /v1/health; secrets keep coming from the source', async () => {
  const agent = await start({ CLEF_AGENT_CACHE_URL: url(), CLEF_AGENT_CACHE_TLS_CA_FILE: redis.files.otherCaCert });
  await expectServingDespite(agent, 'cache_tls');
});

it('hostname verification is on: a certificate that does not name the host in the URL is cache_tls', async () => {
  const agent = await start({ CLEF_AGENT_CACHE_URL: url(PASSWORD, 'localhost') });
  await expectServingDespite(agent, 'cache_tls');
});

it('a wrong ACL password is cache_auth; after the URL file is fixed, SIGHUP reconnects without a restart', async () => {
  const file = urlFile('rotating.url', url('not-the-password'));
  const agent = await start({ CLEF_AGENT_CACHE_URL_FILE: file });
  await expectServingDespite(agent, 'cache_auth');
  urlFile('rotating.url', url());
  agent.child.kill('SIGHUP');
  await agent.waitForLog((l) => l.event === 'agent.reloaded' && l.cacheFiles === 'reloaded');
  await agent.waitFor('/v1/health', (r) => r.json<Health>().fleet?.connected === true, 30_000);
  expect(await fleetOf(agent)).toEqual({ connected: true, lastError: null });
});

it('no log line or health body of any agent in this file carries a Redis password', async () => {
  // Runs last: every agent above logged its start, fleet failures and reloads.
  expect(started.length).toBeGreaterThanOrEqual(5);
  for (const agent of started) {
    const health = (await agent.get('/v1/health').catch(() => ({ body: '' }))).body;
    for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), 'not-the-password']) {
      expect(agent.output).not.toContain(secret);
      expect(health).not.toContain(secret);
    }
  }
});
