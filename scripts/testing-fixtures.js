'use strict';
/**
 * Writes src/testing/fixtures/reference.json: the two reference vectors and the
 * a-age-basic plaintext values the published contract suites use, copied from
 * test/fixtures/vectors so the suites need nothing outside the package.
 * test/testing/fixtures.test.ts fails when the copy drifts; re-run this script then.
 *
 *   node scripts/testing-fixtures.js
 */
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const VECTORS = path.resolve(__dirname, '../test/fixtures/vectors');
const OUT = path.resolve(__dirname, '../src/testing/fixtures/reference.json');
const read = (name) => readFileSync(path.join(VECTORS, name), 'utf8');

function reference() {
  return {
    provenance: 'test/fixtures/vectors (the Clef reference vectors), copied by scripts/testing-fixtures.js',
    documents: { 'a-age-basic': read('a-age-basic.json'), 'b-ed25519-signed': read('b-ed25519-signed.json') },
    secrets: JSON.parse(read('a-age-basic.expect.json')).secrets,
  };
}

module.exports = { reference, OUT };

if (require.main === module) {
  writeFileSync(OUT, `${JSON.stringify(reference(), null, 1)}\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), OUT)}\n`);
}
