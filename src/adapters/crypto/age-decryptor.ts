import { Decrypter, armor } from 'age-encryption';
import type { PackedArtifact } from '../../domain/artifact/types';
import { AgentError } from '../../domain/errors';
import type { Decryptor, DecryptorCapabilities } from '../../domain/ports/decryptor';
import { AgeKeyError } from './age-identities';
import { decodeStrictBase64 } from './strict-base64';

/**
 * Decrypts age-only artifacts (ARTIFACT.md §5.1): `ciphertext` is standard base64 of a
 * binary age v1 file. Several identities may be configured (key rotation); age tries
 * each against the file's recipient stanzas.
 */
export interface AgeDecryptorOptions {
  /** `AGE-SECRET-KEY-1…` / `AGE-SECRET-KEY-PQ-1…` strings, e.g. from parseAgeIdentities. */
  identities: readonly string[];
}

const ARMOR_HEADER = '-----BEGIN AGE ENCRYPTED FILE-----';

/** Deliberately vague: wrong identity and tampering must look the same to a caller. */
function decryptFailed(): AgentError {
  return new AgentError('decrypt', 'age decryption failed: wrong identity or corrupted ciphertext');
}

/** Binary age file from the artifact's ciphertext: strict base64, or [hardening] ASCII armor. */
function ageFileBytes(ciphertext: string): Uint8Array {
  if (ciphertext.trimStart().startsWith(ARMOR_HEADER)) {
    try {
      return armor.decode(ciphertext);
    } catch {
      throw new AgentError('decrypt', 'age ciphertext has malformed ASCII armor');
    }
  }
  const bytes = decodeStrictBase64(ciphertext);
  if (!bytes) throw new AgentError('decrypt', 'age ciphertext is not standard base64');
  return bytes;
}

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** Concatenates the plaintext chunks, then zeroes each chunk: one copy stays, the caller's. */
async function readAndWipeChunks(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
    }
    const out = new Uint8Array(length);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  } finally {
    for (const chunk of chunks) chunk.fill(0);
  }
}

export class AgeDecryptor implements Decryptor {
  readonly capabilities: DecryptorCapabilities = { age: true, envelopeProviders: [] };
  private decrypter: Decrypter | undefined;
  private count = 0;

  constructor(options: AgeDecryptorOptions) {
    this.setIdentities(options.identities);
  }

  /** Number of configured identities (safe to report; the keys are not). */
  get identityCount(): number {
    return this.count;
  }

  /**
   * Replaces the identities (SIGHUP reload). Throws AgeKeyError and keeps the previous
   * identities when one is malformed. Decryptions already running finish with the
   * identities they started with. An empty list makes decrypt fail `no_age_identity`.
   */
  setIdentities(identities: readonly string[]): void {
    if (identities.length === 0) {
      this.decrypter = undefined;
      this.count = 0;
      return;
    }
    const next = new Decrypter();
    identities.forEach((identity, index) => {
      try {
        next.addIdentity(identity);
      } catch {
        throw new AgeKeyError(`age identity ${index + 1} is not a valid key`);
      }
    });
    this.decrypter = next;
    this.count = identities.length;
  }

  /** `signal` is not consulted: age decryption is bounded local CPU work with nothing
   * to cancel, and the caller discards the result of an aborted refresh anyway. */
  async decrypt(artifact: PackedArtifact, _signal?: AbortSignal): Promise<Uint8Array> {
    if (artifact.envelope) {
      // The router sends envelope artifacts to a KMS decryptor; reaching here is a wiring bug.
      throw new AgentError('unsupported_kms_provider', 'the age decryptor cannot open KMS envelope artifacts');
    }
    const decrypter = this.decrypter;
    if (!decrypter) throw new AgentError('no_age_identity', 'no age identity is configured');
    const file = ageFileBytes(artifact.ciphertext);
    try {
      // Stream in, stream out: given bytes, age collects its output with `new Response()`,
      // which loads Node's whole fetch implementation (undici) on the first decrypt (issue 8:
      // ~20 ms of cold start and several MB of RSS), and leaves plaintext copies we cannot wipe.
      return await readAndWipeChunks(await decrypter.decrypt(streamOf(file)));
    } catch {
      // age's own messages are not forwarded (nor kept as cause): they are not ours to vouch for.
      throw decryptFailed();
    }
  }
}
