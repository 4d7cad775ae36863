import { AgentError } from '../../src/domain/errors';
import { MemoryArtifactCache } from '../../src/adapters/memory/memory-cache';
import { codeOf, coreHarness, TREE } from '../support/core-harness';

const TTL = 300_000;

describe('TTL (cached mode)', () => {
  it('serves until TTL after the last successful refresh, then refreshes on read', async () => {
    const h = await coreHarness({ ttlMs: TTL });
    h.source.publish(await h.pack());
    await h.refresher.refresh();
    h.clock.advance(TTL); // exactly TTL: still fresh (strictly greater expires)
    await h.service.read();
    expect(h.source.fetchCount).toBe(1);
    h.clock.advance(1);
    expect(h.service.health().expired).toBe(true);
    await h.service.read(); // joins a refresh, which succeeds (unchanged)
    expect(h.source.fetchCount).toBe(2);
    expect(h.service.health().expired).toBe(false);
  });

  it('past TTL with the source down: 503 cache_expired and plaintext wiped', async () => {
    const h = await coreHarness({ ttlMs: TTL });
    h.source.publish(await h.pack());
    await h.refresher.refresh();
    h.source.fail(new AgentError('source_unavailable', 'down'));
    h.clock.advance(TTL - 1);
    await h.refresher.refresh(); // fails within TTL: keep serving
    expect(h.service.readiness()).toEqual({ ready: true });
    h.clock.advance(2);
    expect(h.service.readiness()).toEqual({ ready: false, reason: 'cache_expired' });
    // A read right after a failed attempt is not served and does not hammer the source.
    expect(await codeOf(h.service.read())).toBe('cache_expired');
    expect(h.source.fetchCount).toBe(2);
    // The next poll fails too: the stale plaintext is wiped, not just hidden (W15).
    await h.refresher.refresh();
    expect(h.state.snapshot).toBeNull();
    expect(h.telemetry.ofType('cache.expired')).toHaveLength(1);
    expect(h.service.readiness()).toEqual({ ready: false, reason: 'cache_expired' });
  });

  it('recovers after a TTL wipe when the same artifact comes back (W4)', async () => {
    const h = await coreHarness({ ttlMs: TTL });
    const doc = await h.pack();
    h.source.publish(doc);
    await h.refresher.refresh();
    h.source.fail(new AgentError('source_unavailable', 'down'));
    h.clock.advance(TTL + 1);
    await h.refresher.refresh();
    expect(h.state.snapshot).toBeNull();
    h.source.publish(doc);
    h.clock.advance(5_000);
    expect(JSON.parse((await h.service.read()).secretsJson)).toEqual(TREE);
  });

  it('reads that find nothing refresh at most once per min gap while failing', async () => {
    const h = await coreHarness({ requestRefreshMinGapMs: 1_000 });
    h.source.remove();
    await codeOf(h.service.read());
    await codeOf(h.service.read());
    await codeOf(h.service.read());
    expect(h.source.fetchCount).toBe(1);
    h.clock.advance(1_000);
    await codeOf(h.service.read());
    expect(h.source.fetchCount).toBe(2);
  });
});

describe('expiresAt', () => {
  it('a timer wipes at the instant of expiry (W1)', async () => {
    const h = await coreHarness();
    h.source.publish(await h.pack(TREE, { expiresAt: new Date(h.clock.now() + 60_000).toISOString() }));
    await h.refresher.refresh();
    h.clock.advance(60_000);
    expect(h.state.snapshot).not.toBeNull();
    h.clock.advance(1);
    expect(h.state.snapshot).toBeNull();
    expect(h.service.readiness()).toEqual({ ready: false, reason: 'expired' });
    expect(h.telemetry.ofType('artifact.expired')).toHaveLength(1);
  });

  it('is enforced on reads even when the wall clock jumps (no timer fired)', async () => {
    const h = await coreHarness();
    h.source.publish(await h.pack(TREE, { expiresAt: new Date(h.clock.now() + 60_000).toISOString() }));
    await h.refresher.refresh();
    h.clock.set(h.clock.now() + 120_000);
    expect(await codeOf(h.service.read())).toBe('expired');
  });

  it('is enforced on unchanged polls', async () => {
    const h = await coreHarness();
    h.source.publish(await h.pack(TREE, { expiresAt: new Date(h.clock.now() + 60_000).toISOString() }));
    await h.refresher.refresh();
    h.clock.set(h.clock.now() + 61_000);
    const o = await h.refresher.refresh();
    expect(o.status === 'failed' && o.error.code).toBe('expired');
  });

  it('an already expired artifact is never loaded; an unparseable expiresAt is rejected', async () => {
    const h = await coreHarness();
    h.source.publish(await h.pack(TREE, { expiresAt: new Date(h.clock.now() - 1).toISOString() }));
    let o = await h.refresher.refresh();
    expect(o.status === 'failed' && o.error.code).toBe('expired');
    h.source.publish(await h.pack(TREE, { expiresAt: 'next tuesday' }));
    o = await h.refresher.refresh();
    expect(o.status === 'failed' && o.error.code).toBe('invalid_expiry');
    expect(h.decryptor.calls).toBe(0);
  });
});

describe('JIT mode (TTL 0)', () => {
  it('decrypts on every read, coalescing concurrent reads, keeping no plaintext', async () => {
    const h = await coreHarness({ mode: 'jit', ttlMs: 0 });
    h.source.publish(await h.pack());
    await h.refresher.refresh();
    expect(h.state.snapshot).toBeNull();
    const callsAfterLoad = h.decryptor.calls;
    let release!: () => void;
    h.decryptor.gate = new Promise((r) => (release = r));
    const reads = Array.from({ length: 20 }, () => h.service.read());
    release();
    const snaps = await Promise.all(reads);
    expect(h.decryptor.calls - callsAfterLoad).toBe(1);
    expect(JSON.parse(snaps[0].secretsJson)).toEqual(TREE);
    h.decryptor.gate = null;
    await h.service.read();
    expect(h.decryptor.calls - callsAfterLoad).toBe(2);
  });

  it('re-checks expiry on every read', async () => {
    const h = await coreHarness({ mode: 'jit', ttlMs: 0 });
    h.source.publish(await h.pack(TREE, { expiresAt: new Date(h.clock.now() + 1_000).toISOString() }));
    await h.refresher.refresh();
    await h.service.read();
    h.clock.set(h.clock.now() + 2_000);
    expect(await codeOf(h.service.read())).toBe('expired');
  });
});

describe('artifact cache', () => {
  it('stores only verified documents and serves them, verified again, when the source is down at start', async () => {
    const cache = new MemoryArtifactCache();
    const a = await coreHarness({ cache });
    const doc = await a.pack();
    a.source.publish(doc);
    await a.refresher.refresh();
    a.source.publish('{"version":1,"garbage":true}');
    await a.refresher.refresh();
    expect((await cache.get(a.source.cacheKey))?.document).toBe(doc);

    const b = await coreHarness({ cache, source: a.source });
    // b has another age identity: prove it verifies+decrypts the cached copy itself
    b.deps.decryptor = a.deps.decryptor;
    a.source.fail(new AgentError('source_unavailable', 'down'));
    b.clock.set(a.clock.now());
    const o = await b.refresher.refresh();
    expect(o.status === 'failed' && o.servedFromCache).toBe(true);
    expect(b.service.health()).toMatchObject({ ready: true, servedFrom: 'cache', lastError: { code: 'source_unavailable' } });
    expect(JSON.parse((await b.service.read()).secretsJson)).toEqual(TREE);
  });

  it('revocation deletes the cached copy', async () => {
    const cache = new MemoryArtifactCache();
    const h = await coreHarness({ cache });
    h.source.publish(await h.pack());
    await h.refresher.refresh();
    h.source.publish(JSON.stringify({ version: 1, revokedAt: '2026-05-01T12:00:00Z' }));
    await h.refresher.refresh();
    expect(await cache.get(h.source.cacheKey)).toBeUndefined();
  });
});
