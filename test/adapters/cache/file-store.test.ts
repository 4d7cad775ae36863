import { chmod, lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileArtifactCache } from '../../../src/adapters/cache/file-cache';
import { FileKeyvStore, fileNameFor } from '../../../src/adapters/cache/file-store';
import { storageKeyFor, type CacheWarningCode } from '../../../src/adapters/cache/keyv-artifact-cache';
import { sampleEntry } from '../../contracts/artifact-cache.contract';
import { useTempRoot } from './temp-dir';

const temp = useTempRoot();
const mode = async (path: string) => (await lstat(path)).mode & 0o777;
const entryPath = (dir: string, key: string) => join(dir, fileNameFor(storageKeyFor(key)));

function warnings() {
  const seen: CacheWarningCode[] = [];
  return { seen, onWarning: (code: CacheWarningCode) => void seen.push(code) };
}

describe('file cache permissions', () => {
  it('creates the directory 0700 and entry files 0600', async () => {
    const dir = join(temp.root(), 'a', 'cache');
    const cache = createFileArtifactCache(dir);
    await cache.set('k', sampleEntry());
    expect(await mode(dir)).toBe(0o700);
    expect(await mode(join(temp.root(), 'a'))).toBe(0o700);
    expect(await mode(entryPath(dir, 'k'))).toBe(0o600);
    await cache.close();
  });

  it('keeps 0700/0600 when the umask is 0', async () => {
    const previous = process.umask(0);
    try {
      const dir = join(temp.root(), 'cache');
      const cache = createFileArtifactCache(dir);
      await cache.set('k', sampleEntry());
      await cache.set('k', sampleEntry()); // and on replace
      expect(await mode(dir)).toBe(0o700);
      expect(await mode(entryPath(dir, 'k'))).toBe(0o600);
      await cache.close();
    } finally {
      process.umask(previous);
    }
  });

  it('tightens an existing directory of ours to 0700', async () => {
    const dir = join(temp.root(), 'cache');
    await mkdir(dir);
    await chmod(dir, 0o755);
    const cache = createFileArtifactCache(dir);
    await cache.set('k', sampleEntry());
    expect(await mode(dir)).toBe(0o700);
    await cache.close();
  });
});

describe('file cache atomic replace', () => {
  it('leaves only entry files behind after writes and overwrites', async () => {
    const dir = join(temp.root(), 'cache');
    const cache = createFileArtifactCache(dir);
    await Promise.all(Array.from({ length: 10 }, (_, i) => cache.set(i % 2 ? 'a' : 'b', sampleEntry())));
    const names = await readdir(dir);
    expect(names.sort()).toEqual([fileNameFor(storageKeyFor('a')), fileNameFor(storageKeyFor('b'))].sort());
    await cache.close();
  });

  it('removes its temp file when the replace fails, and rejects with a code', async () => {
    const dir = join(temp.root(), 'cache');
    const cache = createFileArtifactCache(dir);
    await cache.set('other', sampleEntry());
    await mkdir(entryPath(dir, 'k')); // a directory where the entry goes: rename must fail
    await expect(cache.set('k', sampleEntry())).rejects.toMatchObject({ code: 'cache_unavailable' });
    expect((await readdir(dir)).filter((n) => n.includes('.tmp-'))).toEqual([]);
    await cache.close();
  });
});

describe('file cache refuses symlinks', () => {
  it('refuses a symlinked directory and writes nothing through it', async () => {
    const real = join(temp.root(), 'real');
    await mkdir(real, { mode: 0o700 });
    const link = join(temp.root(), 'link');
    await symlink(real, link);
    const w = warnings();
    const cache = createFileArtifactCache(link, { onWarning: w.onWarning });
    await expect(cache.set('k', sampleEntry())).rejects.toMatchObject({ code: 'cache_unavailable' });
    await expect(cache.get('k')).resolves.toBeUndefined();
    expect(w.seen).toEqual(['cache_unavailable']);
    expect(await readdir(real)).toEqual([]);
    await cache.close();
  });

  it('ignores an entry that is a symlink (as corrupt)', async () => {
    const dir = join(temp.root(), 'cache');
    const w = warnings();
    const cache = createFileArtifactCache(dir, { onWarning: w.onWarning });
    await cache.set('planted', sampleEntry());
    await symlink(entryPath(dir, 'planted'), entryPath(dir, 'k'));
    await expect(cache.get('k')).resolves.toBeUndefined();
    expect(w.seen).toEqual(['cache_corrupt']);
    await cache.close();
  });

  it('refuses a path that is a file, not a directory', async () => {
    const path = join(temp.root(), 'file');
    await writeFile(path, 'x');
    const w = warnings();
    const cache = createFileArtifactCache(path, { onWarning: w.onWarning });
    await expect(cache.get('k')).resolves.toBeUndefined();
    await expect(cache.delete('k')).rejects.toMatchObject({ code: 'cache_unavailable' });
    expect(w.seen).toEqual(['cache_unavailable']);
    await cache.close();
  });
});

describe('FileKeyvStore', () => {
  it('clear removes its own entries and temp files only', async () => {
    const dir = join(temp.root(), 'cache');
    const store = new FileKeyvStore(dir);
    await store.set('one', '{"value":1}');
    await store.set('two', '{"value":2}');
    const stray = `${fileNameFor('three')}.tmp-0123456789abcdef`;
    await writeFile(join(dir, stray), 'partial');
    await writeFile(join(dir, 'README'), 'not ours');
    await store.clear();
    expect(await readdir(dir)).toEqual(['README']);
  });

  it('names files by sha256 of the key and stores the value verbatim', async () => {
    const dir = join(temp.root(), 'cache');
    const store = new FileKeyvStore(dir);
    await store.set('https://host/path?x=1', 'payload');
    expect(await readdir(dir)).toEqual([fileNameFor('https://host/path?x=1')]);
    expect(await readFile(join(dir, fileNameFor('https://host/path?x=1')), 'utf8')).toBe('payload');
    await expect(store.get('https://host/path?x=1')).resolves.toBe('payload');
    await expect(store.delete('https://host/path?x=1')).resolves.toBe(true);
    await expect(store.delete('https://host/path?x=1')).resolves.toBe(false);
    expect((await stat(dir)).isDirectory()).toBe(true);
  });

  it('treats an oversized entry as corrupt', async () => {
    const dir = join(temp.root(), 'cache');
    const store = new FileKeyvStore(dir, { maxEntryBytes: 8 });
    await store.set('k', 'more than eight bytes');
    await expect(store.get('k')).rejects.toMatchObject({ code: 'cache_corrupt' });
  });
});
