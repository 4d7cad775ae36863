'use strict';
/**
 * Entry point of `npm run bench`. The benchmark is TypeScript (it reuses the test-side
 * packer and loopback fakes), bundled here with esbuild into bench/.out/ and run with
 * plain node: no ts-node, nothing from the bench ends up in dist/ or the jest suite.
 *
 *   node bench/run.js                 all scenarios, writes bench/RESULTS.md
 *   node bench/run.js gen-10k [out]   only (re)generate the 10,000-key artifact
 *
 * Knobs (environment): see bench/README.md.
 */
const path = require('node:path');
const { mkdirSync } = require('node:fs');
const esbuild = require('esbuild');

const BENCH = __dirname;
const OUT = path.join(BENCH, '.out');

const entries = {
  main: 'main.ts',
  'gen-10k': 'gen-10k.ts',
  'load-time': 'load-time.ts',
  'kms-fake': 'kms-fake.ts',
};

mkdirSync(OUT, { recursive: true });
esbuild.buildSync({
  absWorkingDir: path.resolve(BENCH, '..'),
  entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, path.join(BENCH, file)])),
  outdir: OUT,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Resolved at run time from the repository's node_modules (bench/.out is inside it).
  external: ['autocannon', 'esbuild'],
  tsconfig: path.resolve(BENCH, '../tsconfig.json'),
  logLevel: 'warning',
});

const [command, ...rest] = process.argv.slice(2);
if (command === 'gen-10k') {
  require(path.join(OUT, 'gen-10k.js')).cli(rest);
} else if (command === undefined) {
  require(path.join(OUT, 'main.js')).main([]);
} else {
  // Anything else (--help included) would otherwise run the whole bench and rewrite RESULTS.md.
  process.stderr.write('usage: node bench/run.js            all scenarios, writes bench/RESULTS.md (knobs: bench/README.md)\n       node bench/run.js gen-10k [out]\n');
  process.exit(2);
}
