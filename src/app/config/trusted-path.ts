import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config-error';

export type TrustedKind = 'file' | 'directory';

const GROUP_OTHER_WRITE = 0o022;
const STICKY = 0o1000;

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** The agent's own user; undefined where there are no POSIX owners (Windows). */
function agentUid(): number | undefined {
  return process.geteuid?.() ?? process.getuid?.();
}

class Violation extends Error {}

/**
 * Checks one absolute path the way OpenSSH's StrictModes does: the entry and every
 * directory above it are owned by this user or root, and none of those directories is
 * writable by group or others, except a sticky one (like /tmp) where the entry below it
 * is owned by this user or root (nobody else can rename or replace it there).
 * Symlinks are checked where they sit (owner, directory) without being followed.
 */
function checkChain(absolute: string, uid: number): void {
  const trusted = (owner: number) => owner === uid || owner === 0;
  const parts = absolute.split(path.sep).filter((p) => p !== '');
  let dir = path.parse(absolute).root;
  let dirStat = statSync(dir);
  if (!trusted(dirStat.uid)) throw new Violation(`${dir} is owned by uid ${dirStat.uid}`);
  for (const part of parts) {
    const entry = path.join(dir, part);
    const info = lstatSync(entry);
    if (!trusted(info.uid)) {
      const shared = (dirStat.mode & GROUP_OTHER_WRITE) !== 0 ? ` and sits in the shared directory ${dir}` : '';
      throw new Violation(`${entry} is owned by uid ${info.uid} (neither this user, uid ${uid}, nor root)${shared}; fix: chown ${uid} ${entry}, or use a path only this user or root controls`);
    }
    if ((dirStat.mode & GROUP_OTHER_WRITE) !== 0 && (dirStat.mode & STICKY) === 0) {
      throw new Violation(`${dir} (on the path to it) is writable by group or others (mode ${(dirStat.mode & 0o7777).toString(8)}), so anyone could replace ${entry}; fix: chmod go-w ${dir}, or move the file to a directory only this user or root can write`);
    }
    dir = entry;
    // A symlinked directory is entered through its target: judge the target's mode.
    dirStat = info.isSymbolicLink() ? statSync(entry) : info;
  }
}

function checkEntryMode(shown: string, info: Stats): void {
  if ((info.mode & GROUP_OTHER_WRITE) !== 0) {
    throw new Violation(`${shown} is writable by group or others (mode ${(info.mode & 0o7777).toString(8)}); fix: chmod go-w ${shown}`);
  }
}

/**
 * Refuses a file or directory the agent trusts (token, tokens, age key, verify key,
 * cache directory, outputs config) unless it is owned by this user or root and neither
 * it nor any directory on its path — as given and as resolved through symlinks — can be
 * written by anyone else. Kubernetes Secret volumes pass: root-owned, read-only, the
 * files reached through `..data` symlinks in a sticky, root-owned volume directory.
 *
 * A path that does not exist is not an error here (the caller reports it, or creates it):
 * for a missing file or directory the existing directories above it are checked, since
 * whoever can write them could plant it.
 * Throws a ConfigError naming `variable`, the offending path and the fix.
 */
export function assertTrustedPath(variable: string, target: string, kind: TrustedKind): void {
  const uid = agentUid();
  if (uid === undefined) return;
  const absolute = path.resolve(target);
  try {
    let existing = absolute;
    for (;;) {
      try {
        lstatSync(existing);
        break;
      } catch (error) {
        if (errno(error) !== 'ENOENT' || path.dirname(existing) === existing) throw error;
        existing = path.dirname(existing);
      }
    }
    checkChain(existing, uid);
    const resolved = realpathSync.native(existing);
    if (resolved !== existing) checkChain(resolved, uid);
    if (existing === absolute) {
      const info = statSync(resolved);
      // The cache sets its own directory to 0700 when it owns it (private-directory.ts).
      if (!(kind === 'directory' && info.uid === uid)) checkEntryMode(absolute, info);
    }
  } catch (error) {
    if (error instanceof Violation) throw new ConfigError(variable, `points to ${target}, which is not safe to trust: ${error.message}`);
    const code = errno(error);
    // Unreadable paths are reported by the reader with its own message; a loop or the like is ours.
    if (code === 'EACCES' || code === 'ENOENT' || code === 'ENOTDIR') return;
    throw new ConfigError(variable, `points to ${target}, whose ownership cannot be checked (${code ?? 'error'})`);
  }
}
