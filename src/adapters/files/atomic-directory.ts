import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AgentError } from '../../domain/errors';
import { ensureDirectory, type FileOwnership, type PreparedWrite, sameFile, syncDirectory, unsafe, writeFailed, writeNewFile } from './output-files';

/**
 * A directory output written the way Kubernetes' AtomicWriter writes secret volumes:
 *
 *   dir/..2026_12_05_01_02_03.a1b2c3   the revision's files (hidden, timestamped)
 *   dir/..data -> ..2026_12_05_…       one symlink; swapped with a single rename
 *   dir/<name> -> ..data/<name>         the visible names, stable across revisions
 *
 * A reader opening `dir/<name>` always resolves through the current `..data`, so it sees
 * one revision's whole file; resolving `..data` once gives a consistent set.
 */
const DATA = '..data';
const DATA_TMP = '..data_tmp';
const TS_PREFIX = '..';

function timestampName(): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${TS_PREFIX}${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.${randomBytes(6).toString('hex')}`;
}

/** A directory mode that lets whoever may read the files also traverse to them. */
export function revisionDirMode(fileMode: number): number {
  return (fileMode | ((fileMode & 0o444) >> 2)) & 0o777;
}

async function readlinkOrNull(p: string): Promise<string | null> {
  try {
    return await fs.readlink(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'EINVAL') throw unsafe(p, 'it is not a symbolic link');
    throw e;
  }
}

/** Visible names that are our symlinks (`<name> -> ..data/<name>`), and anything else in the way. */
async function visibleNames(dir: string): Promise<{ ours: Set<string>; foreign: Set<string> }> {
  const ours = new Set<string>();
  const foreign = new Set<string>();
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('..')) continue;
    if (entry.isSymbolicLink() && (await fs.readlink(path.join(dir, entry.name))) === `${DATA}/${entry.name}`) ours.add(entry.name);
    else foreign.add(entry.name);
  }
  return { ours, foreign };
}

async function unchanged(dir: string, current: string | null, files: ReadonlyArray<[string, Buffer]>, own: FileOwnership, ours: Set<string>): Promise<boolean> {
  if (current === null || ours.size !== files.length) return false;
  const tsDir = path.join(dir, current);
  const existing = await fs.readdir(tsDir).catch(() => null);
  if (existing === null || existing.length !== files.length) return false;
  for (const [name, bytes] of files) if (!ours.has(name) || !(await sameFile(path.join(tsDir, name), bytes, own))) return false;
  return true;
}

async function pruneRevisionDirs(dir: string, keep: string | null): Promise<void> {
  for (const entry of await fs.readdir(dir)) {
    if (entry.startsWith(TS_PREFIX) && entry !== DATA && entry !== DATA_TMP && entry !== keep) await fs.rm(path.join(dir, entry), { recursive: true, force: true });
  }
}

export async function prepareDirectory(dir: string, contents: ReadonlyArray<[string, string]>, own: FileOwnership): Promise<PreparedWrite | null> {
  const files = contents.map(([name, value]): [string, Buffer] => [name, Buffer.from(value, 'utf8')]);
  try {
    await ensureDirectory(dir, own);
    const current = await readlinkOrNull(path.join(dir, DATA));
    const { ours, foreign } = await visibleNames(dir);
    const blocked = files.find(([name]) => foreign.has(name));
    if (blocked) throw new AgentError('files_conflict', `${path.join(dir, blocked[0])} exists and is not managed by clef-agent; remove it`);
    if (await unchanged(dir, current, files, own, ours)) return null;
    const tsName = timestampName();
    const tsDir = path.join(dir, tsName);
    try {
      await fs.mkdir(tsDir, { mode: revisionDirMode(own.mode) });
      await fs.chmod(tsDir, revisionDirMode(own.mode));
      if (own.uid !== undefined || own.gid !== undefined) await fs.chown(tsDir, own.uid ?? -1, own.gid ?? -1);
      for (const [name, bytes] of files) await writeNewFile(path.join(tsDir, name), bytes, own);
      await syncDirectory(tsDir);
    } catch (e) {
      await fs.rm(tsDir, { recursive: true, force: true });
      throw e;
    }
    return {
      commit: () => swap(dir, tsName, new Set(files.map(([n]) => n)), ours, own),
      abort: () => fs.rm(tsDir, { recursive: true, force: true }),
    };
  } catch (e) {
    if (e instanceof AgentError) throw e;
    throw writeFailed(dir, e);
  }
}

/** The one-rename swap, then the visible names are brought in line and the old revision pruned. */
async function swap(dir: string, tsName: string, names: Set<string>, ours: Set<string>, own: FileOwnership): Promise<void> {
  const tmpLink = path.join(dir, DATA_TMP);
  await fs.rm(tmpLink, { force: true });
  await fs.symlink(tsName, tmpLink);
  if (own.uid !== undefined || own.gid !== undefined) await fs.lchown(tmpLink, own.uid ?? -1, own.gid ?? -1);
  await fs.rename(tmpLink, path.join(dir, DATA));
  for (const name of names) {
    if (ours.has(name)) continue;
    const link = path.join(dir, name);
    await fs.symlink(`${DATA}/${name}`, link);
    if (own.uid !== undefined || own.gid !== undefined) await fs.lchown(link, own.uid ?? -1, own.gid ?? -1);
  }
  for (const name of ours) if (!names.has(name)) await fs.rm(path.join(dir, name), { force: true });
  await pruneRevisionDirs(dir, tsName);
  await syncDirectory(dir);
}

/**
 * Revocation/expiry: `..data` is swapped to an empty revision (every visible name stops
 * resolving at that instant), then the links and every revision directory are removed.
 * Returns true when there was something to remove.
 */
export async function removeDirectory(dir: string): Promise<boolean> {
  const st = await fs.lstat(dir).catch(() => null);
  if (st === null || !st.isDirectory()) return false;
  const current = await readlinkOrNull(path.join(dir, DATA)).catch(() => null);
  if (current === null) return false;
  const empty = timestampName();
  await fs.mkdir(path.join(dir, empty), { mode: 0o700 });
  const tmpLink = path.join(dir, DATA_TMP);
  await fs.rm(tmpLink, { force: true });
  await fs.symlink(empty, tmpLink);
  await fs.rename(tmpLink, path.join(dir, DATA));
  const { ours } = await visibleNames(dir);
  for (const name of ours) await fs.rm(path.join(dir, name), { force: true });
  await fs.rm(path.join(dir, DATA), { force: true });
  await pruneRevisionDirs(dir, null);
  await syncDirectory(dir);
  return true;
}
