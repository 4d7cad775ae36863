/** The published suites carry their own copy of the reference vectors: it must stay exact. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { referenceDocument, referenceSecrets } from '../../src/testing/fixtures';
import { loadExpect, vectorText } from '../support/vectors';

const { reference, OUT } = require('../../scripts/testing-fixtures.js') as { reference(): unknown; OUT: string };

test('src/testing/fixtures/reference.json is what scripts/testing-fixtures.js writes', () => {
  expect(JSON.parse(readFileSync(OUT, 'utf8'))).toEqual(reference());
  expect(path.relative(path.resolve(__dirname, '../..'), OUT)).toBe('src/testing/fixtures/reference.json');
});

test('the documents and secrets are the vendored vectors, byte-exact', () => {
  expect(referenceDocument('a-age-basic')).toBe(vectorText('a-age-basic'));
  expect(referenceDocument('b-ed25519-signed')).toBe(vectorText('b-ed25519-signed'));
  expect(referenceSecrets()).toEqual(loadExpect('a-age-basic').secrets);
});
