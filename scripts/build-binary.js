'use strict';
/**
 * `npm run build:binary`: a single executable (Node SEA) of the agent.
 *   build/binary/clef-agent.js   the esbuild bundle: one file, runnable with any node >= 20
 *   build/binary/sea/            the split bundle the executable embeds: main.js, its V8 code
 *                                cache trained by this node (the executable's own), the chunks
 *   build/binary/sea-config.json the SEA config: main is scripts/sea-launcher.js, the rest are assets
 *   build/binary/sea-prep.blob   `node --experimental-sea-config` output
 *   build/binary/clef-agent      node + the blob, when postject is installed
 * The executable starts like the split bundle: main.js compiled with a code cache trained on a
 * full start (not node's useCodeCache, which covers only what compiles eagerly), the optional
 * SDKs parsed only when configured (bench/RESULTS.md, 3c).
 * Node 20 has no `--build-sea`; injecting the blob needs postject (not a dependency). Without
 * it the bundle is the single-file artifact. build/binary/manifest.json says what was made.
 */
const { copyFileSync, chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { bundle, ROOT } = require('./bundle');

const DEFAULT_OUT = path.join(ROOT, 'build/binary');
const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function loadPostject() {
  try {
    return require(require.resolve('postject', { paths: [ROOT] }));
  } catch {
    return null;
  }
}

/** Builds everything above into `OUT` (default build/binary); resolves with the manifest ({ executable: null } without postject). */
async function buildBinary(OUT = DEFAULT_OUT) {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const { outfile: script } = await bundle({ outfile: path.join(OUT, 'clef-agent.js'), shebang: '/usr/bin/env node', singleFile: true });
  // The split layout, trained by this node under its default flags: the executable is this node.
  const split = await bundle({ outfile: path.join(OUT, 'sea/launcher.js'), libDir: path.join(OUT, 'sea/lib'), train: {} });
  const assets = Object.fromEntries(['main.js', 'main.js.cache', ...split.chunks.map((c) => `${c}.js`)].map((name) => [name, path.join(split.libDir, name)]));
  const blob = path.join(OUT, 'sea-prep.blob');
  const seaConfig = path.join(OUT, 'sea-config.json');
  writeFileSync(seaConfig, JSON.stringify({ main: path.join(__dirname, 'sea-launcher.js'), output: blob, disableExperimentalSEAWarning: true, useCodeCache: false, assets }, null, 2));
  execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });

  let executable = null;
  const postject = loadPostject();
  if (postject) {
    executable = path.join(OUT, 'clef-agent');
    copyFileSync(process.execPath, executable);
    await postject.inject(executable, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SENTINEL_FUSE });
    chmodSync(executable, 0o755);
  } else {
    process.stdout.write('postject is not installed: skipped injecting the SEA blob (npm install --save-dev postject to get a native executable)\n');
  }
  const manifest = { bundle: script, blob, executable, node: process.version };
  writeFileSync(path.join(OUT, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

module.exports = { buildBinary };

if (require.main === module) {
  buildBinary().then(
    (m) => process.stdout.write(`built ${path.relative(process.cwd(), m.executable ?? m.bundle)}\n`),
    (e) => {
      process.stderr.write(`build:binary failed: ${e.message}\n`);
      process.exit(1);
    },
  );
}
