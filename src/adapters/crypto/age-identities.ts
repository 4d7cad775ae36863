import { identityToRecipient } from 'age-encryption';

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
 * Only the syntax is checked here; {@link validateAgeIdentities} checks the keys.
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

/**
 * Checks every identity decodes to a valid key and returns the matching public
 * recipients (`age1…`), which are safe to log. Throws AgeKeyError naming the position
 * (1-based) of the first bad identity.
 */
export async function validateAgeIdentities(identities: readonly string[]): Promise<string[]> {
  if (identities.length === 0) throw new AgeKeyError('no age identity found');
  const recipients: string[] = [];
  for (const [index, identity] of identities.entries()) {
    try {
      recipients.push(await identityToRecipient(identity));
    } catch {
      // The library's message may quote the key (bech32 checksum errors do): drop it.
      throw new AgeKeyError(`age identity ${index + 1} is not a valid key`);
    }
  }
  return recipients;
}

/** parseAgeIdentities + validateAgeIdentities: the usual startup path. */
export async function loadAgeIdentities(text: string): Promise<string[]> {
  const identities = parseAgeIdentities(text);
  await validateAgeIdentities(identities);
  return identities;
}
