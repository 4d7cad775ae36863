import { DEFAULT_AZURE_KEYVAULT_DOMAINS, parseKeyVaultDomains } from '../../adapters/kms/azure-key-url';
import { parseGcpKmsEndpoint } from '../../adapters/kms/gcp-key-name';
import type { AgentConfig } from './agent-config';
import { ConfigError } from './config-error';
import type { Env } from './env-schema';

/** GCP Cloud KMS and Azure Key Vault settings, checked at startup (the SDKs still load only on first use). */
export function kmsConfig(env: Env): Pick<AgentConfig, 'kms'> {
  let gcpEndpoint: string | undefined;
  if (env.CLEF_AGENT_GCP_KMS_ENDPOINT !== undefined) {
    const parsed = parseGcpKmsEndpoint(env.CLEF_AGENT_GCP_KMS_ENDPOINT);
    if ('problem' in parsed) throw new ConfigError('CLEF_AGENT_GCP_KMS_ENDPOINT', parsed.problem);
    gcpEndpoint = parsed.endpoint;
  }
  let azureDomains = DEFAULT_AZURE_KEYVAULT_DOMAINS;
  if (env.CLEF_AGENT_AZURE_KEYVAULT_DOMAINS !== undefined) {
    const parsed = parseKeyVaultDomains(env.CLEF_AGENT_AZURE_KEYVAULT_DOMAINS);
    if ('problem' in parsed) throw new ConfigError('CLEF_AGENT_AZURE_KEYVAULT_DOMAINS', parsed.problem);
    azureDomains = parsed.domains;
  }
  return { kms: { gcpEndpoint, azureDomains } };
}
