import { FileKeyvStore, type FileStoreOptions } from './file-store';
import { KeyvArtifactCache, type CacheWarningListener } from './keyv-artifact-cache';

export interface FileArtifactCacheOptions extends FileStoreOptions {
  onWarning?: CacheWarningListener;
}

/** A persistent, per-host cache: one 0600 file per entry in a 0700 directory.
 * The directory is prepared lazily, so a missing volume shows up as a cache
 * warning/rejection rather than a startup crash. */
export function createFileArtifactCache(dir: string, options: FileArtifactCacheOptions = {}): KeyvArtifactCache {
  return new KeyvArtifactCache(new FileKeyvStore(dir, options), {
    capabilities: { persistent: true, shared: false },
    onWarning: options.onWarning,
  });
}
