import { MemoryArtifactCache } from '../../src/adapters/memory/memory-cache';
import { artifactCacheContract } from './artifact-cache.contract';

artifactCacheContract('memory', async () => {
  const cache = new MemoryArtifactCache();
  return { cache, close: () => cache.close() };
});
