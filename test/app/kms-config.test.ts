import { loadConfig } from '../../src/app/config/load-config';
import { DEFAULT_AZURE_KEYVAULT_DOMAINS } from '../../src/adapters/kms/azure-key-url';
import { BASE_ENV, configError } from '../support/config-env';


describe('GCP / Azure KMS configuration', () => {
  it('defaults: Google picks the endpoint, every Azure cloud Key Vault domain is allowed', async () => {
    expect((await loadConfig(BASE_ENV)).kms).toEqual({ gcpEndpoint: undefined, azureDomains: DEFAULT_AZURE_KEYVAULT_DOMAINS });
  });

  it('takes an endpoint override and a replacing domain list', async () => {
    const c = await loadConfig({ ...BASE_ENV, CLEF_AGENT_GCP_KMS_ENDPOINT: 'https://kms-psc.p.googleapis.com/', CLEF_AGENT_AZURE_KEYVAULT_DOMAINS: 'prod.vault.azure.net,vault.contoso.example' });
    expect(c.kms).toEqual({ gcpEndpoint: 'https://kms-psc.p.googleapis.com', azureDomains: ['prod.vault.azure.net', 'vault.contoso.example'] });
  });

  it.each([
    [{ CLEF_AGENT_GCP_KMS_ENDPOINT: 'http://10.0.0.5' }, 'CLEF_AGENT_GCP_KMS_ENDPOINT', /loopback/],
    [{ CLEF_AGENT_GCP_KMS_ENDPOINT: 'cloudkms.googleapis.com' }, 'CLEF_AGENT_GCP_KMS_ENDPOINT', /absolute https/],
    [{ CLEF_AGENT_AZURE_KEYVAULT_DOMAINS: 'https://vault.azure.net/' }, 'CLEF_AGENT_AZURE_KEYVAULT_DOMAINS', /not a DNS name/],
    [{ CLEF_AGENT_AZURE_KEYVAULT_DOMAINS: ' , ' }, 'CLEF_AGENT_AZURE_KEYVAULT_DOMAINS', /at least one/],
  ])('%j is a configuration error naming %s', async (env, variable, message) => {
    const e = await configError(env);
    expect(e.variable).toBe(variable);
    expect(e.message).toMatch(message);
  });
});
