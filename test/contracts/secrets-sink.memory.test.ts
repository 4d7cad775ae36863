/**
 * The SecretsSink contract against the in-memory reference adapter, plus what the suite
 * leaves to each adapter: configured targets, copies, and a path made unwritable.
 */
import { MemorySecretsSink } from '../../src/adapters/memory/memory-secrets-sink';
import { secretsSinkContract } from './secrets-sink.contract';

const FILE = '/run/secrets/app.env';
const DIRECTORY = '/run/secrets/dir';

secretsSinkContract('memory', async () => {
  const sink = new MemorySecretsSink({ targets: [{ path: DIRECTORY, kind: 'directory' }, { path: FILE, kind: 'file' }] });
  return {
    sink,
    file: FILE,
    directory: DIRECTORY,
    read: async (p) => sink.read(p),
    list: async (d) => sink.list(d),
    breakFile: async () => void sink.unwritable.add(FILE),
    close: () => sink.close(),
  };
});

describe('MemorySecretsSink', () => {
  it('refuses an output it was not configured with, or of another kind, changing nothing', async () => {
    const sink = new MemorySecretsSink({ targets: [{ path: FILE, kind: 'file' }] });
    await sink.publish('r1', [{ path: FILE, kind: 'file', content: 'one' }]);
    await expect(sink.publish('r2', [{ path: FILE, kind: 'file', content: 'two' }, { path: '/elsewhere', kind: 'file', content: 'x' }])).rejects.toMatchObject({ code: 'files_write_failed' });
    await expect(sink.publish('r2', [{ path: FILE, kind: 'directory', files: [['A', 'a']] }])).rejects.toMatchObject({ code: 'files_write_failed' });
    expect(sink.read(FILE)).toBe('one');
    expect(sink.revision).toBe('r1');
    await sink.withdraw();
    expect(sink.revision).toBeUndefined();
  });

  it('accepts any path without targets, and refuses a directory naming a file twice', async () => {
    const sink = new MemorySecretsSink();
    expect((await sink.publish('r1', [{ path: '/any', kind: 'directory', files: [['A', 'a']] }])).changed).toEqual(['/any']);
    await expect(sink.publish('r2', [{ path: '/any', kind: 'directory', files: [['A', 'b'], ['A', 'c']] }])).rejects.toMatchObject({ code: 'files_write_failed' });
    expect(sink.list('/any')).toEqual({ A: 'a' });
  });

  it('holds copies: changing what was published or read changes nothing held', async () => {
    const sink = new MemorySecretsSink();
    const files: Array<[string, string]> = [['A', 'a']];
    await sink.publish('r1', [{ path: DIRECTORY, kind: 'directory', files }]);
    files[0][1] = 'changed';
    files.push(['B', 'b']);
    sink.list(DIRECTORY).A = 'changed too';
    expect(sink.list(DIRECTORY)).toEqual({ A: 'a' });
  });

  it('an unwritable path fails with files_unsafe_path until it is writable again', async () => {
    const sink = new MemorySecretsSink();
    sink.unwritable.add(FILE);
    await expect(sink.publish('r1', [{ path: FILE, kind: 'file', content: 'x' }])).rejects.toMatchObject({ code: 'files_unsafe_path' });
    await expect(sink.publish('r1', [{ path: FILE, kind: 'file', content: 'x' }])).rejects.toMatchObject({ code: 'files_unsafe_path' });
    sink.unwritable.delete(FILE);
    expect((await sink.publish('r1', [{ path: FILE, kind: 'file', content: 'x' }])).changed).toEqual([FILE]);
  });
});
