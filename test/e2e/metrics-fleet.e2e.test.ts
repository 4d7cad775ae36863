/**
 * Fleet-tier metrics through the built agent and a real redis-server (issue 19): a second
 * agent that starts while the source is down is served from the fleet tier: a fleet hit,
 * served from `fleet`, and the Redis URL never appears in a scrape.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { packAge } from '../support/pack';
import { sample, Scraper } from '../support/prometheus';
import { startRedis } from '../support/redis';
import { AGE_KEY_FILE, VECTORS_DIR } from '../support/vectors';
import { freePort, startAgent, stopAllAgents } from '../support/agent-process';

const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();
const TREE = { app: { FLEET_KEY_NAME: 'fleet-metrics-secret-value' } };

it('counts fleet hits and reports the fleet as the origin', async () => {
  const redis = await startRedis();
  const server = await ArtifactServer.start();
  try {
    server.publish(await packAge(TREE, RECIPIENT, { revision: '1800000000001-0000000f' }));
    const env = { CLEF_AGENT_SOURCE: server.url, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_CACHE_URL: redis.url };
    const firstPort = await freePort();
    const first = await startAgent({ env: { ...env, CLEF_AGENT_METRICS_ADDRESS: `127.0.0.1:${firstPort}` } });
    await first.waitReady();
    const f = await new Scraper(firstPort).until((x) => sample(x, 'clef_agent_source_requests_total', { outcome: '200' }) === 1);
    expect(sample(f, 'clef_agent_served_from', { origin: 'source' })).toBe(1);

    server.http.fault = { kind: 'status', status: 503 };
    const port = await freePort();
    const second = await startAgent({ env: { ...env, CLEF_AGENT_METRICS_ADDRESS: `127.0.0.1:${port}` } });
    await second.waitReady(30_000);
    const metrics = new Scraper(port);
    const g = await metrics.until((x) => sample(x, 'clef_agent_served_from', { origin: 'fleet' }) === 1);
    expect(sample(g, 'clef_agent_cache_lookups_total', { tier: 'fleet', outcome: 'hit' })).toBeGreaterThanOrEqual(1);
    expect(sample(g, 'clef_agent_decrypts_total', { provider: 'age', outcome: 'ok' })).toBe(1);
    for (const body of metrics.bodies) for (const s of [redis.url, 'FLEET_KEY_NAME', 'fleet-metrics-secret-value']) expect(body).not.toContain(s);
  } finally {
    await stopAllAgents();
    await server.close();
    await redis.stop();
  }
});
