import { createHash } from 'node:crypto';
import type { Hasher } from '../../domain/ports/hasher';

/** SHA-256 via node:crypto, for `ciphertextHash` checks and revision digests. */
export class NodeHasher implements Hasher {
  sha256Hex(text: string): string {
    return createHash('sha256').update(text, 'utf8').digest('hex');
  }
}
