/**
 * The bundled forms the agent ships in (scripts/bundle.js): the plain bundle, and the
 * container image's layout trained with the image's NODE_OPTIONS. Both carry a V8 code
 * cache trained by scripts/train-code-cache.js with the flags they are run with.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { AGENT_BUNDLE, AGENT_IMAGE, AGENT_IMAGE_LIB, IMAGE_NODE_ARGS, ROOT } from './config';
import type { Ctx } from './context';

interface BundleResult {
  libDir: string;
  main: string;
  cache?: string;
  chunks: string[];
}
type BundleFn = (o: { outfile: string; libDir?: string; train?: { nodeArgs?: string[] } }) => Promise<BundleResult>;

export interface BuiltBundles {
  /** Bytes of lib/main.js, of its code cache, and of each optional chunk. */
  mainBytes: number;
  cacheBytes: number;
  chunkBytes: Record<string, number>;
}

export async function buildBundles(ctx: Ctx): Promise<BuiltBundles> {
  const script = path.join(ROOT, 'scripts/bundle.js');
  const { bundle } = createRequire(script)(script) as { bundle: BundleFn };
  const t = performance.now();
  await bundle({ outfile: AGENT_BUNDLE, train: {} });
  const image = await bundle({ outfile: AGENT_IMAGE, libDir: AGENT_IMAGE_LIB, train: { nodeArgs: IMAGE_NODE_ARGS } });
  ctx.log(`bundled and trained ${path.relative(ROOT, AGENT_BUNDLE)} and ${path.relative(ROOT, AGENT_IMAGE)} in ${(performance.now() - t).toFixed(0)} ms`);
  const size = (f: string) => statSync(f).size;
  return {
    mainBytes: size(image.main),
    cacheBytes: size(image.cache!),
    chunkBytes: Object.fromEntries(image.chunks.map((c) => [c, size(path.join(image.libDir, `${c}.js`))])),
  };
}
