/**
 * Behaviour every ArtifactCache adapter must share. Runners (artifact-cache.*.test.ts)
 * supply a factory; optional harness hooks unlock the corruption and persistence cases.
 */
import type { ArtifactCache, CachedArtifact } from '../../src/domain/ports/artifact-cache';

export interface CacheHarness {
  cache: ArtifactCache;
  /** Write garbage where the entry for `key` lives. */
  corrupt?(key: string): Promise<void>;
  /** A new instance over the same storage, for persistent caches. */
  reopen?(): Promise<ArtifactCache>;
  close(): Promise<void>;
}

let seq = 0;
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

export function artifactCacheContract(name: string, factory: () => Promise<CacheHarness>): void {
  describe(`ArtifactCache contract: ${name}`, () => {
    let harness: CacheHarness;
    let extra: ArtifactCache[] = [];
    beforeEach(async () => {
      harness = await factory();
      extra = [];
    });
    afterEach(async () => {
      for (const cache of extra) await cache.close();
      await harness.close();
    });

    it('returns undefined for a missing key', async () => {
      await expect(harness.cache.get('never-set')).resolves.toBeUndefined();
    });

    it('round-trips an entry with unicode, a 100 KiB document, a validator and confirmedAt', async () => {
      const big = `${'ünïcødé ✓ '.repeat(10)}${'x'.repeat(100 * 1024)}`;
      const entry = sampleEntry({ document: big });
      await harness.cache.set('k', entry);
      await expect(harness.cache.get('k')).resolves.toEqual(entry);
    });

    it('round-trips an entry without a validator', async () => {
      const { validator: _omitted, ...entry } = sampleEntry();
      await harness.cache.set('k', entry);
      const read = await harness.cache.get('k');
      expect(read).toEqual(entry);
      expect(read && 'validator' in read).toBe(false);
    });

    it('hands out copies: mutating what was stored or read changes nothing', async () => {
      const entry = sampleEntry();
      const original = structuredClone(entry);
      await harness.cache.set('k', entry);
      entry.validator!.etag = 'mutated';
      const read = await harness.cache.get('k');
      read!.validator!.etag = 'mutated too';
      await expect(harness.cache.get('k')).resolves.toEqual(original);
    });

    it('overwrites an entry', async () => {
      await harness.cache.set('k', sampleEntry());
      const second = sampleEntry();
      await harness.cache.set('k', second);
      await expect(harness.cache.get('k')).resolves.toEqual(second);
    });

    it('deletes an entry, and deleting a missing one is fine', async () => {
      await harness.cache.set('k', sampleEntry());
      await harness.cache.delete('k');
      await expect(harness.cache.get('k')).resolves.toBeUndefined();
      await expect(harness.cache.delete('k')).resolves.toBeUndefined();
    });

    it('keeps keys isolated', async () => {
      const a = sampleEntry();
      const b = sampleEntry();
      await harness.cache.set('source-a', a);
      await expect(harness.cache.get('source-b')).resolves.toBeUndefined();
      await harness.cache.set('source-b', b);
      await expect(harness.cache.get('source-a')).resolves.toEqual(a);
      await expect(harness.cache.get('source-b')).resolves.toEqual(b);
      await harness.cache.delete('source-a');
      await expect(harness.cache.get('source-b')).resolves.toEqual(b);
    });

    it('rejects an entry of invalid shape on set', async () => {
      const bad = { ...sampleEntry(), confirmedAt: Number.NaN };
      await expect(harness.cache.set('k', bad)).rejects.toMatchObject({ code: 'cache_corrupt' });
      await expect(harness.cache.get('k')).resolves.toBeUndefined();
    });

    it('leaves one complete entry after concurrent sets to the same key', async () => {
      const entries = Array.from({ length: 12 }, (_, i) => sampleEntry({ document: `${i}:${'d'.repeat(20_000 + i)}` }));
      await Promise.all(entries.map((e) => harness.cache.set('k', e)));
      const read = await harness.cache.get('k');
      expect(entries).toContainEqual(read);
    });

    it('reads a corrupt entry as undefined, never throwing', async () => {
      if (!harness.corrupt) return expect(harness.corrupt).toBeUndefined(); // adapter cannot be corrupted
      await harness.cache.set('k', sampleEntry());
      await harness.corrupt('k');
      await expect(harness.cache.get('k')).resolves.toBeUndefined();
      // The slot stays usable.
      const fresh = sampleEntry();
      await harness.cache.set('k', fresh);
      await expect(harness.cache.get('k')).resolves.toEqual(fresh);
    });

    it('keeps a trust record per key, apart from the entry, and round-trips it', async () => {
      await expect(harness.cache.getTrust('k')).resolves.toBeUndefined();
      const record = { highestRevisionMs: 1_800_000_000_002, revoked: { revokedAt: '2027-01-15T10:00:00.000Z', coversUpToMs: 1_800_000_000_002 } };
      await harness.cache.set('k', sampleEntry());
      await harness.cache.setTrust('k', record);
      await expect(harness.cache.getTrust('k')).resolves.toEqual(record);
      await expect(harness.cache.getTrust('other')).resolves.toBeUndefined();
      // Purging the entry (revocation) keeps the record: that is where the tombstone lives.
      await harness.cache.delete('k');
      await expect(harness.cache.get('k')).resolves.toBeUndefined();
      await expect(harness.cache.getTrust('k')).resolves.toEqual(record);
      await harness.cache.setTrust('k', { highestRevisionMs: 1_800_000_000_003 });
      await expect(harness.cache.getTrust('k')).resolves.toEqual({ highestRevisionMs: 1_800_000_000_003 });
    });

    it('refuses a trust record of invalid shape and hands out copies', async () => {
      await expect(harness.cache.setTrust('k', { highestRevisionMs: -1 })).rejects.toMatchObject({ code: 'cache_corrupt' });
      await expect(harness.cache.setTrust('k', { highestRevisionMs: Number.NaN })).rejects.toMatchObject({ code: 'cache_corrupt' });
      await expect(harness.cache.setTrust('k', { revoked: { revokedAt: 'x', coversUpToMs: 1.5 } })).rejects.toMatchObject({ code: 'cache_corrupt' });
      await expect(harness.cache.getTrust('k')).resolves.toBeUndefined();
      const record = { highestRevisionMs: 5 };
      await harness.cache.setTrust('k', record);
      record.highestRevisionMs = 1;
      const read = await harness.cache.getTrust('k');
      read!.highestRevisionMs = 2;
      await expect(harness.cache.getTrust('k')).resolves.toEqual({ highestRevisionMs: 5 });
    });

    it('persists trust records across reopen when capabilities.persistent', async () => {
      if (!harness.cache.capabilities.persistent) return expect(harness.reopen).toBeUndefined();
      await harness.cache.setTrust('k', { highestRevisionMs: 1_800_000_000_009 });
      const reopened = await harness.reopen!();
      extra.push(reopened);
      await expect(reopened.getTrust('k')).resolves.toEqual({ highestRevisionMs: 1_800_000_000_009 });
    });

    it('persists across reopen when capabilities.persistent', async () => {
      if (!harness.cache.capabilities.persistent) return expect(harness.reopen).toBeUndefined();
      expect(harness.reopen).toBeDefined();
      const entry = sampleEntry();
      await harness.cache.set('k', entry);
      const reopened = await harness.reopen!();
      extra.push(reopened);
      await expect(reopened.get('k')).resolves.toEqual(entry);
    });
  });
}
