import fs from 'node:fs';
import { promisify } from 'node:util';

/**
 * The few asynchronous file-system calls the agent makes before it is ready, as promises
 * over node:fs's callback API. node:fs/promises does the same system calls, but loading it
 * evaluates FileHandle, its streams and readline (about 8 ms of a profiled cold start;
 * bench/RESULTS.md, issue 20). Paths that run later or only when configured (the files
 * sink, the disk cache) still use node:fs/promises.
 */
export const stat = promisify(fs.stat);
export const fstat = promisify(fs.fstat);
export const lstat = promisify(fs.lstat);
export const chmod = promisify(fs.chmod);
export const mkdtemp = promisify(fs.mkdtemp);
export const rename = promisify(fs.rename);
export const rm = promisify(fs.rm);
export const unlink = promisify(fs.unlink);
export const open = promisify(fs.open);
export const close = promisify(fs.close);

/** read(2) at the file's current position; resolves with the number of bytes read. */
export function readAt(fd: number, buffer: Buffer, offset: number, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buffer, offset, length, null, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead)));
  });
}

/** What a bounded read of one file needs, as promises either way. */
export interface FileReadCalls {
  open(path: string): Promise<number>;
  fstat(fd: number): Promise<fs.Stats>;
  readAt(fd: number, buffer: Buffer, offset: number, length: number): Promise<number>;
  close(fd: number): Promise<void>;
}

/** O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer (forever, on a
 * thread-pool thread or on this one); the caller's fstat then refuses it. No effect on the
 * reads of a regular file. */
const READ_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;

/** Each call a thread-pool round trip: the event loop keeps serving meanwhile. */
export const ASYNC_READ_CALLS: FileReadCalls = { open: (p) => open(p, READ_FLAGS), fstat, readAt, close };

/** The same system calls made at once on this thread (each promise is already settled):
 * for a read nothing waits on but the caller, such as the first load before ready. */
export const SYNC_READ_CALLS: FileReadCalls = {
  open: async (p) => fs.openSync(p, READ_FLAGS),
  fstat: async (fd) => fs.fstatSync(fd),
  readAt: async (fd, buffer, offset, length) => fs.readSync(fd, buffer, offset, length, null),
  close: async (fd) => fs.closeSync(fd),
};
