/**
 * A loopback Azure (managed-identity token endpoint + Key Vault over TLS) for in-process
 * tests. The process environment points DefaultAzureCredential at the identity fake only,
 * and the test-only redirect (test/support/azure-vault-redirect.js) sends
 * *.vault.azure.net to the fake with its certificate trusted for this process.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AzureKvDecryptor, type AzureKvDecryptorOptions } from '../../../src/adapters/kms/azure-kv-decryptor';
import type { PackedArtifact } from '../../../src/domain/artifact/types';
import { azureIdentityEnv, FAKE_AZURE_KEY, FakeKeyVault, FakeManagedIdentity } from '../../support/fakes/azure-key-vault';
import { KEY_VAULT_TLS } from '../../support/fakes/azure-tls-fixture';
import { packEnvelope, type Tree } from '../../support/pack';
import { artifactOf, withEnvelope } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const redirect = require('../../support/azure-vault-redirect.js') as { install(o: { port: number; ca?: string }): void; uninstall(): void };

export interface LoopbackAzure {
  identity: FakeManagedIdentity;
  vault: FakeKeyVault;
  decryptor(options?: AzureKvDecryptorOptions): AzureKvDecryptor;
  seal(payload: Tree | string, opts?: { keyId?: string; register?: boolean; dek?: Buffer }): PackedArtifact;
  close(): Promise<void>;
}

export async function startLoopbackAzure(): Promise<LoopbackAzure> {
  const identity = await FakeManagedIdentity.start();
  const vault = await FakeKeyVault.start(() => identity.token);
  redirect.install({ port: vault.port, ca: KEY_VAULT_TLS.cert });
  const home = mkdtempSync(path.join(tmpdir(), 'clef-azure-'));
  const env = azureIdentityEnv(identity, home);
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return {
    identity,
    vault,
    decryptor: (options = {}) => new AzureKvDecryptor({ backoffBaseMs: 1, backoffMaxMs: 5, ...options }),
    seal(payload, opts = {}) {
      const dek = opts.dek ?? randomBytes(32);
      const wrappedKey = opts.register === false ? randomBytes(256) : vault.wrapDek(dek);
      const artifact = artifactOf(packEnvelope(payload, { dek, wrappedKey, keyId: opts.keyId ?? FAKE_AZURE_KEY, provider: 'azure' }));
      return withEnvelope(artifact, { algorithm: 'RSA-OAEP-256' });
    },
    async close() {
      redirect.uninstall();
      await vault.close();
      await identity.close();
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
