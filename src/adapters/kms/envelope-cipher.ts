/**
 * The content half of KMS envelope mode (ARTIFACT.md §3, §5.2): AES-256-GCM with a
 * 32-byte DEK, 12-byte IV, 16-byte tag kept apart from the ciphertext, no AAD.
 * Provider-neutral, so GCP / Azure adapters reuse it and only differ in the unwrap.
 */
import { createDecipheriv } from 'node:crypto';
import { decodeStrictBase64 } from '../crypto/strict-base64';
import { AgentError, ErrorCode } from '../../domain/errors';
import type { PackedArtifact } from '../../domain/artifact/types';

export const DEK_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

/** Decoded, length-checked cipher inputs. Checked before the KMS call so a malformed
 * artifact costs no KMS request (and no KMS bill). */
export interface EnvelopeCipherInputs {
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
  wrappedKey: Buffer;
}

/** Strict standard base64: Buffer.from(…, 'base64') silently skips junk, which could
 * turn a malformed IV into one of the "right" length. */
export function decodeBase64(value: string, code: ErrorCode, what: string): Buffer {
  const bytes = decodeStrictBase64(value);
  if (!bytes) throw new AgentError(code, `envelope ${what} is not standard base64`);
  return bytes;
}

/**
 * The envelope of an artifact this provider's decryptor handles: an age artifact or another
 * provider's envelope is refused with the code the router and the contract suite expect.
 */
export function envelopeFor(artifact: PackedArtifact, provider: string, decryptorName: string): NonNullable<PackedArtifact['envelope']> {
  const env = artifact.envelope;
  if (!env) throw new AgentError('no_age_identity', `artifact is age-encrypted but this decryptor only handles ${decryptorName} envelopes`);
  if (env.provider !== provider) {
    throw new AgentError('unsupported_kms_provider', `envelope provider ${JSON.stringify(env.provider.slice(0, 32))} is not handled by the ${decryptorName} decryptor`);
  }
  return env;
}

export function envelopeInputs(artifact: PackedArtifact): EnvelopeCipherInputs {
  const env = artifact.envelope;
  if (!env) throw new AgentError('decrypt', 'artifact has no KMS envelope');
  const iv = decodeBase64(env.iv, 'decrypt', 'iv');
  if (iv.length !== IV_BYTES) throw new AgentError('decrypt', `envelope iv must be ${IV_BYTES} bytes, got ${iv.length}`);
  const tag = decodeBase64(env.authTag, 'decrypt', 'authTag');
  if (tag.length !== TAG_BYTES) throw new AgentError('decrypt', `envelope authTag must be ${TAG_BYTES} bytes, got ${tag.length}`);
  const ciphertext = decodeBase64(artifact.ciphertext, 'decrypt', 'ciphertext');
  const wrappedKey = decodeBase64(env.wrappedKey, 'kms_unwrap', 'wrappedKey');
  if (wrappedKey.length === 0) throw new AgentError('kms_unwrap', 'envelope wrappedKey is empty');
  return { ciphertext, iv, tag, wrappedKey };
}

/**
 * AES-256-GCM open. The DEK is NOT zeroed here: the caller owns it and zeroes it in its
 * own `finally`, which also covers failures before this function is reached.
 */
export function openEnvelope(inputs: EnvelopeCipherInputs, dek: Uint8Array): Uint8Array {
  if (dek.length !== DEK_BYTES) {
    throw new AgentError('kms_unwrap', `KMS returned a ${dek.length}-byte data key; ${DEK_BYTES} bytes are required`);
  }
  let head: Buffer | undefined;
  let tail: Buffer | undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', dek, inputs.iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(inputs.tag);
    head = decipher.update(inputs.ciphertext);
    tail = decipher.final();
    // A dedicated allocation: Buffer.concat may hand out a slice of the shared pool.
    const out = new Uint8Array(head.length + tail.length);
    out.set(head, 0);
    out.set(tail, head.length);
    return out;
  } catch (e) {
    // node:crypto's message is generic ("unable to authenticate data"); keep ours generic too.
    throw new AgentError('decrypt', 'AES-256-GCM authentication failed (wrong data key or tampered ciphertext)', { cause: e });
  } finally {
    // Partial plaintext must not linger in buffers the GC frees at leisure.
    head?.fill(0);
    tail?.fill(0);
  }
}

/** Opens the envelope with an unwrapped DEK and zeroes the DEK whatever happens: what every
 * KMS adapter does once its provider has unwrapped the key. */
export function openEnvelopeAndWipe(inputs: EnvelopeCipherInputs, dek: Uint8Array): Uint8Array {
  try {
    return openEnvelope(inputs, dek);
  } finally {
    dek.fill(0);
  }
}
