/** Wire types of a packed artifact (ARTIFACT.md §2, §3). */
export interface Envelope {
  provider: string;
  keyId: string;
  wrappedKey: string;
  algorithm: string;
  iv: string;
  authTag: string;
}

export type SignatureAlgorithm = 'Ed25519' | 'ECDSA_SHA256';

export interface PackedArtifact {
  version: 1;
  identity: string;
  environment: string;
  packedAt: string;
  revision: string;
  ciphertextHash: string;
  ciphertext: string;
  envelope?: Envelope;
  expiresAt?: string;
  /** `expiresAt` parsed to epoch ms, when present. */
  expiresAtMs?: number;
  signature?: string;
  signatureAlgorithm?: SignatureAlgorithm;
}

export interface RevocationMarker {
  revokedAt: string;
  identity?: string;
  environment?: string;
}

export type ParsedDocument =
  | { kind: 'artifact'; artifact: PackedArtifact }
  | { kind: 'revoked'; marker: RevocationMarker };
