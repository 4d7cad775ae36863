'use strict';
/**
 * `npm run build:lambda-layer`: build/clef-agent-lambda-layer.zip, laid out as Lambda
 * expects a layer under /opt:
 *   extensions/clef-agent      launcher (Lambda starts every executable in /opt/extensions)
 *   clef-agent/clef-agent.js   the bundle's launcher (scripts/bundle.js, split layout)
 *   clef-agent/clef-agent-lib/ the agent and its optional SDK chunks (KMS, OTLP, Redis, YAML)
 * No code cache: it only works with the exact node build that made it, and the Lambda
 * runtime's node is not the build machine's.
 *
 * `npm run build:lambda-layer -- --native`: build/clef-agent-lambda-layer-native-<arch>.zip
 * with the single executable instead (scripts/build-binary.js: its own node, with the code
 * cache that node accepts, and the SDK chunks as assets), for any function runtime (Python,
 * Java, provided.al2023...) and a faster INIT (bench/RESULTS.md, 3c). Build it on the
 * architecture it is for (x86_64 or arm64); it is a copy of the building node (~35 MB zipped).
 *   extensions/clef-agent      launcher: exec <layer>/clef-agent/clef-agent run
 *   clef-agent/clef-agent      the executable
 * Zipped with `zip` when installed, else Python's zipfile (both keep the exec bits).
 */
const { copyFileSync, mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { bundle, ROOT } = require('./bundle');
const { buildBinary } = require('./build-binary');

const OUT_DIR = path.join(ROOT, 'build');
const LAYER_DIR = path.join(OUT_DIR, 'lambda-layer');
const ZIP = path.join(OUT_DIR, 'clef-agent-lambda-layer.zip');

// No shell features beyond exec: node comes from the function's runtime. The AWS Node.js
// runtimes keep it in /var/lang/bin; other runtimes need the single-executable build.
const LAUNCHER = `#!/bin/sh
# clef-agent Lambda extension launcher (see docs/DEPLOY.md).
if [ -x /var/lang/bin/node ]; then exec /var/lang/bin/node /opt/clef-agent/clef-agent.js run; fi
exec node /opt/clef-agent/clef-agent.js run
`;

// The layer's own executable, found from the launcher's path (/opt/extensions/clef-agent → /opt).
const NATIVE_LAUNCHER = `#!/bin/sh
# clef-agent Lambda extension launcher, native layer (see docs/DEPLOY.md).
exec "\${0%/extensions/*}/clef-agent/clef-agent" run
`;

/** Lambda's names for the architectures a native layer can be built on. */
const LAMBDA_ARCH = { x64: 'x86_64', arm64: 'arm64' };

function zipDir(dir, zipFile, entries) {
  rmSync(zipFile, { force: true });
  const zip = spawnSync('zip', ['-r', '-X', '-q', zipFile, ...entries], { cwd: dir, stdio: 'inherit' });
  if (!zip.error && zip.status === 0) return 'zip';
  if (zip.error && zip.error.code !== 'ENOENT') throw zip.error;
  if (!zip.error) throw new Error(`zip exited with ${zip.status}`);
  const py = spawnSync('python3', ['-m', 'zipfile', '-c', zipFile, ...entries], { cwd: dir, stdio: 'inherit' });
  if (py.error || py.status !== 0) throw new Error('neither zip nor python3 could write the layer zip');
  return 'python3 zipfile';
}

async function main(native) {
  const dir = native ? `${LAYER_DIR}-native` : LAYER_DIR;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'extensions'), { recursive: true });
  let zip = ZIP;
  if (native) {
    const arch = LAMBDA_ARCH[process.arch];
    if (!arch) throw new Error(`Lambda has no ${process.arch} architecture`);
    const { executable } = await buildBinary(path.join(OUT_DIR, 'lambda-layer-binary'));
    if (!executable) throw new Error('the native layer needs the single executable: install postject (a devDependency)');
    writeFileSync(path.join(dir, 'extensions/clef-agent'), NATIVE_LAUNCHER, { mode: 0o755 });
    mkdirSync(path.join(dir, 'clef-agent'));
    copyFileSync(executable, path.join(dir, 'clef-agent/clef-agent'));
    zip = path.join(OUT_DIR, `clef-agent-lambda-layer-native-${arch}.zip`);
  } else {
    writeFileSync(path.join(dir, 'extensions/clef-agent'), LAUNCHER, { mode: 0o755 });
    await bundle({ outfile: path.join(dir, 'clef-agent/clef-agent.js') });
  }
  const tool = zipDir(dir, zip, ['extensions', 'clef-agent']);
  process.stdout.write(`wrote ${path.relative(process.cwd(), zip)} (with ${tool})\n`);
}

main(process.argv.includes('--native')).catch((e) => {
  process.stderr.write(`build:lambda-layer failed: ${e.message}\n`);
  process.exit(1);
});
