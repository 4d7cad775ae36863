'use strict';
/**
 * `npm run build:lambda-layer`: build/clef-agent-lambda-layer.zip, laid out as Lambda
 * expects a layer under /opt:
 *   extensions/clef-agent      launcher (Lambda starts every executable in /opt/extensions)
 *   clef-agent/clef-agent.js   the bundle's launcher (scripts/bundle.js, split layout)
 *   clef-agent/clef-agent-lib/ the agent and its optional SDK chunks (KMS, OTLP, Redis, YAML)
 * No code cache: it only works with the exact node build that made it, and the Lambda
 * runtime's node is not the build machine's.
 * Zipped with `zip` when installed, else Python's zipfile (both keep the exec bits).
 */
const { mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { bundle, ROOT } = require('./bundle');

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

async function main() {
  rmSync(LAYER_DIR, { recursive: true, force: true });
  mkdirSync(path.join(LAYER_DIR, 'extensions'), { recursive: true });
  writeFileSync(path.join(LAYER_DIR, 'extensions/clef-agent'), LAUNCHER, { mode: 0o755 });
  await bundle({ outfile: path.join(LAYER_DIR, 'clef-agent/clef-agent.js') });
  const tool = zipDir(LAYER_DIR, ZIP, ['extensions', 'clef-agent']);
  process.stdout.write(`wrote ${path.relative(process.cwd(), ZIP)} (with ${tool})\n`);
}

main().catch((e) => {
  process.stderr.write(`build:lambda-layer failed: ${e.message}\n`);
  process.exit(1);
});
