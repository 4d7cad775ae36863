import { bech32 } from '@scure/base';

/**
 * Reads age identities from a key file or an environment value (CLEF_AGENT_AGE_KEY /
 * CLEF_AGENT_AGE_KEY_FILE). A file may hold several identities (key rotation) plus
 * `#` comments and blank lines, as written by `age-keygen`. Keys are checked at
 * startup so a typo fails fast instead of surfacing as a decrypt error later
 * (DIFFERENCES.md W12).
 */

/** A key file or value that holds no usable identity. The message never contains key
 * text: the config layer maps it to a configuration error naming the variable. */
export class AgeKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgeKeyError';
  }
}

const X25519_PREFIX = 'AGE-SECRET-KEY-1';
/** Post-quantum hybrid identities (ML-KEM-768 + X25519), supported by age-encryption. */
const HYBRID_PREFIX = 'AGE-SECRET-KEY-PQ-1';
/** Upper-case bech32 data characters; age writes identities in upper case. */
const BECH32_UPPER = /^[02-9AC-HJ-NP-Z]+$/;

function looksLikeIdentity(line: string): boolean {
  const prefix = line.startsWith(HYBRID_PREFIX) ? HYBRID_PREFIX : line.startsWith(X25519_PREFIX) ? X25519_PREFIX : undefined;
  return prefix !== undefined && BECH32_UPPER.test(line.slice(prefix.length));
}

/**
 * Returns the identities in `text`, in order, without duplicates. Blank lines and `#`
 * comments are skipped; any other line must be an identity. Throws AgeKeyError (naming
 * the line number, never its content) for a malformed line or when none is found.
 * Only the syntax is checked here; {@link checkAgeIdentities} checks the keys.
 */
export function parseAgeIdentities(text: string): string[] {
  const identities: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (!looksLikeIdentity(line)) {
      throw new AgeKeyError(`line ${index + 1} is not an age identity (expected ${X25519_PREFIX}…)`);
    }
    if (!identities.includes(line)) identities.push(line);
  });
  if (identities.length === 0) throw new AgeKeyError('no age identity found');
  return identities;
}

/** The checks age-encryption's identity constructors make (prefix, bech32 checksum, 32
 * bytes), without the X25519 multiplication (for a hybrid key, the ML-KEM key generation)
 * its `identityToRecipient` adds: any 32 bytes are a valid X25519 scalar and ML-KEM seed,
 * so a key that decodes is a key. The decryptor derives the public half when it is built. */
function decodesAsIdentity(identity: string): boolean {
  const prefix = identity.startsWith(HYBRID_PREFIX) ? HYBRID_PREFIX : X25519_PREFIX;
  try {
    const { prefix: hrp, bytes } = bech32.decodeToBytes(identity);
    return `${hrp.toUpperCase()}1` === prefix && bytes.length === 32;
  } catch {
    return false;
  }
}

/**
 * Checks that every identity decodes to a key. Throws AgeKeyError naming the position
 * (1-based) of the first bad identity, never its text.
 */
export function checkAgeIdentities(identities: readonly string[]): void {
  if (identities.length === 0) throw new AgeKeyError('no age identity found');
  identities.forEach((identity, index) => {
    // The library's message may quote the key (bech32 checksum errors do): never forwarded.
    if (!decodesAsIdentity(identity)) throw new AgeKeyError(`age identity ${index + 1} is not a valid key`);
  });
}

/** parseAgeIdentities + checkAgeIdentities: the usual startup and reload path. */
export function loadAgeIdentities(text: string): string[] {
  const identities = parseAgeIdentities(text);
  checkAgeIdentities(identities);
  return identities;
}
