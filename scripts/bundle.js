'use strict';
/**
 * One esbuild bundle of the agent (src/app/main.ts and every runtime dependency) in a
 * single CommonJS file: what the Lambda layer, the container image and the single
 * executable ship. Lazily imported commands stay lazy (esbuild wraps them), so `probe`
 * and `--version` still initialise almost nothing.
 */
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '..');

/**
 * @param {{ outfile: string, shebang?: string }} options  shebang: interpreter line
 *   (e.g. "/nodejs/bin/node" in the distroless image); omitted → no shebang.
 */
async function bundle({ outfile, shebang }) {
  mkdirSync(path.dirname(outfile), { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['src/app/main.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    // No keepNames: the agent never prints stacks, error classes are matched with
    // instanceof, and keepNames measurably slowed the request path (bench/RESULTS.md).
    sourcemap: false,
    legalComments: 'eof',
    logLevel: 'warning',
    tsconfig: path.join(ROOT, 'tsconfig.build.json'),
    write: false,
  });
  // esbuild keeps main.ts's `#!/usr/bin/env node`; swap in the caller's interpreter (or none).
  const code = result.outputFiles[0].text.replace(/^#![^\n]*\n/, '');
  writeFileSync(outfile, shebang ? `#!${shebang}\n${code}` : code, { mode: 0o755 });
  return outfile;
}

module.exports = { bundle, ROOT };

if (require.main === module) {
  const outfile = path.resolve(process.argv[2] || path.join(ROOT, 'build/clef-agent.js'));
  const shebang = process.argv[3];
  bundle({ outfile, shebang }).then(
    () => process.stdout.write(`bundled ${path.relative(process.cwd(), outfile)}\n`),
    (e) => {
      process.stderr.write(`bundle failed: ${e.message}\n`);
      process.exit(1);
    },
  );
}
