/**
 * Local file source (mounted Kubernetes secrets/config maps, files synced by another
 * tool). Read asynchronously on every poll so a poll never blocks the event loop; only the
 * first read, which the agent waits on to become ready with nothing else to serve yet, is
 * made with synchronous calls (three thread-pool round trips were ~2 ms of every start;
 * issue 20). Bounded either way: the size of the opened file is checked before reading,
 * and the read itself stops at maxBytes + 1 so a file that grows (or a device reporting
 * size 0) cannot exhaust memory.
 */
import { ASYNC_READ_CALLS, type FileReadCalls, SYNC_READ_CALLS } from '../fs-calls';
import path from 'node:path';
import type { ArtifactSource, FetchRequest, FetchResult, SourceCapabilities } from '../../domain/ports/artifact-source';
import { AgentError, isAgentError } from '../../domain/errors';
import { decodeUtf8 } from './bounded-fetch';
import { sha256Hex } from './digest';
import { DEFAULT_MAX_BYTES } from './defaults';

const CHUNK_BYTES = 64 * 1024;

export interface FileSourceOptions {
  /** Relative paths resolve against the working directory at construction. */
  path: string;
  maxBytes?: number;
}

export class FileSource implements ArtifactSource {
  readonly type = 'file';
  readonly description: string;
  readonly cacheKey: string;
  /** Local reads are cheap, and unchanged content is detected by digest. */
  readonly capabilities: SourceCapabilities = { conditional: true };
  private readonly path: string;
  private readonly maxBytes: number;
  private calls: FileReadCalls = SYNC_READ_CALLS;

  constructor(options: FileSourceOptions) {
    this.path = path.resolve(options.path);
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.description = `file:${this.path}`;
    this.cacheKey = `file:${sha256Hex(this.path)}`;
  }

  async fetch({ previous, signal }: FetchRequest): Promise<FetchResult> {
    signal.throwIfAborted();
    let bytes: Buffer;
    const calls = this.calls;
    this.calls = ASYNC_READ_CALLS;
    try {
      bytes = await this.read(calls, signal);
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      throw this.mapError(e);
    }
    const contentId = sha256Hex(bytes);
    if (previous?.contentId === contentId) return { kind: 'unchanged' };
    return { kind: 'fetched', document: decodeUtf8(bytes), contentId, validator: { contentId } };
  }

  /** Open, fstat, then usually one read (a read shorter than asked is the end of a regular
   * file); close is not waited for. Asynchronous, each is a thread-pool round trip. */
  private async read(calls: FileReadCalls, signal: AbortSignal): Promise<Buffer> {
    const fd = await calls.open(this.path);
    try {
      // fstat, not stat: the checks apply to the file that is read, not to whatever the path names next.
      const st = await calls.fstat(fd);
      if (!st.isFile()) throw new AgentError('source_bad_response', `${this.description} is not a regular file`);
      if (st.size > this.maxBytes) throw this.tooLarge();
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        signal.throwIfAborted();
        // Up to one byte past the size fstat gave, so a file that grew since shows as a full
        // read and is read on; never more than one byte past the cap, whatever fstat said.
        const unread = st.size + 1 - total;
        const wanted = Math.min(unread > 0 ? unread : CHUNK_BYTES, CHUNK_BYTES, this.maxBytes + 1 - total);
        const chunk = Buffer.allocUnsafe(wanted);
        const bytesRead = await calls.readAt(fd, chunk, 0, wanted);
        total += bytesRead;
        if (total > this.maxBytes) throw this.tooLarge();
        chunks.push(chunk.subarray(0, bytesRead));
        if (bytesRead < wanted) return Buffer.concat(chunks, total);
      }
    } finally {
      calls.close(fd).catch(() => undefined); // nothing to do about a failed close of a read-only descriptor
    }
  }

  private tooLarge(): AgentError {
    return new AgentError('source_too_large', `${this.description} exceeds ${this.maxBytes} bytes`);
  }

  /**
   * EACCES/EPERM map to source_auth: like an HTTP 403, the artifact exists but the agent
   * is not allowed to read it, and the fix is the same kind (grant access), not a retry.
   */
  private mapError(e: unknown): AgentError {
    if (isAgentError(e)) return e;
    const code = (e as NodeJS.ErrnoException)?.code;
    const what = this.description;
    if (code === 'ENOENT' || code === 'ENOTDIR') return new AgentError('source_not_found', `${what} does not exist`, { hint: 'check the path and that the volume is mounted' });
    if (code === 'EACCES' || code === 'EPERM') return new AgentError('source_auth', `${what} is not readable`, { hint: "check the file's permissions for the agent's user" });
    return new AgentError('source_unavailable', `${what} could not be read${code ? ` (${code})` : ''}`);
  }
}
