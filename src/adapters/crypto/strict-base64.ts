/**
 * Strict standard base64 (RFC 4648 §4, `=` padded, no whitespace). Node's
 * `Buffer.from(s, 'base64')` silently skips invalid characters and stops early, which
 * would let a mangled ciphertext or signature reach the cipher looking valid; artifacts
 * are produced by a packer that always writes canonical base64, so anything else is
 * rejected here.
 */
// A flat character class (no repeated group): V8 matches it without backtracking, so a
// multi-megabyte member cannot overflow the regex stack. Padding placement and length are
// then enforced by the canonical round trip below.
const BASE64_ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

/** The decoded bytes, or undefined when `text` is empty or not canonical base64. */
export function decodeStrictBase64(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !BASE64_ALPHABET.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Canonical form only: non-zero padding bits would give two encodings of one value.
  if (bytes.toString('base64') !== text) return undefined;
  return bytes;
}
