import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Hasher } from '../../domain/ports/hasher';

/**
 * Pure-JavaScript SHA-256 (audited @noble/hashes, already a dependency of age-encryption):
 * the reference Hasher for runtimes without node:crypto, and the second adapter the
 * hasher contract runs against.
 */
export class NobleHasher implements Hasher {
  private readonly encoder = new TextEncoder();

  sha256Hex(text: string): string {
    return bytesToHex(sha256(this.encoder.encode(text)));
  }
}
