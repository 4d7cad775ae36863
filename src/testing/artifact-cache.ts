/**
 * The behaviour every ArtifactCache adapter must share. Optional harness hooks unlock the
 * corruption case; `capabilities.persistent` requires `reopen` and unlocks persistence.
 *
 *   testArtifactCache(runner, 'my-cache', async () => ({ cache, corrupt, reopen, close }));
 */
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import type { ArtifactCache, CachedArtifact } from '../domain/ports/artifact-cache';
import { rejection, type TestRunner } from './runner';

export interface CacheHarness {
  cache: ArtifactCache;
  /** Write garbage where the entry for `key` lives. */
  corrupt?(key: string): Promise<void>;
  /** A new instance over the same storage, for persistent caches. */
  reopen?(): Promise<ArtifactCache>;
  close(): Promise<void>;
}

let seq = 0;
/** A distinct, valid entry (unicode document, full validator) each call. */
export function sampleEntry(overrides: Partial<CachedArtifact> = {}): CachedArtifact {
  seq += 1;
  return {
    document: `{"version":1,"ciphertext":"héllo 🔐 ${seq}"}`,
    revision: `rev-${seq}`,
    validator: { etag: `"etag-${seq}"`, lastModified: 'Tue, 01 Jul 2025 10:00:00 GMT', contentId: `sha-${seq}` },
    confirmedAt: 1_750_000_000_000 + seq,
    ...overrides,
  };
}

/** Plain data for comparison: what a JSON or structured-clone store gives back. */
const plain = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

export function testArtifactCache(runner: TestRunner, name: string, factory: () => Promise<CacheHarness>): void {
  const { describe, test, beforeEach, afterEach } = runner;
  describe(`ArtifactCache contract: ${name}`, () => {
    let harness: CacheHarness;
    let extra: ArtifactCache[] = [];
    const read = async (key: string, cache = harness.cache) => plain(await cache.get(key));
    beforeEach(async () => {
      harness = await factory();
      extra = [];
    });
    afterEach(async () => {
      for (const cache of extra) await cache.close();
      await harness.close();
    });

    test('returns undefined for a missing key', async () => {
      assert.equal(await harness.cache.get('never-set'), undefined);
    });

    test('round-trips an entry with unicode, a 100 KiB document, a validator and confirmedAt', async () => {
      const big = `${'ünïcødé ✓ '.repeat(10)}${'x'.repeat(100 * 1024)}`;
      const entry = sampleEntry({ document: big });
      await harness.cache.set('k', entry);
      assert.deepEqual(await read('k'), plain(entry));
    });

    test('round-trips an entry without a validator', async () => {
      const { validator: _omitted, ...entry } = sampleEntry();
      await harness.cache.set('k', entry);
      const got = await harness.cache.get('k');
      assert.deepEqual(plain(got), plain(entry));
      assert.equal(got !== undefined && 'validator' in got, false);
    });

    test('hands out copies: mutating what was stored or read changes nothing', async () => {
      const entry = sampleEntry();
      const original = plain(entry);
      await harness.cache.set('k', entry);
      entry.validator!.etag = 'mutated';
      const got = await harness.cache.get('k');
      got!.validator!.etag = 'mutated too';
      assert.deepEqual(await read('k'), original);
    });

    test('overwrites an entry', async () => {
      await harness.cache.set('k', sampleEntry());
      const second = sampleEntry();
      await harness.cache.set('k', second);
      assert.deepEqual(await read('k'), plain(second));
    });

    test('deletes an entry, and deleting a missing one is fine', async () => {
      await harness.cache.set('k', sampleEntry());
      await harness.cache.delete('k');
      assert.equal(await harness.cache.get('k'), undefined);
      assert.equal(await harness.cache.delete('k'), undefined);
    });

    test('keeps keys isolated', async () => {
      const a = sampleEntry();
      const b = sampleEntry();
      await harness.cache.set('source-a', a);
      assert.equal(await harness.cache.get('source-b'), undefined);
      await harness.cache.set('source-b', b);
      assert.deepEqual(await read('source-a'), plain(a));
      assert.deepEqual(await read('source-b'), plain(b));
      await harness.cache.delete('source-a');
      assert.deepEqual(await read('source-b'), plain(b));
    });

    test('rejects an entry of invalid shape on set', async () => {
      const bad = { ...sampleEntry(), confirmedAt: Number.NaN };
      assert.equal((await rejection(harness.cache.set('k', bad), 'set')).code, 'cache_corrupt');
      assert.equal(await harness.cache.get('k'), undefined);
    });

    test('leaves one complete entry after concurrent sets to the same key', async () => {
      const entries = Array.from({ length: 12 }, (_, i) => sampleEntry({ document: `${i}:${'d'.repeat(20_000 + i)}` }));
      await Promise.all(entries.map((e) => harness.cache.set('k', e)));
      const got = await read('k');
      assert.ok(entries.some((e) => isDeepStrictEqual(plain(e), got)), 'the entry read is none of those written');
    });

    test('reads a corrupt entry as undefined, never throwing', async () => {
      if (!harness.corrupt) return; // this storage cannot be corrupted from outside
      await harness.cache.set('k', sampleEntry());
      await harness.corrupt('k');
      assert.equal(await harness.cache.get('k'), undefined);
      // The slot stays usable.
      const fresh = sampleEntry();
      await harness.cache.set('k', fresh);
      assert.deepEqual(await read('k'), plain(fresh));
    });

    test('keeps a trust record per key, apart from the entry, and round-trips it', async () => {
      assert.equal(await harness.cache.getTrust('k'), undefined);
      const record = { highestRevisionMs: 1_800_000_000_002, revoked: { revokedAt: '2027-01-15T10:00:00.000Z', coversUpToMs: 1_800_000_000_002 } };
      await harness.cache.set('k', sampleEntry());
      await harness.cache.setTrust('k', record);
      assert.deepEqual(plain(await harness.cache.getTrust('k')), record);
      assert.equal(await harness.cache.getTrust('other'), undefined);
      // Purging the entry (revocation) keeps the record: that is where the tombstone lives.
      await harness.cache.delete('k');
      assert.equal(await harness.cache.get('k'), undefined);
      assert.deepEqual(plain(await harness.cache.getTrust('k')), record);
      await harness.cache.setTrust('k', { highestRevisionMs: 1_800_000_000_003 });
      assert.deepEqual(plain(await harness.cache.getTrust('k')), { highestRevisionMs: 1_800_000_000_003 });
    });

    test('refuses a trust record of invalid shape and hands out copies', async () => {
      assert.equal((await rejection(harness.cache.setTrust('k', { highestRevisionMs: -1 }), 'setTrust')).code, 'cache_corrupt');
      assert.equal((await rejection(harness.cache.setTrust('k', { highestRevisionMs: Number.NaN }), 'setTrust')).code, 'cache_corrupt');
      assert.equal((await rejection(harness.cache.setTrust('k', { revoked: { revokedAt: 'x', coversUpToMs: 1.5 } }), 'setTrust')).code, 'cache_corrupt');
      assert.equal(await harness.cache.getTrust('k'), undefined);
      const record = { highestRevisionMs: 5 };
      await harness.cache.setTrust('k', record);
      record.highestRevisionMs = 1;
      const got = await harness.cache.getTrust('k');
      got!.highestRevisionMs = 2;
      assert.deepEqual(plain(await harness.cache.getTrust('k')), { highestRevisionMs: 5 });
    });

    test('persists trust records across reopen when capabilities.persistent', async () => {
      if (!harness.cache.capabilities.persistent) return assert.equal(harness.reopen, undefined, 'reopen given but capabilities.persistent is false');
      await harness.cache.setTrust('k', { highestRevisionMs: 1_800_000_000_009 });
      const reopened = await harness.reopen!();
      extra.push(reopened);
      assert.deepEqual(plain(await reopened.getTrust('k')), { highestRevisionMs: 1_800_000_000_009 });
    });

    test('persists across reopen when capabilities.persistent', async () => {
      if (!harness.cache.capabilities.persistent) return assert.equal(harness.reopen, undefined, 'reopen given but capabilities.persistent is false');
      assert.ok(harness.reopen, 'a persistent cache needs a harness reopen()');
      const entry = sampleEntry();
      await harness.cache.set('k', entry);
      const reopened = await harness.reopen();
      extra.push(reopened);
      assert.deepEqual(await read('k', reopened), plain(entry));
    });
  });
}
