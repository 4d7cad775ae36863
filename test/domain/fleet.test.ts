import { AgentError } from '../../src/domain/errors';
import { MemoryArtifactCache } from '../../src/adapters/memory/memory-cache';
import { MemoryLease } from '../../src/adapters/memory/memory-lease';
import { MemorySource } from '../../src/adapters/memory/memory-source';
import type { ArtifactCache } from '../../src/domain/ports/artifact-cache';
import { FakeClock } from '../support/fake-clock';
import { newAgeIdentity } from '../support/pack';
import { coreHarness, TREE } from '../support/core-harness';

/** N agents sharing one source, one fleet cache and one lease, on one fake clock. */
async function fleetOf(n: number, shared: ArtifactCache = new MemoryArtifactCache()) {
  const clock = new FakeClock();
  const source = new MemorySource();
  const lease = new MemoryLease(clock);
  const age = await newAgeIdentity();
  const agents = [];
  for (let i = 0; i < n; i++) {
    agents.push(await coreHarness({ clock, source, age, fleet: { cache: shared, lease }, pollIntervalMs: 10_000 }));
  }
  return { clock, source, shared, lease, agents };
}

describe('fleet tier', () => {
  it('one fetch per interval for the whole fleet; the others serve the shared entry', async () => {
    const f = await fleetOf(5);
    f.source.publish(await f.agents[0].pack());
    for (const a of f.agents) expect((await a.refresher.refresh()).status).toBe('refreshed');
    expect(f.source.fetchCount).toBe(1);
    for (const a of f.agents.slice(1)) expect(a.service.health().servedFrom).toBe('fleet');
    f.clock.advance(10_000);
    for (const a of f.agents) await a.refresher.refresh();
    expect(f.source.fetchCount).toBe(2);
    expect(JSON.parse((await f.agents[4].service.read()).secretsJson)).toEqual(TREE);
  });

  it('each reader verifies the shared entry itself: a poisoned entry is refused and the source used', async () => {
    const f = await fleetOf(2);
    f.source.publish(await f.agents[0].pack());
    await f.agents[0].refresher.refresh();
    const entry = (await f.shared.get(f.source.cacheKey))!;
    const doc = JSON.parse(entry.document);
    doc.ciphertextHash = '0'.repeat(64);
    await f.shared.set(f.source.cacheKey, { ...entry, document: JSON.stringify(doc) });
    expect((await f.agents[1].refresher.refresh()).status).toBe('refreshed');
    expect(f.agents[1].telemetry.ofType('artifact.invalid')[0]).toMatchObject({ reason: 'integrity', origin: 'fleet' });
    expect(f.source.fetchCount).toBe(2);
  });

  it('a lease holder that dies is replaced once its lease expires', async () => {
    const f = await fleetOf(2);
    f.source.publish(await f.agents[0].pack());
    await f.agents[0].refresher.refresh();
    expect(f.source.fetchCount).toBe(1);
    f.clock.advance(10_000); // the shared entry is now due for a refresh...
    await f.lease.tryAcquire(f.source.cacheKey, 5_000); // ...but a holder took the lease and died
    expect((await f.agents[1].refresher.refresh()).status).toBe('refreshed');
    expect(f.agents[1].service.health().servedFrom).toBe('fleet');
    expect(f.source.fetchCount).toBe(1);
    f.clock.advance(5_001);
    await f.agents[1].refresher.refresh();
    expect(f.source.fetchCount).toBe(2);
    expect(f.agents[1].service.health().servedFrom).toBe('source');
  });

  it('with the fleet backend down every agent fetches the source itself', async () => {
    const down = () => Promise.reject(new AgentError('cache_unavailable', 'down'));
    const broken: ArtifactCache = { capabilities: { persistent: true, shared: true }, get: down, set: down, delete: down, getTrust: down, setTrust: down, close: async () => undefined };
    const f = await fleetOf(3, broken);
    f.source.publish(await f.agents[0].pack());
    f.lease.down = true;
    for (const a of f.agents) expect((await a.refresher.refresh()).status).toBe('refreshed');
    expect(f.source.fetchCount).toBe(3);
  });

  it('a new agent becomes ready from the shared tier while the source is down', async () => {
    const f = await fleetOf(2);
    f.source.publish(await f.agents[0].pack());
    await f.agents[0].refresher.refresh();
    f.clock.advance(20_000); // the shared entry is older than an interval
    f.source.fail(new AgentError('source_unavailable', 'down'));
    const o = await f.agents[1].refresher.refresh();
    expect(o.status === 'failed' && o.servedFromCache).toBe(true);
    expect(f.agents[1].service.readiness()).toEqual({ ready: true });
    expect(f.agents[1].service.health().lastError?.code).toBe('source_unavailable');
  });
});
