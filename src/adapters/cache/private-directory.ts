import { promises as fs, type Stats } from 'node:fs';
import { AgentError } from '../../domain/errors';

const hint = 'point the cache at a directory of its own (it is created with mode 0700)';

function refuse(message: string, cause?: unknown): AgentError {
  return new AgentError('cache_unavailable', message, { hint, cause });
}

async function lstatOrCreate(dir: string): Promise<Stats> {
  try {
    return await fs.lstat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw refuse('cache directory is not accessible', error);
  }
  try {
    // 0700 for every component we create; the umask can only narrow it.
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    // lstat again: whatever is there now (even if another process raced us) is what gets checked.
    return await fs.lstat(dir);
  } catch (error) {
    throw refuse('cache directory could not be created', error);
  }
}

/**
 * Ensures `dir` is a real directory that only we can use: never a symlink (which
 * could redirect writes elsewhere), mode 0700 when it is ours. A directory owned by
 * root is accepted only if no one else can write into it; one owned by another user never
 * (the startup check in app/config/trusted-path.ts also covers the directories above it).
 */
export async function prepareDirectory(dir: string): Promise<void> {
  const info = await lstatOrCreate(dir);
  if (info.isSymbolicLink()) throw refuse('cache directory is a symlink; refusing to follow it');
  if (!info.isDirectory()) throw refuse('cache directory path is not a directory');
  const uid = process.getuid?.();
  if (uid === undefined || info.uid === uid) {
    if ((info.mode & 0o777) !== 0o700) {
      try {
        await fs.chmod(dir, 0o700);
      } catch (error) {
        throw refuse('cache directory permissions could not be set to 0700', error);
      }
    }
    return;
  }
  // Root's directories are trusted (e.g. a volume prepared by the platform); another user's
  // never: whoever owns the directory can plant entries, tombstones and high-water marks.
  if (info.uid !== 0) throw refuse('cache directory belongs to another user');
  if ((info.mode & 0o022) !== 0) throw refuse('cache directory belongs to root and is writable by others');
}
