/**
 * Reference material the suites need, shipped inside the package: two real packed
 * artifacts and the awkward plaintext values of the reference vectors (unicode, U+2028,
 * control characters, CRLF, 64 KiB). Copied from test/fixtures/vectors by
 * scripts/testing-fixtures.js; test/testing/fixtures.test.ts keeps the copy exact.
 */
import reference from './fixtures/reference.json';

export type ReferenceDocumentName = 'a-age-basic' | 'b-ed25519-signed';

/** The text of a reference packed artifact, byte-exact as the packer wrote it. */
export function referenceDocument(name: ReferenceDocumentName): string {
  return reference.documents[name];
}

/** The decrypted payload of `a-age-basic`: namespace → key → value. */
export function referenceSecrets(): Record<string, Record<string, string>> {
  return structuredClone(reference.secrets) as Record<string, Record<string, string>>;
}
