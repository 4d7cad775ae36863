import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { AgentError } from '../../domain/errors';
import type { SignatureVerifier, VerifyOutcome } from '../../domain/ports/signature-verifier';
import { decodeStrictBase64 } from './strict-base64';

/**
 * Verifies `clef-sig-v3` signatures with node:crypto (ARTIFACT.md §7.2/§7.3). Keys are
 * parsed and checked once, at construction, so a bad CLEF_AGENT_VERIFY_KEY fails at
 * startup (DIFFERENCES.md D10). The algorithm follows the key type — Ed25519 or
 * ECDSA P-256/SHA-256 — and never the artifact's `signatureAlgorithm`.
 */

/** A verify key that cannot be used. The message names the key's position, never its bytes. */
export class VerifyKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyKeyError';
  }
}

export interface NodeSignatureVerifierOptions {
  /** Each base64 DER SubjectPublicKeyInfo or a `-----BEGIN PUBLIC KEY-----` PEM block. */
  keys: readonly string[];
}

interface LoadedKey {
  id: string;
  key: KeyObject;
  /** `null` = pure Ed25519; `sha256` = ECDSA over SHA-256 with DER signatures. */
  digest: null | 'sha256';
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/;
/** A whole PEM block, or a run of characters up to the next comma / line break. */
const TOKEN = new RegExp(`${PEM_BLOCK.source}|[^,\\r\\n]+`, 'g');

/**
 * Splits a CLEF_AGENT_VERIFY_KEY value into keys: separated by commas and/or line
 * breaks, with PEM blocks (which contain line breaks) kept whole. Empty items are
 * dropped, so `""` yields `[]` (signatures not enforced).
 */
export function parseVerifyKeys(value: string): string[] {
  return (value.match(TOKEN) ?? []).map((t) => t.trim()).filter((t) => t !== '');
}

function toKeyObject(text: string, position: number): KeyObject {
  const pem = PEM_BLOCK.exec(text);
  if (text.startsWith('-----BEGIN')) {
    // A private-key PEM would also "work" (node derives the public half); refuse it so
    // signing keys are not pasted into the agent's environment by mistake.
    if (!pem || pem[0] !== text || pem[1] !== 'PUBLIC KEY') {
      throw new VerifyKeyError(`verify key ${position} must be a "PUBLIC KEY" PEM block`);
    }
    try {
      return createPublicKey({ key: text, format: 'pem' });
    } catch {
      throw new VerifyKeyError(`verify key ${position} is not a parseable public key`);
    }
  }
  const der = decodeStrictBase64(text);
  if (!der) throw new VerifyKeyError(`verify key ${position} is neither PEM nor standard base64`);
  try {
    return createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    throw new VerifyKeyError(`verify key ${position} is not a DER SubjectPublicKeyInfo`);
  }
}

/** `sha256:` + the first 16 hex digits of SHA-256 over the DER SPKI (same for PEM and DER input). */
export function verifyKeyId(key: KeyObject): string {
  const spki = key.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex').slice(0, 16)}`;
}

function loadKey(text: string, position: number): LoadedKey {
  const key = toKeyObject(text, position);
  if (key.asymmetricKeyType === 'ed25519') return { id: verifyKeyId(key), key, digest: null };
  if (key.asymmetricKeyType === 'ec') {
    // [hardening] only P-256 (ARTIFACT.md §7.3): AWS KMS ECC_NIST_P256 is the only EC signer.
    if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new VerifyKeyError(`verify key ${position} is an EC key on a curve other than P-256`);
    }
    return { id: verifyKeyId(key), key, digest: 'sha256' };
  }
  throw new VerifyKeyError(`verify key ${position} has unsupported type ${key.asymmetricKeyType ?? 'unknown'} (Ed25519 or EC P-256 only)`);
}

function loadKeys(keys: readonly string[]): LoadedKey[] {
  const loaded: LoadedKey[] = [];
  keys.forEach((text, index) => {
    const key = loadKey(text.trim(), index + 1);
    if (!loaded.some((k) => k.id === key.id)) loaded.push(key);
  });
  return loaded;
}

export class NodeSignatureVerifier implements SignatureVerifier {
  private keys: readonly LoadedKey[];

  /** Throws VerifyKeyError for any unusable key. */
  constructor(options: NodeSignatureVerifierOptions) {
    this.keys = loadKeys(options.keys);
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  get keyIds(): readonly string[] {
    return this.keys.map((k) => k.id);
  }

  /** Runtime rotation (SIGHUP). All keys are checked before any is swapped in. */
  setKeys(keys: readonly string[]): void {
    this.keys = loadKeys(keys);
  }

  verify(payload: string, signatureBase64: string): VerifyOutcome {
    const signature = decodeStrictBase64(signatureBase64);
    if (!signature) throw new AgentError('signature_error', 'artifact signature is not standard base64');
    const message = Buffer.from(payload, 'utf8');
    for (const k of this.keys) {
      if (checks(k, message, signature)) return { valid: true, keyId: k.id };
    }
    return { valid: false };
  }
}

function checks(k: LoadedKey, message: Buffer, signature: Buffer): boolean {
  try {
    // OpenSSL accepts both low-S and high-S ECDSA signatures, as KMS may emit either.
    return verify(k.digest, message, { key: k.key, dsaEncoding: 'der' }, signature);
  } catch {
    // A signature of the wrong shape for this key type (e.g. ECDSA bytes against an
    // Ed25519 key) is simply not a valid signature by this key.
    return false;
  }
}
