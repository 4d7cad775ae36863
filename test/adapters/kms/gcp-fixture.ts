/**
 * A loopback Google Cloud (metadata server + Cloud KMS REST) for in-process tests, with
 * the process environment pointing Application Default Credentials at the metadata fake
 * only (GCE_METADATA_HOST, empty HOME and gcloud config), restored afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GcpKmsDecryptor, type GcpKmsDecryptorOptions } from '../../../src/adapters/kms/gcp-kms-decryptor';
import type { PackedArtifact } from '../../../src/domain/artifact/types';
import { FAKE_GCP_KEY, FakeCloudKms, FakeGceMetadata, gcpAdcEnv } from '../../support/fakes/gcp-kms-server';
import { packEnvelope, type Tree } from '../../support/pack';
import { artifactOf } from './helpers';

export interface LoopbackGcp {
  metadata: FakeGceMetadata;
  kms: FakeCloudKms;
  home: string;
  /** A decryptor aimed at the fake endpoint (tiny backoff: the policy is under test, not waiting). */
  decryptor(options?: GcpKmsDecryptorOptions): GcpKmsDecryptor;
  seal(payload: Tree | string, opts?: { keyId?: string; register?: boolean; dek?: Buffer }): PackedArtifact;
  close(): Promise<void>;
}

export async function startLoopbackGcp(): Promise<LoopbackGcp> {
  const metadata = await FakeGceMetadata.start();
  const kms = await FakeCloudKms.start(() => metadata.token);
  const home = mkdtempSync(path.join(tmpdir(), 'clef-gcp-'));
  const env = gcpAdcEnv(metadata, home);
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return {
    metadata,
    kms,
    home,
    decryptor: (options = {}) => new GcpKmsDecryptor({ endpoint: kms.endpoint, backoffBaseMs: 1, backoffMaxMs: 5, ...options }),
    seal(payload, opts = {}) {
      const dek = opts.dek ?? randomBytes(32);
      const wrappedKey = opts.register === false ? randomBytes(40) : kms.wrapDek(dek);
      return artifactOf(packEnvelope(payload, { dek, wrappedKey, keyId: opts.keyId ?? FAKE_GCP_KEY, provider: 'gcp' }));
    },
    async close() {
      await kms.close();
      await metadata.close();
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
