import { EventEmitter } from 'node:events';
import { constants, promises as fs } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { AgentError } from '../../domain/errors';
import { prepareDirectory } from './private-directory';

/**
 * A keyv store keeping one file per key in a private directory (0700, files 0600).
 * The files hold already-encrypted artifacts, never plaintext; the permissions still
 * matter because a readable cache leaks revisions and lets others plant entries.
 * Writes are atomic (temp file + fsync + rename), so a crash or a concurrent write
 * leaves either the old or the new entry, never a torn one. Symlinks are refused.
 */

const entryName = /^[0-9a-f]{64}$/;
const tempName = /^[0-9a-f]{64}\.tmp-[0-9a-f]{16}$/;
// O_NONBLOCK keeps a planted FIFO from blocking the read forever.
const readFlags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const createFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export interface FileStoreOptions {
  /** Entries above this size are treated as corrupt (default 32 MiB). */
  maxEntryBytes?: number;
}

/** File name for a store key: hex sha256, so keys never reach the file system. */
export function fileNameFor(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

export class FileKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts: { dialect: 'file'; dir: string };
  namespace?: string;
  private readonly maxEntryBytes: number;
  private ready?: Promise<void>;

  constructor(readonly dir: string, options: FileStoreOptions = {}) {
    super();
    this.opts = { dialect: 'file', dir };
    this.maxEntryBytes = options.maxEntryBytes ?? 32 * 1024 * 1024;
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    await this.prepare();
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.pathFor(key), readFlags);
    } catch (error) {
      if (errno(error) === 'ENOENT') return undefined;
      if (errno(error) === 'ELOOP') throw new AgentError('cache_corrupt', 'cache entry is a symlink; ignored');
      throw error;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new AgentError('cache_corrupt', 'cache entry is not a regular file; ignored');
      if (info.size > this.maxEntryBytes) throw new AgentError('cache_corrupt', 'cache entry is too large; ignored');
      return (await handle.readFile('utf8')) as StoredData<Value>;
    } finally {
      await handle.close();
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    // keyv serialises before calling the store; ttl is ignored because keyv
    // records expiry inside the serialised value and checks it on read.
    if (typeof value !== 'string') throw new TypeError('file store holds serialised strings only');
    await this.prepare();
    const target = this.pathFor(key);
    const temp = `${target}.tmp-${randomBytes(8).toString('hex')}`;
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(temp, createFlags, 0o600);
      await handle.chmod(0o600); // exact mode whatever the umask
      await handle.writeFile(value, 'utf8');
      await handle.sync();
      await handle.close();
      handle = undefined;
      await fs.rename(temp, target);
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await fs.unlink(temp).catch(() => undefined);
      throw error;
    }
    await this.syncDirectory();
  }

  async delete(key: string): Promise<boolean> {
    await this.prepare();
    try {
      await fs.unlink(this.pathFor(key)); // unlink never follows a symlink
      return true;
    } catch (error) {
      if (errno(error) === 'ENOENT') return false;
      throw error;
    }
  }

  /** Removes entries and stray temp files; anything else in the directory is not ours. */
  async clear(): Promise<void> {
    await this.prepare();
    for (const name of await fs.readdir(this.dir)) {
      if (!entryName.test(name) && !tempName.test(name)) continue;
      await fs.unlink(join(this.dir, name)).catch((error: unknown) => {
        if (errno(error) !== 'ENOENT') throw error;
      });
    }
  }

  async disconnect(): Promise<void> {
    // No handles are kept open between operations.
  }

  private pathFor(key: string): string {
    return join(this.dir, fileNameFor(key));
  }

  private prepare(): Promise<void> {
    // Retried on failure: the directory may become available later (volume mount).
    this.ready ??= prepareDirectory(this.dir).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  /** Makes the rename itself durable; best effort where directories cannot be fsynced. */
  private async syncDirectory(): Promise<void> {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(this.dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      await handle.sync();
    } catch {
      // The entry is already in place; only its durability across power loss is at stake.
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }
}
