/**
 * The SecretsSink contract against the filesystem adapter, plus what only a filesystem
 * has: the AtomicWriter layout, modes, untouched mtimes, refused symlinks and conflicts.
 */
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileSink, type OutputTarget } from '../../src/adapters/files/file-sink';
import { secretsSinkContract } from './secrets-sink.contract';

function targets(root: string, extra: Partial<OutputTarget> = {}): OutputTarget[] {
  return [
    { path: path.join(root, 'dir'), kind: 'directory', mode: 0o600, dirMode: 0o700, ...extra },
    { path: path.join(root, 'sub', 'app.env'), kind: 'file', mode: 0o600, dirMode: 0o700, ...extra },
  ];
}

const roots: string[] = [];
function newRoot(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'clef-sink-'));
  roots.push(root);
  return root;
}
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function readOrUndefined(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

secretsSinkContract('files', async () => {
  const root = newRoot();
  const [dir, file] = targets(root);
  const sink = new FileSink({ targets: targets(root) });
  return {
    sink,
    file: file.path,
    directory: dir.path,
    read: async (p) => readOrUndefined(p),
    list: async (d) => {
      const out: Record<string, string> = {};
      for (const name of readdirSync(d)) if (!name.startsWith('..')) out[name] = readFileSync(path.join(d, name), 'utf8');
      return out;
    },
    // A directory where the file should go: the sink must refuse, not write through it.
    breakFile: async () => {
      rmSync(file.path, { force: true });
      mkdirSync(file.path);
    },
    close: () => sink.close(),
  };
});

describe('FileSink on disk', () => {
  it('lays a directory out as Kubernetes AtomicWriter does, with the configured modes', async () => {
    const root = newRoot();
    const sink = new FileSink({ targets: targets(root, { mode: 0o640, dirMode: 0o750 }) });
    await sink.publish('r1', [
      { path: path.join(root, 'dir'), kind: 'directory', files: [['A', 'one']] },
      { path: path.join(root, 'sub', 'app.env'), kind: 'file', content: 'x' },
    ]);
    const dir = path.join(root, 'dir');
    const data = readlinkSync(path.join(dir, '..data'));
    expect(data).toMatch(/^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.[0-9a-f]{12}$/);
    expect(readlinkSync(path.join(dir, 'A'))).toBe('..data/A');
    expect(statSync(path.join(dir, data)).mode & 0o777).toBe(0o750); // readers of the files can traverse
    expect(statSync(path.join(dir, 'A')).mode & 0o777).toBe(0o640);
    expect(statSync(dir).mode & 0o777).toBe(0o750);
    expect(statSync(path.join(root, 'sub')).mode & 0o777).toBe(0o750);
    expect(statSync(path.join(root, 'sub', 'app.env')).mode & 0o777).toBe(0o640);
    // no temp files or old revisions left behind
    expect(readdirSync(dir).sort()).toEqual(['..data', 'A', data].sort());
    expect(readdirSync(path.join(root, 'sub'))).toEqual(['app.env']);
    await sink.close();
  });

  it('an unchanged publish touches nothing (same inode, same mtime, same revision directory)', async () => {
    const root = newRoot();
    const sink = new FileSink({ targets: targets(root) });
    const outs = [
      { path: path.join(root, 'dir'), kind: 'directory' as const, files: [['A', 'one']] as Array<[string, string]> },
      { path: path.join(root, 'sub', 'app.env'), kind: 'file' as const, content: 'x' },
    ];
    await sink.publish('r1', outs);
    const stamp = () => {
      const st = statSync(path.join(root, 'sub', 'app.env'));
      return [st.ino, st.mtimeMs, readlinkSync(path.join(root, 'dir', '..data'))];
    };
    const before = stamp();
    expect((await sink.publish('r1', outs)).changed).toEqual([]);
    expect(stamp()).toEqual(before);
    // a mode changed by someone else is a change: it is put back
    chmodSync(path.join(root, 'sub', 'app.env'), 0o644);
    expect((await sink.publish('r1', outs)).changed).toEqual([path.join(root, 'sub', 'app.env')]);
    expect(statSync(path.join(root, 'sub', 'app.env')).mode & 0o777).toBe(0o600);
    await sink.close();
  });

  it('refuses a symlink where a directory is expected, and foreign files in a directory output', async () => {
    const root = newRoot();
    const elsewhere = newRoot();
    symlinkSync(elsewhere, path.join(root, 'dir'));
    const sink = new FileSink({ targets: targets(root) });
    await expect(sink.publish('r1', [{ path: path.join(root, 'dir'), kind: 'directory', files: [['A', 'one']] }])).rejects.toMatchObject({ code: 'files_unsafe_path' });
    expect(readdirSync(elsewhere)).toEqual([]);
    rmSync(path.join(root, 'dir'));
    mkdirSync(path.join(root, 'dir'));
    writeFileSync(path.join(root, 'dir', 'A'), 'not ours');
    await expect(sink.publish('r1', [{ path: path.join(root, 'dir'), kind: 'directory', files: [['A', 'one']] }])).rejects.toMatchObject({ code: 'files_conflict' });
    expect(readFileSync(path.join(root, 'dir', 'A'), 'utf8')).toBe('not ours');
    await sink.close();
  });

  it('replaces a symlink at a file destination instead of writing through it', async () => {
    const root = newRoot();
    const victim = path.join(newRoot(), 'victim');
    writeFileSync(victim, 'untouched');
    mkdirSync(path.join(root, 'sub'));
    symlinkSync(victim, path.join(root, 'sub', 'app.env'));
    const sink = new FileSink({ targets: targets(root) });
    await sink.publish('r1', [{ path: path.join(root, 'sub', 'app.env'), kind: 'file', content: 'secret' }]);
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(lstatSync(path.join(root, 'sub', 'app.env')).isFile()).toBe(true);
    await sink.close();
  });
});
