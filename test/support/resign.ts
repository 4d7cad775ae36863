/** Re-signs a packed document with another key: same ciphertext, same signed payload,
 * only `signature` / `signatureAlgorithm` change (a verify-key rotation at the publisher). */
import { sign, type KeyObject } from 'node:crypto';
import { signedPayload } from '../../src/domain/artifact/signed-payload';
import type { PackedArtifact } from '../../src/domain/artifact/types';

export function reSign(document: string, key: KeyObject): string {
  const doc = JSON.parse(document) as Record<string, unknown>;
  const isEd = key.asymmetricKeyType === 'ed25519';
  doc.signature = sign(isEd ? null : 'sha256', Buffer.from(signedPayload(doc as unknown as PackedArtifact), 'utf8'), key).toString('base64');
  doc.signatureAlgorithm = isEd ? 'Ed25519' : 'ECDSA_SHA256';
  return JSON.stringify(doc, null, 2);
}
