/**
 * Fleet mode with real processes: several `clef-agent`s, one loopback artifact server and
 * a real redis-server (started by test/support/redis.ts; .ci/redis.sh installs it).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { packAge } from '../support/pack';
import { startRedis, type RedisTestServer } from '../support/redis';
import { AGE_KEY_FILE, VECTORS_DIR } from '../support/vectors';
import { startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();
const AGENTS = 4;
type Health = { revision: string | null; servedFrom: string | null; ready: boolean };

let redis: RedisTestServer;
let server: ArtifactServer;
let agents: AgentProcess[] = [];
const env = () => ({
  CLEF_AGENT_SOURCE: server.url,
  CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE,
  CLEF_AGENT_CACHE_URL: redis.url,
  CLEF_AGENT_POLL_INTERVAL: '0.5',
  CLEF_AGENT_CACHE_TTL: '60',
});
const health = async (a: AgentProcess) => (await a.get('/v1/health')).json<Health>();
const pollsOf = (a: AgentProcess) => a.logLines().filter((l) => l.event === 'artifact.unchanged' || l.event === 'artifact.refreshed').length;

beforeAll(async () => {
  redis = await startRedis();
  server = await ArtifactServer.start();
  server.publish(await packAge({ app: { KEY: 'fleet-value-1' } }, RECIPIENT, { revision: '1800000000001-0000000a' }));
  agents = await Promise.all(Array.from({ length: AGENTS }, () => startAgent({ env: env() })));
  await Promise.all(agents.map((a) => a.waitReady()));
});
afterAll(async () => {
  await stopAllAgents();
  await server.close();
  await redis.stop();
});

it(`the source sees about one fetch per interval for ${AGENTS} agents`, async () => {
  const requestsBefore = server.log.length;
  const pollsBefore = agents.reduce((n, a) => n + pollsOf(a), 0);
  await agents[0].waitFor('/v1/health', () => agents.reduce((n, a) => n + pollsOf(a), 0) - pollsBefore >= AGENTS * 10, 30_000);
  const polls = agents.reduce((n, a) => n + pollsOf(a), 0) - pollsBefore;
  const requests = server.log.length - requestsBefore;
  // Without the fleet tier every poll is a source request; with it about one per interval.
  process.stdout.write(`fleet: ${AGENTS} agents, ${polls} polls, ${requests} source requests\n`);
  expect(requests).toBeLessThan(polls / 2);
  for (const a of agents) expect((await a.authGet('/v1/secrets')).json()).toEqual({ app: { KEY: 'fleet-value-1' } });
});

it('when lease holders die, a survivor takes over fetching', async () => {
  const [survivor, ...others] = agents;
  await Promise.all(others.map((a) => a.stop('SIGKILL')));
  server.publish(await packAge({ app: { KEY: 'fleet-value-2' } }, RECIPIENT, { revision: '1800000000002-0000000b' }));
  await survivor.waitFor('/v1/health', (r) => r.json<Health>().revision === '1800000000002-0000000b', 30_000);
  agents = [survivor];
});

it('with Redis stopped every agent still refreshes from the source', async () => {
  agents.push(await startAgent({ env: env() }));
  await agents[1].waitReady();
  await redis.stop();
  server.publish(await packAge({ app: { KEY: 'fleet-value-3' } }, RECIPIENT, { revision: '1800000000003-0000000c' }));
  for (const a of agents) await a.waitFor('/v1/health', (r) => r.json<Health>().revision === '1800000000003-0000000c', 30_000);
  for (const a of agents) expect((await health(a)).servedFrom).toBe('source');
});

it('a new agent started while the source is down becomes ready from Redis', async () => {
  await redis.start();
  // Until the lease holder has confirmed the revision with the source and published it to the
  // restarted (empty) Redis, there is nothing for a new agent to start from: with the source
  // down no agent could publish it any more. An agent served from the fleet proves it is there
  // (before the restart both were served from the source).
  const republished = async () => (await Promise.all(agents.map(health))).some((h) => h.servedFrom === 'fleet' && h.revision === '1800000000003-0000000c');
  for (const deadline = Date.now() + 30_000; !(await republished()); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > deadline) throw new Error('no agent was served the current revision from the restarted Redis');
  }
  server.http.fault = { kind: 'status', status: 503 };
  const fresh = await startAgent({ env: env() });
  await fresh.waitReady(30_000);
  expect((await fresh.authGet('/v1/secrets')).json()).toEqual({ app: { KEY: 'fleet-value-3' } });
  expect((await health(fresh)).servedFrom).toBe('fleet');
  server.http.fault = null;
});
