/**
 * The bundled forms the agent ships in (scripts/bundle.js): the plain bundle, and the
 * container image's layout trained with the image's NODE_OPTIONS. Both carry a V8 code
 * cache trained by scripts/train-code-cache.js with the flags they are run with.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { AGENT_BUNDLE, AGENT_IMAGE, AGENT_IMAGE_LIB, IMAGE_NODE_ARGS, OUT_DIR, ROOT } from './config';
import type { Ctx } from './context';

interface BundleResult {
  libDir: string;
  main: string;
  cache?: string;
  chunks: string[];
}
type BundleFn = (o: { outfile: string; libDir?: string; train?: { nodeArgs?: string[] }; snapshot?: { nodeArgs?: string[] }; exec?: { node: string } }) => Promise<BundleResult>;

export interface BuiltBundles {
  /** Bytes of lib/main.js, of its code cache, and of each optional chunk. */
  mainBytes: number;
  cacheBytes: number;
  chunkBytes: Record<string, number>;
}

/** Launchers of the shipped forms for scenario 3c (issue 20); native and sea are absent when they could not be built. */
export interface ShippedForms {
  npm: string;
  /** The image's plain start (what the native start falls back to): the launcher with its trained code cache. */
  image: string;
  /** The image's entrypoint: the native start (scripts/native/snapshot-exec.c) with the snapshot and its stamp. */
  native?: string;
  sea?: string;
  /** bench/library-floor-server.ts bundled as the agent is: the required libraries' own start. */
  libraryFloor: string;
}

/** Bundles bench/library-floor-server.ts with scripts/bundle.js's esbuild settings and trims, into one file. */
async function buildLibraryFloor(): Promise<string> {
  const esbuild = createRequire(path.join(ROOT, 'scripts/bundle.js'))('esbuild') as typeof import('esbuild');
  const { TRIMS } = createRequire(path.join(ROOT, 'scripts/bundle.js'))('./bundle-trims') as { TRIMS: import('esbuild').Plugin[] };
  const outfile = path.join(OUT_DIR, 'library-floor.js');
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, 'bench/library-floor-server.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    logLevel: 'warning',
    tsconfig: path.join(ROOT, 'tsconfig.build.json'),
    outfile,
    plugins: TRIMS,
  });
  return outfile;
}

export async function buildShippedForms(ctx: Ctx): Promise<ShippedForms> {
  const script = path.join(ROOT, 'scripts/bundle.js');
  const { bundle } = createRequire(script)(script) as { bundle: BundleFn };
  const npm = path.join(OUT_DIR, 'npm/clef-agent');
  await bundle({ outfile: npm }); // as `prepack` makes it: no code cache
  const forms: ShippedForms = { npm, image: AGENT_IMAGE, libraryFloor: await buildLibraryFloor() };
  // As the Dockerfile builds it: code cache and snapshot made by this node with the image's flags.
  const native = path.join(OUT_DIR, 'native/bin/clef-agent');
  try {
    await bundle({ outfile: native, exec: { node: process.execPath }, train: { nodeArgs: IMAGE_NODE_ARGS }, snapshot: { nodeArgs: IMAGE_NODE_ARGS } });
    forms.native = native;
  } catch (e) {
    ctx.log(`native start not built: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-binary.js')], { cwd: ROOT, stdio: 'ignore' });
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'build/binary/manifest.json'), 'utf8')) as { executable: string | null };
    if (manifest.executable) forms.sea = manifest.executable;
  } catch (e) {
    ctx.log(`SEA binary not built: ${(e as Error).message.split('\n')[0]}`);
  }
  return forms;
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
