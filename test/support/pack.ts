/**
 * A test-side packer that produces artifacts the way Clef's reference packer does
 * (ARTIFACT.md §2, §5, §7): pretty-printed JSON, member order, clef-sig-v3 signatures.
 * Used so the suite does not depend on pre-baked files alone.
 */
import { createCipheriv, createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, KeyObject } from 'node:crypto';
import { Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { signedPayload } from '../../src/domain/artifact/signed-payload';
import type { Envelope, PackedArtifact } from '../../src/domain/artifact/types';

export type Tree = Record<string, Record<string, string>>;

export interface PackOptions {
  identity?: string;
  environment?: string;
  revision?: string;
  packedAt?: string;
  expiresAt?: string;
  /** Private key used to sign (Ed25519 → "Ed25519", EC P-256 → "ECDSA_SHA256"). */
  signWith?: KeyObject;
  /** Extra members merged into the document after signing (e.g. revokedAt). */
  extra?: Record<string, unknown>;
}

export interface SigningKeys {
  privateKey: KeyObject;
  /** base64 DER SPKI, the CLEF_AGENT_VERIFY_KEY format. */
  verifyKey: string;
}

export function newEd25519Keys(): SigningKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, verifyKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
}

export function newP256Keys(): SigningKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, verifyKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
}

export function ed25519FromPkcs8(base64Der: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(base64Der, 'base64'), format: 'der', type: 'pkcs8' });
}

export async function newAgeIdentity(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
}

let counter = 0;
function defaultRevision(): string {
  counter += 1;
  return `${Date.now() + counter}-${randomBytes(4).toString('hex')}`;
}

function finish(base: Omit<PackedArtifact, 'version' | 'expiresAtMs'> & { version?: 1 }, opts: PackOptions): string {
  const doc: Record<string, unknown> = {
    version: 1,
    identity: base.identity,
    environment: base.environment,
    packedAt: base.packedAt,
    revision: base.revision,
    ciphertextHash: createHash('sha256').update(base.ciphertext).digest('hex'),
    ciphertext: base.ciphertext,
  };
  if (base.envelope) doc.envelope = base.envelope;
  if (base.expiresAt) doc.expiresAt = base.expiresAt;
  if (opts.signWith) {
    const payload = Buffer.from(signedPayload(doc as unknown as PackedArtifact), 'utf8');
    const isEd = opts.signWith.asymmetricKeyType === 'ed25519';
    doc.signature = sign(isEd ? null : 'sha256', payload, opts.signWith).toString('base64');
    doc.signatureAlgorithm = isEd ? 'Ed25519' : 'ECDSA_SHA256';
  }
  Object.assign(doc, opts.extra ?? {});
  return JSON.stringify(doc, null, 2);
}

function common(opts: PackOptions) {
  return {
    identity: opts.identity ?? 'vector-svc',
    environment: opts.environment ?? 'production',
    packedAt: opts.packedAt ?? new Date().toISOString(),
    revision: opts.revision ?? defaultRevision(),
    expiresAt: opts.expiresAt,
  };
}

/** age-only artifact encrypted to `recipient`; `payload` is a tree or raw plaintext. */
export async function packAge(payload: Tree | string, recipient: string, opts: PackOptions = {}): Promise<string> {
  const e = new Encrypter();
  e.addRecipient(recipient);
  const plaintext = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const ciphertext = Buffer.from(await e.encrypt(plaintext)).toString('base64');
  return finish({ ...common(opts), ciphertextHash: '', ciphertext }, opts);
}

export interface EnvelopeParts {
  /** 32-byte data key; the KMS fake must unwrap `wrappedKey` to it. */
  dek: Buffer;
  wrappedKey: Buffer;
  keyId: string;
  provider?: string;
  iv?: Buffer;
}

/** KMS envelope artifact: AES-256-GCM under `dek`, tag kept apart, no AAD (ARTIFACT.md §5.2). */
export function packEnvelope(payload: Tree | string, parts: EnvelopeParts, opts: PackOptions = {}): string {
  const iv = parts.iv ?? randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', parts.dek, iv);
  const plaintext = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const envelope: Envelope = {
    provider: parts.provider ?? 'aws',
    keyId: parts.keyId,
    wrappedKey: parts.wrappedKey.toString('base64'),
    algorithm: 'SYMMETRIC_DEFAULT',
    iv: iv.toString('base64'),
    authTag: cipher.getAuthTag().toString('base64'),
  };
  return finish({ ...common(opts), ciphertextHash: '', ciphertext: ct.toString('base64'), envelope }, opts);
}

/** The revocation marker `clef revoke` writes (ARTIFACT.md §9). */
export function revocationMarker(identity = 'vector-svc', environment = 'production', revokedAt = new Date().toISOString()): string {
  return `${JSON.stringify({ version: 1, identity, environment, revokedAt }, null, 2)}\n`;
}
