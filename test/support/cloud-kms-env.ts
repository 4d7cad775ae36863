/**
 * Process environments for running the built agent against the AWS, GCP and Azure loopback
 * fakes: only standard provider variables (AWS_ENDPOINT_URL_KMS, GCE_METADATA_HOST,
 * IDENTITY_ENDPOINT…) plus,
 * for Azure, the test-only preload that resolves *.vault.azure.net to the fake and the
 * fake's certificate trusted through NODE_EXTRA_CA_CERTS.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { azureIdentityEnv, type FakeKeyVault, type FakeManagedIdentity } from './fakes/azure-key-vault';
import { KEY_VAULT_TLS } from './fakes/azure-tls-fixture';
import { gcpAdcEnv, type FakeCloudKms, type FakeGceMetadata } from './fakes/gcp-kms-server';

export const AZURE_VAULT_PRELOAD = path.resolve(__dirname, 'azure-vault-redirect.js');

/** The AWS SDK's standard variables pointed at the KMS fake, with static credentials; `home`
 * hides the developer's ~/.aws, and instance metadata is off. The region is deliberately not
 * the key's: the adapter must take it from the ARN. */
export function awsProcessEnv(kmsEndpoint: string, home: string): Record<string, string> {
  return {
    HOME: home,
    AWS_ENDPOINT_URL_KMS: kmsEndpoint,
    AWS_ACCESS_KEY_ID: 'AKIDLOOPBACKTEST',
    AWS_SECRET_ACCESS_KEY: 'loopback-test-secret',
    AWS_REGION: 'eu-west-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

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
