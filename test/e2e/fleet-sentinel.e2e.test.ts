/**
 * The fleet tier behind Redis Sentinel, through a real failover: a primary/replica pair
 * and three redis-sentinel processes (Debian packages, .ci/redis.sh), four built agents
 * under steady read load. The primary is killed; no read fails, the agents follow the
 * promoted replica without a restart, a new revision still reaches all of them, and the
 * source is back to about one request per interval for the whole fleet.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { packAge } from '../support/pack';
import { startSentinelGroup, type SentinelGroup } from '../support/redis-servers';
import { AGE_KEY_FILE, VECTORS_DIR } from '../support/vectors';
import { startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();
const AGENTS = 4;
type Health = { revision: string | null; servedFrom: string | null; fleet: { connected: boolean; lastError: { code: string } | null } | null };

let group: SentinelGroup;
let server: ArtifactServer;
let agents: AgentProcess[] = [];
const health = async (a: AgentProcess) => (await a.get('/v1/health')).json<Health>();
const pollsOf = (a: AgentProcess) => a.logLines().filter((l) => l.event === 'artifact.unchanged' || l.event === 'artifact.refreshed').length;
const totalPolls = () => agents.reduce((n, a) => n + pollsOf(a), 0);

/** Reads /v1/secrets from every agent back to back until stopped; counts what failed. */
function readLoad() {
  let running = true;
  const counts = { ok: 0, failed: 0, lastFailure: '' };
  const loops = agents.map(async (a) => {
    while (running) {
      try {
        const reply = await a.authGet('/v1/secrets');
        if (reply.status === 200) counts.ok += 1;
        else {
          counts.failed += 1;
          counts.lastFailure = `${reply.status} ${reply.body.slice(0, 200)}`;
        }
      } catch (error) {
        counts.failed += 1;
        counts.lastFailure = String(error);
      }
    }
  });
  return {
    counts,
    async stop() {
      running = false;
      await Promise.all(loops);
      return counts;
    },
  };
}

/** Waits until the fleet has made `polls` more polls; returns how many source requests they cost. */
async function sourceRequestsOver(polls: number): Promise<{ polls: number; requests: number }> {
  const requestsBefore = server.log.length;
  const pollsBefore = totalPolls();
  await agents[0].waitFor('/v1/health', () => totalPolls() - pollsBefore >= polls, 60_000);
  return { polls: totalPolls() - pollsBefore, requests: server.log.length - requestsBefore };
}

beforeAll(async () => {
  group = await startSentinelGroup();
  server = await ArtifactServer.start();
  server.publish(await packAge({ app: { KEY: 'sentinel-value-1' } }, RECIPIENT, { revision: '1800000000001-0000000a' }));
  const env = {
    CLEF_AGENT_SOURCE: server.url,
    CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE,
    CLEF_AGENT_CACHE_URL: group.url,
    CLEF_AGENT_POLL_INTERVAL: '0.5',
    CLEF_AGENT_CACHE_TTL: '60',
  };
  agents = await Promise.all(Array.from({ length: AGENTS }, () => startAgent({ env })));
  await Promise.all(agents.map((a) => a.waitReady()));
  for (const a of agents) await a.waitFor('/v1/health', (r) => r.json<Health>().fleet?.connected === true, 30_000);
}, 120_000);
afterAll(async () => {
  await stopAllAgents();
  await server?.close();
  await group?.stop();
});

it('before the failover the fleet costs the source about one request per interval', async () => {
  const { polls, requests } = await sourceRequestsOver(AGENTS * 10);
  process.stdout.write(`sentinel fleet before failover: ${polls} polls, ${requests} source requests\n`);
  expect(requests).toBeLessThan(polls / 2);
});

it('killing the primary fails no read; the agents follow the promoted replica and a new revision reaches all of them', async () => {
  const load = readLoad();
  const oldPrimary = await group.primaryPort();
  const primary = group.servers.find((s) => s.port === oldPrimary)!;
  const replica = group.servers.find((s) => s.port !== oldPrimary)!;
  await primary.kill('SIGKILL');
  // The Sentinels agree the primary is gone, promote the replica and announce it.
  for (const deadline = Date.now() + 60_000; (await group.primaryPort()) !== replica.port; ) {
    if (Date.now() > deadline) throw new Error('the Sentinels did not fail over within 60 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  server.publish(await packAge({ app: { KEY: 'sentinel-value-2' } }, RECIPIENT, { revision: '1800000000002-0000000b' }));
  for (const a of agents) await a.waitFor('/v1/health', (r) => r.json<Health>().revision === '1800000000002-0000000b', 60_000);
  // Every agent is talking to the new primary again (no restart, same URL).
  for (const a of agents) await a.waitFor('/v1/health', (r) => r.json<Health>().fleet?.connected === true, 60_000);
  const counts = await load.stop();
  process.stdout.write(`sentinel failover: ${counts.ok} reads ok, ${counts.failed} failed\n`);
  expect(counts.lastFailure).toBe('');
  expect(counts.failed).toBe(0);
  expect(counts.ok).toBeGreaterThan(AGENTS * 10);
  for (const a of agents) expect((await a.authGet('/v1/secrets')).json()).toEqual({ app: { KEY: 'sentinel-value-2' } });
});

it('after the failover the fleet is back to about one source request per interval, sharing entries through the new primary', async () => {
  const { polls, requests } = await sourceRequestsOver(AGENTS * 10);
  process.stdout.write(`sentinel fleet after failover: ${polls} polls, ${requests} source requests\n`);
  expect(requests).toBeLessThan(polls / 2);
  // Agents are taking the entry another one published on the new primary.
  let origins: Array<string | null> = [];
  for (const deadline = Date.now() + 30_000; !origins.includes('fleet') && Date.now() < deadline; ) {
    origins = await Promise.all(agents.map(async (a) => (await health(a)).servedFrom));
  }
  expect(origins).toContain('fleet');
});
