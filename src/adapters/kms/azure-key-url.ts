/**
 * Azure Key Vault / Managed HSM key URLs (envelope.keyId). The vault is the URL's host and
 * the agent sends an Azure access token there, so an unsigned artifact would choose where
 * the token goes. Only https on port 443 to a vault of a known Azure cloud is accepted
 * (CLEF_AGENT_AZURE_KEYVAULT_DOMAINS replaces the list, e.g. to pin one vault or add a
 * private cloud); the SDK's challenge-resource verification then checks that the
 * vault's token audience belongs to that same domain.
 */
import { AgentError } from '../../domain/errors';
import { describeKey } from './aws-key-arn';

/** Key Vault and Managed HSM DNS suffixes of the public, China, US Government and (legacy) Germany clouds. */
export const DEFAULT_AZURE_KEYVAULT_DOMAINS: readonly string[] = [
  'vault.azure.net',
  'managedhsm.azure.net',
  'vault.azure.cn',
  'managedhsm.azure.cn',
  'vault.usgovcloudapi.net',
  'managedhsm.usgovcloudapi.net',
  'vault.microsoftazure.de',
  'managedhsm.microsoftazure.de',
];

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
const VAULT_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const KEY_PATH = /^\/keys\/[A-Za-z0-9-]{1,127}(\/[A-Za-z0-9]{1,64})?\/?$/;

/** Parses the comma list of CLEF_AGENT_AZURE_KEYVAULT_DOMAINS: lowercase DNS names, at least two labels. */
export function parseKeyVaultDomains(raw: string): { domains: string[] } | { problem: string } {
  const domains = raw
    .split(',')
    .map((d) => d.trim().toLowerCase().replace(/^\.+/, ''))
    .filter((d) => d !== '');
  if (domains.length === 0) return { problem: 'must list at least one DNS suffix (e.g. vault.azure.net)' };
  const bad = domains.find((d) => !DNS_NAME.test(d));
  if (bad !== undefined) return { problem: `item ${JSON.stringify(bad.slice(0, 80))} is not a DNS name (give suffixes such as vault.azure.net, no scheme or path)` };
  return { domains: [...new Set(domains)] };
}

/** Whether `host` is a vault directly under an allowed suffix (`<vault>.<suffix>`) or is an allowed entry itself (a pinned vault). */
export function isAllowedVaultHost(host: string, domains: readonly string[]): boolean {
  return domains.some((d) => {
    if (host === d) return !DEFAULT_AZURE_KEYVAULT_DOMAINS.includes(d); // a cloud's suffix is not itself a vault
    return host.endsWith(`.${d}`) && VAULT_LABEL.test(host.slice(0, -(d.length + 1)));
  });
}

/**
 * The normalised key URL (`https://<vault>/keys/<name>[/<version>]`), or `kms_access_denied`
 * before any token is requested: the agent refuses to authenticate to that host.
 */
export function checkAzureKeyId(keyId: string, domains: readonly string[]): string {
  const refuse = (why: string) =>
    new AgentError('kms_access_denied', `envelope keyId ${describeKey(keyId)} is refused: ${why}`, {
      hint: 'keyId must be https://<vault>.vault.azure.net/keys/<name>[/<version>] on an allowed Azure Key Vault domain (CLEF_AGENT_AZURE_KEYVAULT_DOMAINS)',
    });
  let url: URL;
  try {
    url = new URL(keyId);
  } catch {
    throw refuse('not an absolute URL');
  }
  if (url.protocol !== 'https:') throw refuse('not https');
  if (url.username || url.password || url.search || url.hash || keyId.includes('?') || keyId.includes('#')) throw refuse('credentials, query or fragment in the URL');
  if (url.port !== '' && url.port !== '443') throw refuse('a port other than 443');
  if (!isAllowedVaultHost(url.hostname, domains)) throw refuse('the host is not a vault on an allowed Azure Key Vault domain');
  if (!KEY_PATH.test(url.pathname)) throw refuse('the path is not /keys/<name>[/<version>]');
  return `https://${url.hostname}${url.pathname.replace(/\/$/, '')}`;
}
