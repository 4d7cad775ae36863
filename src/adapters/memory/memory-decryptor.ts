import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PackedArtifact } from '../../domain/artifact/types';
import { AgentError } from '../../domain/errors';
import type { Decryptor, DecryptorCapabilities } from '../../domain/ports/decryptor';
import { decodeStrictBase64 } from '../crypto/strict-base64';

/**
 * Reference Decryptor for tests and for third parties learning the port: no real
 * cryptography, but it behaves like one where the agent can tell. A "ciphertext" is
 * standard base64 of `<keyName>:<hex HMAC-SHA256(keyName, plaintext)>:<plaintext>`, so a
 * different key name is a wrong key and any flipped byte fails the tag. Like the age
 * adapter it handles envelope-less artifacts (`capabilities.age`).
 */
export interface MemoryDecryptorOptions {
  /** Name of the only "key" this decryptor opens; must not contain `:`. */
  keyName: string;
}

const SEPARATOR = 0x3a; // ':'
const TAG_HEX_LENGTH = 64;

function tagOf(keyName: string, plaintext: Uint8Array): Buffer {
  return Buffer.from(createHmac('sha256', keyName).update(plaintext).digest('hex'), 'ascii');
}

function checkKeyName(keyName: string): void {
  if (keyName === '' || keyName.includes(':')) throw new Error('memory key name must be non-empty and contain no ":"');
}

/** Seals `plaintext` (UTF-8 when a string) for `keyName`; returns the `ciphertext` member. */
export function memorySeal(keyName: string, plaintext: string | Uint8Array): string {
  checkKeyName(keyName);
  const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : Buffer.from(plaintext);
  return Buffer.concat([Buffer.from(`${keyName}:`, 'utf8'), tagOf(keyName, bytes), Buffer.from(':'), bytes]).toString('base64');
}

function failed(): AgentError {
  return new AgentError('decrypt', 'memory decryption failed: wrong key or corrupted ciphertext');
}

export class MemoryDecryptor implements Decryptor {
  readonly capabilities: DecryptorCapabilities = { age: true, envelopeProviders: [] };
  private readonly keyName: string;

  constructor(options: MemoryDecryptorOptions) {
    checkKeyName(options.keyName);
    this.keyName = options.keyName;
  }

  seal(plaintext: string | Uint8Array): string {
    return memorySeal(this.keyName, plaintext);
  }

  async decrypt(artifact: PackedArtifact): Promise<Uint8Array> {
    if (artifact.envelope) throw new AgentError('unsupported_kms_provider', 'the memory decryptor cannot open envelope artifacts');
    const sealed = decodeStrictBase64(artifact.ciphertext);
    if (!sealed) throw new AgentError('decrypt', 'ciphertext is not standard base64');
    const nameEnd = sealed.indexOf(SEPARATOR);
    const tagEnd = nameEnd + 1 + TAG_HEX_LENGTH;
    if (nameEnd < 0 || sealed.length <= tagEnd || sealed[tagEnd] !== SEPARATOR) throw failed();
    if (sealed.subarray(0, nameEnd).toString('utf8') !== this.keyName) throw failed();
    const plaintext = sealed.subarray(tagEnd + 1);
    if (!timingSafeEqual(sealed.subarray(nameEnd + 1, tagEnd), tagOf(this.keyName, plaintext))) throw failed();
    // A fresh copy: the caller zeroes what it gets back.
    return new Uint8Array(plaintext);
  }
}
