/**
 * assertTrustedPath with real ownership: the tests run as root, and `nobody` plays the
 * other local user. Layouts are built under a private mkdtemp directory (0700, root).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lchownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFileArtifactCache } from '../../src/adapters/cache/file-cache';
import { ConfigError } from '../../src/app/config/config-error';
import { tokenFromFile } from '../../src/app/config/secret-files';
import { assertTrustedPath } from '../../src/app/config/trusted-path';

const NOBODY = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'clef-trusted-'));
  chmodSync(root, 0o755);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function file(rel: string, mode = 0o600, uid = 0): string {
  const p = path.join(root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, 'content\n', { mode });
  chmodSync(p, mode);
  chownSync(p, uid, uid);
  return p;
}

function dir(rel: string, mode: number, uid = 0): string {
  const p = path.join(root, rel);
  mkdirSync(p, { recursive: true });
  chmodSync(p, mode);
  chownSync(p, uid, uid);
  return p;
}

async function refusal(p: string, kind: 'file' | 'directory' = 'file'): Promise<string> {
  try {
    assertTrustedPath('CLEF_AGENT_TOKEN_FILE', p, kind);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  return 'accepted';
}

it('accepts a file of this user in a private directory', async () => {
  await expect(refusal(file('keys/token'))).resolves.toBe('accepted');
});

it('refuses a file another user owns, naming the path and the fix', async () => {
  const p = file('keys/token', 0o600, NOBODY);
  const message = await refusal(p);
  expect(message).toMatch(/^CLEF_AGENT_TOKEN_FILE /);
  expect(message).toContain(p);
  expect(message).toContain(`owned by uid ${NOBODY}`);
  expect(message).toContain('fix: chown');
});

it('refuses a file writable by group or others', async () => {
  const p = file('keys/token', 0o664);
  expect(await refusal(p)).toContain(`fix: chmod go-w ${p}`);
});

it('refuses a file in a directory others can write (not sticky)', async () => {
  const shared = dir('shared', 0o777);
  const p = file('shared/token');
  const message = await refusal(p);
  expect(message).toContain(`${shared} (on the path to it) is writable by group or others`);
});

it('refuses a file below a directory another user owns, even a read-only one', async () => {
  dir('theirs', 0o755, NOBODY);
  const p = file('theirs/token');
  chownSync(path.join(root, 'theirs'), NOBODY, NOBODY);
  expect(await refusal(p)).toContain(`owned by uid ${NOBODY}`);
});

it('a sticky shared directory (like /tmp) is safe when the entry below it is ours or root’s, not another user’s', async () => {
  dir('tmp', 0o1777);
  await expect(refusal(file('tmp/mine'))).resolves.toBe('accepted');
  const planted = file('tmp/planted', 0o600, NOBODY);
  const message = await refusal(planted);
  expect(message).toContain('sits in the shared directory');
  // The finding: another user created the token file first in a shared directory.
  const dirOfTheirs = dir('tmp/theirs', 0o700, NOBODY);
  expect(await refusal(path.join(dirOfTheirs, 'token'))).toContain(`owned by uid ${NOBODY}`);
});

it('refuses a symlink another user owns, even to a good file', async () => {
  dir('tmp', 0o1777);
  const good = file('keys/token');
  const link = path.join(root, 'tmp/link');
  symlinkSync(good, link);
  lchownSync(link, NOBODY, NOBODY);
  expect(await refusal(link)).toContain(`${link} is owned by uid ${NOBODY}`);
});

it('accepts a Kubernetes Secret volume: sticky root volume, ..data symlink, read-only root files', async () => {
  const volume = dir('secret', 0o1777);
  dir('secret/..2026_12_05_01_00_00.123456789', 0o755);
  file('secret/..2026_12_05_01_00_00.123456789/token', 0o644);
  symlinkSync('..2026_12_05_01_00_00.123456789', path.join(volume, '..data'));
  symlinkSync('..data/token', path.join(volume, 'token'));
  await expect(refusal(path.join(volume, 'token'))).resolves.toBe('accepted');
  // The same layout where another user owns the timestamped directory is refused.
  chownSync(path.join(volume, '..2026_12_05_01_00_00.123456789'), NOBODY, NOBODY);
  expect(await refusal(path.join(volume, 'token'))).toContain(`owned by uid ${NOBODY}`);
});

it('a missing file is left to the reader, but not in a directory another user controls', async () => {
  dir('keys', 0o700);
  await expect(refusal(path.join(root, 'keys/not-yet'))).resolves.toBe('accepted');
  dir('theirs', 0o700, NOBODY);
  expect(await refusal(path.join(root, 'theirs/not-yet'))).toContain(`owned by uid ${NOBODY}`);
});

it('directories: ours at any mode (the cache makes it 0700), another user’s never', async () => {
  await expect(refusal(dir('cache', 0o777), 'directory')).resolves.toBe('accepted');
  expect(await refusal(dir('their-cache', 0o700, NOBODY), 'directory')).toContain(`owned by uid ${NOBODY}`);
  expect(await refusal(dir('root-open', 0o777, 0), 'directory')).toBe('accepted'); // root is this user here
});

describe('the token file the agent generates', () => {
  it('is created in a sticky shared directory, owned by this user, and accepted on the next start', async () => {
    const shared = dir('tmp', 0o1777);
    const target = path.join(shared, 'agent.token');
    const first = await tokenFromFile(target);
    expect(first.generated).toBe(true);
    expect(statSync(target).uid).toBe(process.getuid!());
    expect(statSync(target).mode & 0o777).toBe(0o600);
    await expect(tokenFromFile(target)).resolves.toEqual({ token: first.token, generated: false });
  });

  it('is not generated in a directory another user controls', async () => {
    const theirs = dir('theirs', 0o755, NOBODY);
    await expect(tokenFromFile(path.join(theirs, 'agent.token'))).rejects.toThrow(`owned by uid ${NOBODY}`);
    expect(existsSync(path.join(theirs, 'agent.token'))).toBe(false);
  });
});

describe('the cache directory at run time (private-directory.ts)', () => {
  it('refuses a directory another user owns, even one only they can write', async () => {
    const theirs = dir('cache', 0o755, NOBODY);
    const cache = createFileArtifactCache(theirs);
    await expect(cache.set('k', { document: '{}', revision: 'r', confirmedAt: 1 })).rejects.toMatchObject({ code: 'cache_unavailable' });
    await cache.close();
  });
});
