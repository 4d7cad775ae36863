/** SHA-256 for the integrity hash and revision digests; the domain may not import node:crypto. */
export const Hasher = Symbol.for('clef-agent.Hasher');

export interface Hasher {
  /** Lowercase hex SHA-256 of the UTF-8 bytes of `text`. */
  sha256Hex(text: string): string;
}
