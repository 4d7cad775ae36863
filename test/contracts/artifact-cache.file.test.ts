import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileArtifactCache } from '../../src/adapters/cache/file-cache';
import { fileNameFor } from '../../src/adapters/cache/file-store';
import { storageKeyFor } from '../../src/adapters/cache/keyv-artifact-cache';
import type { ArtifactCache } from '../../src/domain/ports/artifact-cache';
import { artifactCacheContract } from './artifact-cache.contract';

artifactCacheContract('file', async () => {
  const root = await mkdtemp(join(tmpdir(), 'clef-cache-contract-'));
  const dir = join(root, 'cache');
  const cache = createFileArtifactCache(dir);
  return {
    cache,
    corrupt: (key) => writeFile(join(dir, fileNameFor(storageKeyFor(key))), '\u0000not json{', { mode: 0o600 }),
    reopen: async (): Promise<ArtifactCache> => createFileArtifactCache(dir),
    close: async () => {
      await cache.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});
