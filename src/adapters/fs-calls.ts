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
