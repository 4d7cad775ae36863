/** Shared bits of the KMS adapter tests. */
import { randomBytes } from 'node:crypto';
import { parseDocument } from '../../../src/domain/artifact/parse-document';
import type { PackedArtifact } from '../../../src/domain/artifact/types';
import { AgentError } from '../../../src/domain/errors';
import { packEnvelope, Tree } from '../../support/pack';
import { FAKE_KEY_ARN, FakeKmsServer } from '../../support/fakes/kms-server';

export const TREE: Tree = { api: { DB_URL: 'postgres://db.internal:5432/app', TOKEN: 'tok-7f3a9c2e51' } };

export function artifactOf(text: string): PackedArtifact {
  const doc = parseDocument(text);
  if (doc.kind !== 'artifact') throw new Error('expected an artifact');
  return doc.artifact;
}

export interface Sealed {
  artifact: PackedArtifact;
  dek: Buffer;
  wrappedKey: Buffer;
}

/** An AWS envelope artifact whose wrapped key the fake knows (unless `register` is false). */
export function sealAws(fake: FakeKmsServer, payload: Tree | string = TREE, opts: { keyId?: string; register?: boolean } = {}): Sealed {
  const dek = randomBytes(32);
  const wrappedKey = opts.register === false ? randomBytes(40) : fake.wrapDek(dek);
  const artifact = artifactOf(packEnvelope(payload, { dek, wrappedKey, keyId: opts.keyId ?? FAKE_KEY_ARN }));
  return { artifact, dek, wrappedKey };
}

/** Same artifact with some envelope members replaced (ciphertextHash is not rechecked here). */
export function withEnvelope(a: PackedArtifact, patch: Partial<NonNullable<PackedArtifact['envelope']>>): PackedArtifact {
  return { ...a, envelope: { ...a.envelope!, ...patch } };
}

/** The AgentError a promise rejects with (fails the test if it resolves or throws something else). */
export async function rejection(p: Promise<unknown>): Promise<AgentError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AgentError) return e;
    throw new Error(`expected an AgentError, got ${String(e)}`);
  }
  throw new Error('expected a rejection');
}
