/**
 * Untrusted tiers stay untrusted (issue 15): bounded freshness from cached/fleet entries,
 * sticky revocation (tombstones in memory, on disk and in the fleet tier) and an
 * anti-rollback high-water mark that survives a restart. A "restart" is a new harness
 * (fresh AgentState) over the same caches.
 */
import { AgentError } from '../../src/domain/errors';
import { MemoryArtifactCache } from '../../src/adapters/memory/memory-cache';
import { MemoryLease } from '../../src/adapters/memory/memory-lease';
import { MemorySource } from '../../src/adapters/memory/memory-source';
import { FakeClock } from '../support/fake-clock';
import { newAgeIdentity, revocationMarker } from '../support/pack';
import { coreHarness, codeOf } from '../support/core-harness';

const OLD = '1777636700000-aaaaaaaa';
const NEW = '1777636800000-bbbbbbbb';
const NEWER = '1777636900000-cccccccc';
const FUTURE = 9_999_999_999_999;

async function world(opts: { fleet?: boolean; disk?: boolean; antiRollback?: boolean } = {}) {
  const clock = new FakeClock();
  const source = new MemorySource();
  const age = await newAgeIdentity();
  const disk = opts.disk === false ? undefined : new MemoryArtifactCache();
  const fleetCache = new MemoryArtifactCache();
  const lease = new MemoryLease(clock);
  const fleet = opts.fleet ? { cache: fleetCache, lease } : undefined;
  const agent = () => coreHarness({ clock, source, age, cache: disk, fleet, pollIntervalMs: 10_000, antiRollback: opts.antiRollback ?? false });
  const marker = () => revocationMarker('vector-svc', 'production', new Date(clock.now()).toISOString());
  return { clock, source, disk, fleetCache, lease, agent, marker };
}

describe('bounded freshness from untrusted tiers', () => {
  it('a fleet entry claiming a future confirmedAt is not fresh: the source is read and its revocation wins', async () => {
    const w = await world({ fleet: true });
    const a = await w.agent();
    w.source.publish(await a.pack(undefined, { revision: NEW }));
    await a.refresher.refresh();
    const entry = (await w.fleetCache.get(w.source.cacheKey))!;
    await w.fleetCache.set(w.source.cacheKey, { ...entry, confirmedAt: FUTURE });
    w.source.publish(w.marker());
    const b = await w.agent();
    expect(await codeOf(b.service.read())).toBe('revoked');
    expect(b.service.readiness()).toEqual({ ready: false, reason: 'revoked' });
    expect(b.source.fetchCount).toBe(2);
  });

  it('an entry used while another agent holds the lease never sets lastRefreshAt ahead of now', async () => {
    const w = await world({ fleet: true });
    const a = await w.agent();
    w.source.publish(await a.pack(undefined, { revision: NEW }));
    await a.refresher.refresh();
    const entry = (await w.fleetCache.get(w.source.cacheKey))!;
    await w.fleetCache.set(w.source.cacheKey, { ...entry, confirmedAt: w.clock.now() + 500 }); // within skew
    await w.lease.tryAcquire(w.source.cacheKey, 5_000);
    const b = await w.agent();
    await b.refresher.refresh();
    expect(b.service.health().lastRefreshAt).toBeLessThanOrEqual(w.clock.now());
  });

  it('a disk entry claiming a future confirmedAt is not served during an outage (its TTL could never run out)', async () => {
    const w = await world();
    const a = await w.agent();
    w.source.publish(await a.pack(undefined, { revision: NEW }));
    await a.refresher.refresh();
    const entry = (await w.disk!.get(w.source.cacheKey))!;
    await w.disk!.set(w.source.cacheKey, { ...entry, confirmedAt: FUTURE });
    w.source.fail(new AgentError('source_unavailable', 'down'));
    const b = await w.agent();
    const o = await b.refresher.refresh();
    expect(o.status === 'failed' && o.servedFromCache).toBe(false);
    expect(b.service.health()).toMatchObject({ ready: false, lastRefreshAt: null });
  });
});

describe('sticky revocation', () => {
  it('after a revocation an outage serves nothing from the fleet or the disk, nor after a restart', async () => {
    const w = await world({ fleet: true });
    const a = await w.agent();
    const doc = await a.pack(undefined, { revision: NEW });
    w.source.publish(doc);
    await a.refresher.refresh();
    w.source.publish(w.marker());
    w.clock.advance(10_000);
    expect((await a.refresher.refresh()).status).toBe('failed');
    expect(await codeOf(a.service.read())).toBe('revoked');
    // Both tiers are purged and carry a tombstone.
    expect(await w.fleetCache.get(w.source.cacheKey)).toBeUndefined();
    expect(await w.disk!.get(w.source.cacheKey)).toBeUndefined();
    expect((await w.fleetCache.getTrust(w.source.cacheKey))?.revoked).toBeDefined();
    expect((await w.disk!.getTrust(w.source.cacheKey))?.revoked).toBeDefined();
    // A stale copy comes back into both tiers (a lagging agent, an attacker), then the source goes away.
    const stale = { document: doc, revision: NEW, confirmedAt: w.clock.now() };
    await w.fleetCache.set(w.source.cacheKey, stale);
    await w.disk!.set(w.source.cacheKey, stale);
    w.source.fail(new AgentError('source_not_found', 'gone'));
    w.clock.advance(10_000);
    await a.refresher.refresh();
    expect(a.service.readiness()).toEqual({ ready: false, reason: 'revoked' });
    expect(a.telemetry.ofType('artifact.refreshed').filter((e) => e.origin !== 'source')).toEqual([]);
    // Restarted during the outage: still revoked, from what disk and fleet remember.
    const b = await w.agent();
    await b.refresher.refresh();
    expect(b.service.readiness()).toEqual({ ready: false, reason: 'revoked' });
    expect(await codeOf(b.service.read())).toBe('revoked');
    // The source publishes a new valid artifact: served again, tombstones lifted everywhere.
    w.source.publish(await b.pack(undefined, { revision: NEWER }));
    w.clock.advance(10_000);
    expect((await b.refresher.refresh()).status).toBe('refreshed');
    expect(b.service.readiness()).toEqual({ ready: true });
    expect((await w.fleetCache.getTrust(w.source.cacheKey))?.revoked).toBeUndefined();
    expect((await w.disk!.getTrust(w.source.cacheKey))?.revoked).toBeUndefined();
  });

  it('a copy newer than the revocation is served from the fleet', async () => {
    const w = await world({ fleet: true });
    const a = await w.agent();
    const b = await w.agent();
    w.source.publish(await a.pack(undefined, { revision: OLD }));
    await a.refresher.refresh();
    w.source.publish(w.marker());
    w.clock.advance(10_000);
    await a.refresher.refresh();
    await b.refresher.refresh();
    expect(b.service.readiness()).toEqual({ ready: false, reason: 'revoked' });
    w.clock.advance(10_000);
    w.source.publish(await a.pack(undefined, { revision: '1777636820000-dddddddd' }));
    await a.refresher.refresh();
    const fetches = w.source.fetchCount;
    await b.refresher.refresh();
    expect(b.service.health()).toMatchObject({ ready: true, servedFrom: 'fleet' });
    expect(w.source.fetchCount).toBe(fetches);
  });
});

describe('anti-rollback across restarts', () => {
  it.each([
    ['the disk cache', { disk: true, fleet: false }],
    ['the fleet tier', { disk: false, fleet: true }],
  ])('the high-water mark survives a restart through %s: an older signed artifact from the source is refused', async (_name, tiers) => {
    const w = await world({ antiRollback: true, ...tiers });
    const a = await w.agent();
    w.source.publish(await a.pack(undefined, { revision: NEW }));
    expect((await a.refresher.refresh()).status).toBe('refreshed');
    w.clock.advance(10_000); // the fleet's copy is due: the restarted agent reads the source
    const b = await w.agent(); // restart
    w.source.publish(await b.pack(undefined, { revision: OLD }));
    const o = await b.refresher.refresh();
    expect(o.status === 'failed' && o.error.code).toBe('rollback');
    expect(b.service.readiness()).toEqual({ ready: false, reason: 'not_loaded' });
  });

  it('an older artifact planted in the fleet tier after a restart is refused', async () => {
    const w = await world({ antiRollback: true, fleet: true, disk: false });
    const a = await w.agent();
    const old = await a.pack(undefined, { revision: OLD });
    w.source.publish(await a.pack(undefined, { revision: NEW }));
    await a.refresher.refresh();
    await w.fleetCache.set(w.source.cacheKey, { document: old, revision: OLD, confirmedAt: w.clock.now() });
    w.source.fail(new AgentError('source_unavailable', 'down'));
    const b = await w.agent();
    await b.refresher.refresh();
    expect(b.telemetry.ofType('artifact.invalid')).toContainEqual(expect.objectContaining({ reason: 'rollback', origin: 'fleet' }));
    expect(b.service.readiness().ready).toBe(false);
  });

  it('a stored mark never lowers ours, and an implausible (future) one is ignored', async () => {
    const w = await world({ antiRollback: true });
    const a = await w.agent();
    w.source.publish(await a.pack(undefined, { revision: NEW }));
    await a.refresher.refresh();
    await w.disk!.setTrust(w.source.cacheKey, { highestRevisionMs: 1 });
    const b = await w.agent();
    b.state.highestRevisionMs = Number(NEW.split('-')[0]);
    w.source.publish(await b.pack(undefined, { revision: NEWER }));
    await b.refresher.refresh();
    expect((await w.disk!.getTrust(w.source.cacheKey))?.highestRevisionMs).toBe(Number(NEWER.split('-')[0]));
    await w.disk!.setTrust(w.source.cacheKey, { highestRevisionMs: FUTURE });
    const c = await w.agent();
    w.source.publish(await c.pack(undefined, { revision: '1777636950000-eeeeeeee' }));
    expect((await c.refresher.refresh()).status).toBe('refreshed');
  });
});
