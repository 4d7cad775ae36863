import { AgentError } from '../../src/domain/errors';
import { MemoryArtifactCache } from '../../src/adapters/memory/memory-cache';
import { coreHarness, TREE } from '../support/core-harness';

const down = () => new AgentError('source_unavailable', 'down');

/** Lets the promise chains started by a fired timer settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
}

describe('refresh schedule', () => {
  it('polls every TTL/10 and picks up a rotation within one interval', async () => {
    const h = await coreHarness({ ttlMs: 300_000 });
    h.source.publish(await h.pack());
    await h.scheduler.start();
    expect(h.clock.nextDelay()).toBe(30_000);
    h.source.publish(await h.pack({ api: { DB_URL: 'rotated' } }));
    h.clock.advance(30_000);
    await h.telemetry.waitFor('artifact.refreshed', (e) => e.revision !== h.telemetry.ofType('artifact.refreshed')[0].revision);
    expect((await h.service.read()).get('api', 'DB_URL')).toBe('rotated');
    h.scheduler.stop();
  });

  it('polls before expiresAt (80% of the remaining life)', async () => {
    const h = await coreHarness({ ttlMs: 300_000 });
    h.source.publish(await h.pack(TREE, { expiresAt: new Date(h.clock.now() + 10_000).toISOString() }));
    await h.scheduler.start();
    expect(h.clock.nextDelay()).toBe(8_000);
    h.scheduler.stop();
  });

  it('backs off exponentially with jitter on failures, up to the maximum', async () => {
    const h = await coreHarness({ backoffBaseMs: 1_000, backoffMaxMs: 8_000, random: () => 0 });
    h.source.fail(down());
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) delays.push(h.scheduler.nextDelay(await h.refresher.refresh()));
    // equal jitter with random()=0 gives half the ceiling: 1,2,4,8,8,8 s halved
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 4_000, 4_000]);
    const h2 = await coreHarness({ backoffBaseMs: 1_000, backoffMaxMs: 8_000, random: () => 0.999999 });
    h2.source.fail(down());
    for (let i = 0; i < 6; i++) expect(h2.scheduler.nextDelay(await h2.refresher.refresh())).toBeLessThanOrEqual(8_000);
  });

  it('caps the backoff so a retry always lands before the TTL deadline', async () => {
    const h = await coreHarness({ ttlMs: 60_000, backoffBaseMs: 1_000, backoffMaxMs: 600_000 });
    h.source.publish(await h.pack());
    await h.refresher.refresh();
    h.source.fail(new AgentError('source_rate_limited', 'slow down', { retryAfterMs: 3_600_000 }));
    h.clock.advance(50_000);
    for (let i = 0; i < 12; i++) {
      const delay = h.scheduler.nextDelay(await h.refresher.refresh());
      expect(h.clock.now() + delay).toBeLessThan(h.state.lastRefreshAt! + 60_000);
    }
  });

  it('honours Retry-After when no deadline is near', async () => {
    const h = await coreHarness({ backoffBaseMs: 1_000 });
    h.source.fail(new AgentError('source_rate_limited', 'slow down', { retryAfterMs: 120_000 }));
    expect(h.scheduler.nextDelay(await h.refresher.refresh())).toBe(120_000);
  });

  it('retries with backoff after a failed first load and becomes ready when the source appears', async () => {
    const h = await coreHarness({ backoffBaseMs: 1_000, random: () => 0 });
    h.source.remove();
    await h.scheduler.start();
    expect(h.service.readiness()).toEqual({ ready: false, reason: 'not_loaded' });
    h.source.publish(await h.pack());
    h.clock.advance(500);
    await h.telemetry.waitFor('artifact.refreshed');
    expect(h.service.readiness()).toEqual({ ready: true });
    h.scheduler.stop();
  });

  it('stop() cancels the timer: no poll after shutdown', async () => {
    const h = await coreHarness();
    h.source.publish(await h.pack());
    await h.scheduler.start();
    h.scheduler.stop();
    expect(h.clock.pending()).toBe(0);
    h.clock.advance(3_600_000);
    await settle();
    expect(h.source.fetchCount).toBe(1);
  });

  it('stop() during an in-flight poll aborts it and arms no further poll', async () => {
    const h = await coreHarness();
    h.source.hang();
    const first = h.scheduler.start();
    h.scheduler.stop();
    await first;
    expect(h.clock.pending()).toBe(0);
  });
});

describe('stopping with a refresh in flight', () => {
  it('stop() resolves only once the in-flight refresh has written its cache entry, and never rejects', async () => {
    const writes: string[] = [];
    let releaseWrite!: () => void;
    const writeGate = new Promise<void>((r) => (releaseWrite = r));
    const cache = new MemoryArtifactCache();
    const set = cache.set.bind(cache);
    cache.set = async (key, entry) => {
      await writeGate;
      await set(key, entry);
      writes.push(entry.revision);
    };
    const h = await coreHarness({ cache });
    h.source.publish(await h.pack());
    const first = h.scheduler.start();
    // The refresh is past its fetch and decrypt once it waits on the cache write.
    await h.telemetry.waitFor('artifact.refreshed');
    let stopped = false;
    const stopping = h.scheduler.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    releaseWrite();
    await stopping;
    expect(writes).toHaveLength(1);
    expect((await first).status).toBe('refreshed');
    // With nothing in flight it resolves at once.
    await expect(h.scheduler.stop()).resolves.toBeUndefined();
  });
});
