import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Keyv } from 'keyv';
import { createFileArtifactCache } from '../../../src/adapters/cache/file-cache';
import { FileKeyvStore, fileNameFor } from '../../../src/adapters/cache/file-store';
import { KeyvArtifactCache, storageKeyFor, type CacheWarningCode } from '../../../src/adapters/cache/keyv-artifact-cache';
import { sampleEntry } from '../../contracts/artifact-cache.contract';
import { useTempRoot } from './temp-dir';

const temp = useTempRoot();
const capabilities = { persistent: false, shared: false };

function withWarnings() {
  const seen: Array<[CacheWarningCode, string]> = [];
  const keyv = new Keyv();
  const cache = new KeyvArtifactCache(keyv, { capabilities, onWarning: (code, message) => void seen.push([code, message]) });
  return { keyv, cache, seen };
}

describe('KeyvArtifactCache shape validation', () => {
  const good = sampleEntry();
  const foreign: Array<[string, unknown]> = [
    ['a string', 'just text'],
    ['an array', [good]],
    ['null document', { ...good, document: null }],
    ['numeric revision', { ...good, revision: 7 }],
    ['missing confirmedAt', { document: 'd', revision: 'r' }],
    ['string confirmedAt', { ...good, confirmedAt: '1750000000000' }],
    ['non-finite confirmedAt', { ...good, confirmedAt: Number.POSITIVE_INFINITY }],
    ['array validator', { ...good, validator: ['etag'] }],
    ['validator with a number member', { ...good, validator: { etag: 5 } }],
  ];

  it.each(foreign)('reads an entry with %s as undefined and warns cache_corrupt', async (_label, value) => {
    const { keyv, cache, seen } = withWarnings();
    await keyv.set(storageKeyFor('k'), value);
    await expect(cache.get('k')).resolves.toBeUndefined();
    expect(seen.map(([code]) => code)).toEqual(['cache_corrupt']);
  });

  it('drops unknown members and unknown validator fields', async () => {
    const { keyv, cache, seen } = withWarnings();
    await keyv.set(storageKeyFor('k'), { ...good, extra: 'x', validator: { ...good.validator, other: 'y' } });
    await expect(cache.get('k')).resolves.toEqual(good);
    expect(seen).toEqual([]);
  });

  it('stores under the sha256 of the key, never the key itself', async () => {
    const { keyv, cache } = withWarnings();
    await cache.set('https://host/secret-path', good);
    await expect(keyv.get(storageKeyFor('https://host/secret-path'))).resolves.toEqual(good);
    await expect(keyv.get('https://host/secret-path')).resolves.toBeUndefined();
  });
});

describe('KeyvArtifactCache over the file store', () => {
  it.each([
    ['not JSON', '{"value":'],
    ['JSON without a keyv envelope', '{"document":"d","revision":"r","confirmedAt":1}'],
    ['a JSON scalar', '42'],
  ])('treats %s as corrupt', async (_label, content) => {
    const dir = join(temp.root(), 'cache');
    const seen: CacheWarningCode[] = [];
    const cache = createFileArtifactCache(dir, { onWarning: (code) => void seen.push(code) });
    await cache.set('k', sampleEntry());
    await writeFile(join(dir, fileNameFor(storageKeyFor('k'))), content);
    await expect(cache.get('k')).resolves.toBeUndefined();
    expect(seen).toEqual(['cache_corrupt']);
    await cache.close();
  });

  it('survives a throwing warning listener', async () => {
    const dir = join(temp.root(), 'cache');
    const cache = new KeyvArtifactCache(new FileKeyvStore(dir), {
      capabilities,
      onWarning: () => {
        throw new Error('listener bug');
      },
    });
    await cache.set('k', sampleEntry());
    await writeFile(join(dir, fileNameFor(storageKeyFor('k'))), 'garbage');
    await expect(cache.get('k')).resolves.toBeUndefined();
    await cache.close();
  });

  it('rejects operations after close with cache_unavailable', async () => {
    const cache = createFileArtifactCache(join(temp.root(), 'cache'));
    await cache.close();
    await expect(cache.set('k', sampleEntry())).rejects.toMatchObject({ code: 'cache_unavailable' });
    await expect(cache.delete('k')).rejects.toMatchObject({ code: 'cache_unavailable' });
  });

  it('reports its capabilities', () => {
    expect(createFileArtifactCache(join(temp.root(), 'cache')).capabilities).toEqual({ persistent: true, shared: false });
  });
});
