import { randomBytes } from 'node:crypto';
import { constants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { AgentError } from '../../domain/errors';

/** Mode and ownership of what one output writes. */
export interface FileOwnership {
  /** File mode (default 0600). */
  mode: number;
  /** Mode of directories this output creates (default 0700). */
  dirMode: number;
  uid?: number;
  gid?: number;
}

/** A prepared change: `commit` makes it visible, `abort` removes what `prepare` wrote. */
export interface PreparedWrite {
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export function unsafe(p: string, why: string): AgentError {
  return new AgentError('files_unsafe_path', `refusing to write ${p}: ${why}`);
}

export function writeFailed(p: string, e: unknown): AgentError {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  return new AgentError('files_write_failed', `cannot write ${p} (${code})`, { cause: e });
}

async function lstatOrNull(p: string): Promise<Stats | null> {
  try {
    return await fs.lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Makes sure `dir` is a real directory (created with `dirMode` when missing, parents
 * too). A symlink where a directory is expected is refused: it could point anywhere.
 */
export async function ensureDirectory(dir: string, own: FileOwnership): Promise<void> {
  let st = await lstatOrNull(dir);
  if (st === null) {
    await fs.mkdir(dir, { recursive: true, mode: own.dirMode });
    await fs.chmod(dir, own.dirMode); // not the umask's choice
    st = await fs.lstat(dir);
  }
  if (st.isSymbolicLink()) throw unsafe(dir, 'it is a symbolic link where a directory is expected');
  if (!st.isDirectory()) throw unsafe(dir, 'it exists and is not a directory');
}

/** True when `p` is a regular file holding exactly `content` with this mode and owner. */
export async function sameFile(p: string, content: Buffer, own: FileOwnership): Promise<boolean> {
  const st = await lstatOrNull(p);
  if (st === null || !st.isFile()) return false;
  if ((st.mode & 0o7777) !== own.mode || st.size !== content.length) return false;
  if ((own.uid !== undefined && st.uid !== own.uid) || (own.gid !== undefined && st.gid !== own.gid)) return false;
  const handle = await fs.open(p, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return content.equals(await handle.readFile());
  } finally {
    await handle.close();
  }
}

/** Writes `content` to a new file (never an existing one, never through a link) and fsyncs it. */
export async function writeNewFile(p: string, content: Buffer, own: FileOwnership): Promise<void> {
  const handle = await fs.open(p, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, own.mode);
  try {
    await handle.chmod(own.mode); // the umask must not decide who may read a key
    if (own.uid !== undefined || own.gid !== undefined) await handle.chown(own.uid ?? -1, own.gid ?? -1);
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync of a directory, so a rename in it survives a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function hiddenName(base: string): string {
  return `.${base}.${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * A single-file output: a temp file in the same directory, fsynced, then renamed over
 * the destination, so a reader opens either the old file or the new one, whole. Returns
 * null when the file is already as it should be (nothing is touched: no mtime change).
 */
export async function prepareFile(dest: string, content: string, own: FileOwnership): Promise<PreparedWrite | null> {
  const dir = path.dirname(dest);
  const bytes = Buffer.from(content, 'utf8');
  try {
    await ensureDirectory(dir, own);
    const st = await lstatOrNull(dest);
    if (st?.isDirectory()) throw unsafe(dest, 'a directory is in the way of this file output');
    if (await sameFile(dest, bytes, own)) return null;
    const tmp = path.join(dir, hiddenName(path.basename(dest)));
    try {
      await writeNewFile(tmp, bytes, own);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
    return {
      commit: async () => {
        await fs.rename(tmp, dest); // replaces a symlink itself, never writes through it
        await syncDirectory(dir);
      },
      abort: () => fs.rm(tmp, { force: true }),
    };
  } catch (e) {
    if (e instanceof AgentError) throw e;
    throw writeFailed(dest, e);
  }
}

/** Removes a single-file output (revocation, expiry); true when there was one. */
export async function removeFile(dest: string): Promise<boolean> {
  const st = await lstatOrNull(dest);
  if (st === null || st.isDirectory()) return false;
  await fs.rm(dest, { force: true });
  await syncDirectory(path.dirname(dest)).catch(() => undefined);
  return true;
}
