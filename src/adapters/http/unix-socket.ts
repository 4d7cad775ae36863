import { chmod, lstat, mkdtemp, rename, rm, unlink } from '../fs-calls';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import { AgentError } from '../../domain/errors';

/**
 * Unix domain socket listening, done safely:
 *
 * - Stale sockets: a leftover path is removed only if it IS a socket (lstat: a symlink is
 *   not followed) and nothing accepts a connection on it. A regular file, directory or
 *   symlink is never unlinked (`socket_path_conflict`); a live socket is never stolen
 *   (`socket_in_use`).
 * - No permission window: bind() creates the socket with the process umask (often 0755
 *   or, under umask 0, world-connectable), and chmod() can only tighten it afterwards. So
 *   the socket is bound inside a fresh 0700 directory (mkdtemp) next to the target, where
 *   no other user can reach it, chmod-ed there, then renamed into place: the path only
 *   ever appears with its final mode. This touches no process-wide state (a umask change
 *   would race other file creations in the process) and works for any mode.
 * - Shutdown: the path is unlinked only if it is still the socket this process created
 *   (same device and inode), so a successor's socket is left alone.
 */

/** sun_path holds 108 bytes on Linux, 104 on macOS/BSD, NUL included. */
const MAX_PATH_BYTES = process.platform === 'linux' ? 107 : 103;
/** `<dir>/.clef-XXXXXX/s`: what the temporary bind path adds to the directory. */
const TEMP_SUFFIX_BYTES = '/.clef-XXXXXX/s'.length;
/** How long a connect test may take before the socket counts as alive (refuse, never steal). */
const PROBE_TIMEOUT_MS = 1_000;

/** Null when the path (and its temporary bind path) fit in sun_path, else why not. */
export function socketPathProblem(socketPath: string): string | null {
  if (!path.isAbsolute(socketPath)) return 'must be an absolute path';
  const longest = Math.max(Buffer.byteLength(socketPath), Buffer.byteLength(path.dirname(socketPath)) + TEMP_SUFFIX_BYTES);
  if (longest > MAX_PATH_BYTES) return `is too long for a unix socket (at most ${MAX_PATH_BYTES} bytes, directory + 15 for the temporary bind path)`;
  return null;
}

type Probe = 'alive' | 'stale' | 'absent' | 'unknown';

function probe(socketPath: string): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = connect({ path: socketPath });
    const finish = (result: Probe) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish('alive'), PROBE_TIMEOUT_MS);
    socket.once('connect', () => finish('alive'));
    socket.once('error', (e: NodeJS.ErrnoException) => {
      // ECONNREFUSED: a socket file nobody listens on. EAGAIN: a full backlog, i.e. alive.
      finish(e.code === 'ECONNREFUSED' ? 'stale' : e.code === 'ENOENT' ? 'absent' : e.code === 'EAGAIN' ? 'alive' : 'unknown');
    });
  });
}

/** Makes `socketPath` free to bind, or refuses with a coded error naming the path. */
export async function clearStaleSocket(socketPath: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(socketPath)).isSocket();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new AgentError('socket_path_conflict', `${socketPath} cannot be inspected (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!isSocket) throw new AgentError('socket_path_conflict', `${socketPath} exists and is not a socket; refusing to replace it`);
  const state = await probe(socketPath);
  if (state === 'alive') throw new AgentError('socket_in_use', `another process is listening on ${socketPath}`);
  if (state === 'unknown') throw new AgentError('socket_path_conflict', `${socketPath} is a socket that cannot be probed; remove it if it is stale`);
  if (state === 'stale') await unlink(socketPath).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw new AgentError('socket_path_conflict', `stale socket ${socketPath} cannot be removed (${e.code ?? 'error'})`);
  });
}

function listenOn(server: Server, bindPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen({ path: bindPath }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export interface BoundSocket {
  /** Unlinks the path if it is still this process's socket. Idempotent, never throws. */
  unlink(): Promise<void>;
}

/** Binds `server` at `socketPath` with `mode`, with no window where the path has another mode. */
export async function listenOnUnixSocket(server: Server, socketPath: string, mode: number): Promise<BoundSocket> {
  const problem = socketPathProblem(socketPath);
  if (problem) throw new AgentError('socket_path_conflict', `${socketPath} ${problem}`);
  await clearStaleSocket(socketPath);
  const privateDir = await mkdtemp(path.join(path.dirname(socketPath), '.clef-'));
  try {
    const bindPath = path.join(privateDir, 's');
    await listenOn(server, bindPath);
    await chmod(bindPath, mode);
    // Again right before the rename (which would replace anything): another agent may
    // have started on the same path meanwhile. What remains is a window of a few
    // syscalls, open only to someone who can write to the directory anyway.
    await clearStaleSocket(socketPath);
    await rename(bindPath, socketPath);
  } catch (e) {
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    throw e;
  } finally {
    await rm(privateDir, { recursive: true, force: true });
  }
  const { dev, ino } = await lstat(socketPath);
  let done = false;
  return {
    async unlink() {
      if (done) return;
      done = true;
      try {
        const now = await lstat(socketPath);
        if (now.dev === dev && now.ino === ino) await unlink(socketPath);
      } catch {
        // already gone, or no longer ours: nothing to clean up
      }
    },
  };
}
