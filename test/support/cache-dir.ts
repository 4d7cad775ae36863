/** Looks into a disk-cache directory (CLEF_AGENT_CACHE_PATH) the way a test needs to. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Complete files under the cache directory (temp files being renamed into place excluded). */
export function cacheFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.includes('.tmp'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

/**
 * True once an artifact entry (not only a trust record, which is written beside it and may
 * land first) is on disk: a test that stops an agent to restart it from the cache waits for this.
 */
export function hasCachedEntry(root: string): boolean {
  return cacheFiles(root).some((f) => {
    try {
      return readFileSync(f, 'utf8').includes('"document"');
    } catch {
      return false; // renamed away between listing and reading
    }
  });
}
