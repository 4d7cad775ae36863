/**
 * Process environments for running the built agent against the GCP and Azure loopback
 * fakes: only standard provider variables (GCE_METADATA_HOST, IDENTITY_ENDPOINT…) plus,
 * for Azure, the test-only preload that resolves *.vault.azure.net to the fake and the
 * fake's certificate trusted through NODE_EXTRA_CA_CERTS.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { azureIdentityEnv, type FakeKeyVault, type FakeManagedIdentity } from './fakes/azure-key-vault';
import { KEY_VAULT_TLS } from './fakes/azure-tls-fixture';
import { gcpAdcEnv, type FakeCloudKms, type FakeGceMetadata } from './fakes/gcp-kms-server';

export const AZURE_VAULT_PRELOAD = path.resolve(__dirname, 'azure-vault-redirect.js');

export function gcpProcessEnv(kms: FakeCloudKms, metadata: FakeGceMetadata, home: string): Record<string, string | undefined> {
  return { ...gcpAdcEnv(metadata, home), CLEF_AGENT_GCP_KMS_ENDPOINT: kms.endpoint };
}

export function azureProcessEnv(vault: FakeKeyVault, identity: FakeManagedIdentity, home: string): Record<string, string | undefined> {
  const ca = path.join(home, 'key-vault-fake-ca.pem');
  writeFileSync(ca, KEY_VAULT_TLS.cert);
  return {
    ...azureIdentityEnv(identity, home),
    NODE_OPTIONS: `--require ${AZURE_VAULT_PRELOAD}`,
    CLEF_TEST_AZURE_VAULT_PORT: String(vault.port),
    NODE_EXTRA_CA_CERTS: ca,
  };
}
