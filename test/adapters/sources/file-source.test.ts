/** FileSource specifics beyond the contract: bounded reads, non-regular files, paths. */
import { mkdtemp, mkdir, open, rm, symlink, writeFile, rename } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileSource } from '../../../src/adapters/sources/file-source';
import { sha256Hex } from '../../../src/adapters/sources/digest';
import { codeOf } from '../../contracts/artifact-source.contract';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'clef-file-source-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const poll = (s: FileSource) => s.fetch({ signal: new AbortController().signal });

it('rejects a huge (sparse, 1 GiB) file from its size alone', async () => {
  const file = path.join(dir, 'huge.json');
  const fh = await open(file, 'w');
  await fh.truncate(1024 ** 3);
  await fh.close();
  expect((await codeOf(poll(new FileSource({ path: file })))).code).toBe('source_too_large');
});

it('accepts exactly maxBytes', async () => {
  const file = path.join(dir, 'a.json');
  await writeFile(file, 'x'.repeat(100));
  expect(await poll(new FileSource({ path: file, maxBytes: 100 }))).toMatchObject({ kind: 'fetched', contentId: sha256Hex('x'.repeat(100)) });
});

// The first read of a source uses synchronous calls, every later one the thread pool: each
// case below reads twice, changing the file in between, so both paths read it whole.
it('reads files across and exactly at the 64 KiB read size, on the first read and on later ones', async () => {
  for (const size of [65_535, 65_536, 65_537, 200_017]) {
    const text = 'abcdefghij'.repeat(Math.ceil(size / 10)).slice(0, size);
    const file = path.join(dir, `${size}.json`);
    const source = new FileSource({ path: file });
    await writeFile(file, text);
    expect(await poll(source)).toMatchObject({ kind: 'fetched', document: text });
    await writeFile(file, text.toUpperCase());
    expect(await poll(source)).toMatchObject({ kind: 'fetched', document: text.toUpperCase() });
  }
});

it('reads a regular file whose size says 0 to its end, and still stops at the cap', async () => {
  // procfs files are regular files that report size 0 and have content, like a file that
  // grew after it was measured.
  const ostype = readFileSync('/proc/sys/kernel/ostype', 'utf8');
  expect(ostype.length).toBeGreaterThan(0);
  const source = new FileSource({ path: '/proc/sys/kernel/ostype' });
  expect(await poll(source)).toMatchObject({ kind: 'fetched', document: ostype });
  expect(await source.fetch({ signal: new AbortController().signal, previous: { contentId: sha256Hex(ostype) } })).toEqual({ kind: 'unchanged' });
  const capped = new FileSource({ path: '/proc/self/maps', maxBytes: 64 });
  for (const n of [1, 2]) expect([n, (await codeOf(poll(capped))).code]).toEqual([n, 'source_too_large']);
});

it('refuses a FIFO at once, first read and later ones, instead of waiting for a writer', async () => {
  const fifo = path.join(dir, 'artifact.fifo');
  execFileSync('mkfifo', [fifo]);
  const source = new FileSource({ path: fifo });
  for (const n of [1, 2]) expect([n, (await codeOf(poll(source))).code]).toEqual([n, 'source_bad_response']);
});

it('refuses directories and devices instead of reading them (no endless /dev/zero read)', async () => {
  expect((await codeOf(poll(new FileSource({ path: dir })))).code).toBe('source_bad_response');
  expect((await codeOf(poll(new FileSource({ path: '/dev/zero' })))).code).toBe('source_bad_response');
});

it('maps a path under a regular file (ENOTDIR) to source_not_found', async () => {
  await writeFile(path.join(dir, 'f'), '{}');
  expect((await codeOf(poll(new FileSource({ path: path.join(dir, 'f', 'x.json') })))).code).toBe('source_not_found');
});

it('follows a Kubernetes-style ..data symlink swap', async () => {
  await mkdir(path.join(dir, 'v1'));
  await mkdir(path.join(dir, 'v2'));
  await writeFile(path.join(dir, 'v1', 'a.json'), '{"v":1}');
  await writeFile(path.join(dir, 'v2', 'a.json'), '{"v":2}');
  await symlink('v1', path.join(dir, '..data'));
  await symlink(path.join('..data', 'a.json'), path.join(dir, 'a.json'));
  const s = new FileSource({ path: path.join(dir, 'a.json') });
  expect(await poll(s)).toMatchObject({ document: '{"v":1}' });
  await symlink('v2', path.join(dir, '..data_tmp'));
  await rename(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
  expect(await poll(s)).toMatchObject({ document: '{"v":2}' });
});

it('resolves a relative path once, for the description and cache key', () => {
  const s = new FileSource({ path: 'artifacts/prod.age.json' });
  const abs = path.resolve('artifacts/prod.age.json');
  expect(s.description).toBe(`file:${abs}`);
  expect(s.cacheKey).toBe(`file:${sha256Hex(abs)}`);
  expect(new FileSource({ path: abs }).cacheKey).toBe(s.cacheKey);
});
