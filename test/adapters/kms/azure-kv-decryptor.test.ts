/**
 * AzureKvDecryptor through the real @azure/keyvault-keys and @azure/identity: the vault is
 * reached by its *.vault.azure.net name over TLS (test-only redirect), the challenge-based
 * auth runs with resource verification on, DefaultAzureCredential takes its token from the
 * managed-identity fake, and failures map onto the AWS adapter's kms_* codes.
 */
import { randomBytes } from 'node:crypto';
import * as KeyVaultKeys from '@azure/keyvault-keys';
import * as AzureIdentity from '@azure/identity';
import { checkAzureKeyId, DEFAULT_AZURE_KEYVAULT_DOMAINS, isAllowedVaultHost, parseKeyVaultDomains } from '../../../src/adapters/kms/azure-key-url';
import type { AzureKvDecryptor } from '../../../src/adapters/kms/azure-kv-decryptor';
import { FAKE_AZURE_KEY, FAKE_KEY_VERSION, FAKE_VAULT_HOST } from '../../support/fakes/azure-key-vault';
import { rejection, TREE, withEnvelope } from './helpers';
import { startLoopbackAzure, type LoopbackAzure } from './azure-fixture';

let az: LoopbackAzure;
const opened: AzureKvDecryptor[] = [];
const decryptor = (options: Parameters<LoopbackAzure['decryptor']>[0] = {}) => {
  const d = az.decryptor(options);
  opened.push(d);
  return d;
};
const json = (b: Uint8Array) => JSON.parse(Buffer.from(b).toString('utf8'));
const KEY_PATH = `/keys/artifacts/${FAKE_KEY_VERSION}`;

beforeEach(async () => {
  az = await startLoopbackAzure();
});
afterEach(async () => {
  for (const d of opened.splice(0)) d.close();
  await az.close();
});

describe('AzureKvDecryptor', () => {
  it('answers the vault challenge with a managed-identity token for https://vault.azure.net, then unwraps (RSA-OAEP-256)', async () => {
    const d = decryptor();
    expect(json(await d.decrypt(az.seal(TREE)))).toEqual(TREE);
    const token = `Bearer ${az.identity.token}`;
    expect(az.vault.log.map((r) => [r.method, r.path, r.authorization === token, r.status])).toEqual([
      ['GET', KEY_PATH, false, 401], // the challenge: no token is sent before the vault names its resource
      ['GET', KEY_PATH, true, 200],
      ['POST', `${KEY_PATH}/unwrapkey`, true, 200],
    ]);
    // One client per key: the next decrypt is a single unwrap with the cached token.
    expect(json(await d.decrypt(az.seal(TREE)))).toEqual(TREE);
    expect(az.vault.log.slice(3).map((r) => [r.method, r.path, r.status])).toEqual([['POST', `${KEY_PATH}/unwrapkey`, 200]]);
  });

  it('loads the Azure SDK only on the first azure envelope, once', async () => {
    let loads = 0;
    const d = decryptor({ loadSdk: async () => (loads++, { keys: KeyVaultKeys, identity: AzureIdentity }) });
    const artifact = az.seal(TREE);
    await rejection(d.decrypt({ ...artifact, envelope: undefined }));
    await rejection(d.decrypt(withEnvelope(artifact, { iv: 'AAEC' })));
    await rejection(d.decrypt(withEnvelope(artifact, { keyId: 'https://evil.example/keys/artifacts' })));
    expect(loads).toBe(0);
    await d.decrypt(artifact);
    await d.decrypt(az.seal(TREE));
    expect(loads).toBe(1);
  });

  it('its default loader does not require the Azure SDK when the module is imported or constructed', async () => {
    let required = 0;
    let Ctor!: typeof AzureKvDecryptor;
    jest.isolateModules(() => {
      for (const pkg of ['@azure/keyvault-keys', '@azure/identity']) {
        jest.doMock(pkg, () => {
          required += 1;
          return jest.requireActual(pkg);
        });
      }
      Ctor = (require('../../../src/adapters/kms/azure-kv-decryptor') as typeof import('../../../src/adapters/kms/azure-kv-decryptor')).AzureKvDecryptor;
    });
    try {
      const d = new Ctor();
      expect(required).toBe(0);
      expect(json(await d.decrypt(az.seal(TREE)))).toEqual(TREE);
      expect(required).toBe(2);
    } finally {
      jest.dontMock('@azure/keyvault-keys');
      jest.dontMock('@azure/identity');
    }
  });

  it.each([
    ['http://', `http://${FAKE_VAULT_HOST}/keys/artifacts/${FAKE_KEY_VERSION}`],
    ['a host outside Azure', 'https://vault.evil.example/keys/artifacts'],
    ['a look-alike suffix', 'https://clef-test.vault.azure.net.evil.example/keys/artifacts'],
    ['a nested host', 'https://a.clef-test.vault.azure.net/keys/artifacts'],
    ['the bare cloud domain', 'https://vault.azure.net/keys/artifacts'],
    ['a port', `https://${FAKE_VAULT_HOST}:8443/keys/artifacts`],
    ['user info', `https://user@${FAKE_VAULT_HOST}/keys/artifacts`],
    ['a query', `https://${FAKE_VAULT_HOST}/keys/artifacts?x=1`],
    ['a non-key path', `https://${FAKE_VAULT_HOST}/secrets/artifacts`],
    ['not a URL', 'artifacts'],
  ])('refuses a keyId with %s before any token is requested (kms_access_denied)', async (_label, keyId) => {
    const before = az.identity.tokenRequests;
    const err = await rejection(decryptor().decrypt(withEnvelope(az.seal(TREE), { keyId })));
    expect(err.code).toBe('kms_access_denied');
    expect(az.vault.log).toHaveLength(0);
    expect(az.identity.tokenRequests).toBe(before);
  });

  it('CLEF_AGENT_AZURE_KEYVAULT_DOMAINS can pin one vault: others on Azure domains are refused', async () => {
    expect((await rejection(decryptor({ domains: ['prod.vault.azure.net'] }).decrypt(az.seal(TREE)))).code).toBe('kms_access_denied');
    expect(az.vault.log).toHaveLength(0);
    expect(json(await decryptor({ domains: [FAKE_VAULT_HOST] }).decrypt(az.seal(TREE)))).toEqual(TREE);
  });

  it('a challenge naming another resource is refused by the SDK: no token reaches the vault', async () => {
    az.vault.challengeResource = 'https://vault.evil.example';
    const err = await rejection(decryptor().decrypt(az.seal(TREE)));
    expect(err.code).toBe('kms_access_denied');
    expect(az.vault.log.every((r) => r.authorization === undefined)).toBe(true);
    expect(az.identity.resources).not.toContain('https://vault.evil.example');
  });

  it.each([
    ['an RBAC denial (403 Forbidden)', 'kms_access_denied', () => az.vault.deny()],
    ['a disabled key (403 KeyDisabled)', 'kms_key_unavailable', () => az.vault.disable()],
    ['a missing key (404 KeyNotFound)', 'kms_key_unavailable', () => az.vault.notFound()],
  ])('maps %s to %s', async (_label, code, arrange) => {
    arrange();
    const err = await rejection(decryptor().decrypt(az.seal(TREE)));
    expect(err.code).toBe(code);
    expect(`${err.message} ${JSON.stringify(err)}`).not.toContain(az.identity.token);
  });

  it('a wrapped key the vault cannot unwrap is kms_invalid_ciphertext', async () => {
    expect((await rejection(decryptor().decrypt(az.seal(TREE, { register: false })))).code).toBe('kms_invalid_ciphertext');
  });

  it('an algorithm that is not a key-wrap token is refused before the SDK (kms_unwrap)', async () => {
    expect((await rejection(decryptor().decrypt(withEnvelope(az.seal(TREE), { algorithm: 'RSA OAEP/../x' })))).code).toBe('kms_unwrap');
    expect(az.vault.log).toHaveLength(0);
  });

  it('throttling (429) is retried; persistent throttling ends as kms_throttled', async () => {
    az.vault.throttle(2);
    expect(json(await decryptor().decrypt(az.seal(TREE)))).toEqual(TREE);
    az.vault.throttle();
    expect((await rejection(decryptor({ throttleRounds: 2 }).decrypt(az.seal(TREE)))).code).toBe('kms_throttled');
  });

  it('a caller abort ends a held unwrap (kms_network)', async () => {
    let release!: () => void;
    az.vault.slow(new Promise<void>((r) => (release = r)));
    try {
      const controller = new AbortController();
      const pending = decryptor().decrypt(az.seal(TREE), controller.signal);
      await az.vault.untilUnwraps(1);
      controller.abort();
      expect((await rejection(pending)).code).toBe('kms_network');
    } finally {
      release();
    }
  });

  it('a 16-byte data key from the vault is refused (kms_unwrap)', async () => {
    const artifact = withEnvelope(az.seal(TREE), { wrappedKey: az.vault.wrapDek(randomBytes(16)).toString('base64') });
    expect((await rejection(decryptor().decrypt(artifact))).code).toBe('kms_unwrap');
  });
});

describe('Key Vault key URLs and domains', () => {
  it('normalises accepted key URLs and accepts every default cloud', () => {
    expect(checkAzureKeyId(`https://${FAKE_VAULT_HOST}:443/keys/artifacts/`, DEFAULT_AZURE_KEYVAULT_DOMAINS)).toBe(`https://${FAKE_VAULT_HOST}/keys/artifacts`);
    expect(checkAzureKeyId(FAKE_AZURE_KEY, DEFAULT_AZURE_KEYVAULT_DOMAINS)).toBe(FAKE_AZURE_KEY);
    for (const d of DEFAULT_AZURE_KEYVAULT_DOMAINS) expect(isAllowedVaultHost(`my-vault.${d}`, DEFAULT_AZURE_KEYVAULT_DOMAINS)).toBe(true);
  });

  it.each([
    ['vault.azure.net, vault.contoso.example', { domains: ['vault.azure.net', 'vault.contoso.example'] }],
    [' .Vault.Azure.Net ,', { domains: ['vault.azure.net'] }],
    ['', { problem: expect.stringContaining('at least one') }],
    ['https://vault.azure.net', { problem: expect.stringContaining('not a DNS name') }],
    ['localhost', { problem: expect.stringContaining('not a DNS name') }],
  ])('CLEF_AGENT_AZURE_KEYVAULT_DOMAINS %j', (raw, expected) => {
    expect(parseKeyVaultDomains(raw)).toEqual(expected);
  });
});
