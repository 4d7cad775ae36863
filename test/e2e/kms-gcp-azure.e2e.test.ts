/**
 * GCP Cloud KMS and Azure Key Vault envelope artifacts through the real `clef-agent`
 * process and the real provider libraries: ADC from a metadata-server fake
 * (GCE_METADATA_HOST) + a Cloud KMS REST fake (CLEF_AGENT_GCP_KMS_ENDPOINT), and
 * DefaultAzureCredential from a managed-identity fake (IDENTITY_ENDPOINT) + a Key Vault
 * fake over TLS reached by its *.vault.azure.net name (test-only preload, certificate via
 * NODE_EXTRA_CA_CERTS, challenge verification on).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FAKE_AZURE_KEY, FakeKeyVault, FakeManagedIdentity } from '../support/fakes/azure-key-vault';
import { FAKE_GCP_KEY, FakeCloudKms, FakeGceMetadata } from '../support/fakes/gcp-kms-server';
import { packEnvelope } from '../support/pack';
import { runAgentToExit, startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';
import { azureProcessEnv, gcpProcessEnv } from '../support/cloud-kms-env';

const TREE = { db: { PASSWORD: 'cloud-kms-password-789' }, api: { KEY: 'cloud-kms-api-key-012' } };
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'clef-cloud-kms-'));
});
afterAll(async () => {
  await stopAllAgents();
  rmSync(dir, { recursive: true, force: true });
});

function writeArtifact(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Serves in cached mode, then in JIT mode shows kms_access_denied (503 + health) while the fake denies. */
async function servesThenDenied(env: Record<string, string | undefined>, fake: { deny(): void; allow(): void }, tokens: string[]): Promise<void> {
  const cached = await startAgent({ env });
  await cached.waitReady();
  expect((await cached.authGet('/v1/secrets')).json()).toEqual(TREE);
  for (const secret of [...Object.values(TREE.db), ...Object.values(TREE.api), ...tokens]) expect(cached.output).not.toContain(secret);
  await cached.stop();

  const jit: AgentProcess = await startAgent({ env: { ...env, CLEF_AGENT_CACHE_TTL: '0' } });
  await jit.waitReady();
  expect((await jit.authGet('/v1/secrets')).status).toBe(200);
  fake.deny();
  const r = await jit.authGet('/v1/secrets');
  expect(r.status).toBe(503);
  expect(r.json()).toMatchObject({ code: 'kms_access_denied' });
  const health = await jit.get('/v1/health');
  expect(health.json<{ lastError: { code: string } }>().lastError.code).toBe('kms_access_denied');
  for (const token of tokens) expect(health.body + jit.output).not.toContain(token);
  fake.allow();
  expect((await jit.authGet('/v1/secrets')).status).toBe(200);
  await jit.stop();
}

describe('gcp envelopes', () => {
  let metadata: FakeGceMetadata;
  let kms: FakeCloudKms;
  beforeAll(async () => {
    metadata = await FakeGceMetadata.start();
    kms = await FakeCloudKms.start(() => metadata.token);
  });
  afterAll(async () => {
    await kms.close();
    await metadata.close();
  });

  it('serves a Cloud KMS envelope with ADC from the metadata server, and shows kms_access_denied when KMS denies', async () => {
    const dek = randomBytes(32);
    const source = writeArtifact('gcp.json', packEnvelope(TREE, { dek, wrappedKey: kms.wrapDek(dek), keyId: FAKE_GCP_KEY, provider: 'gcp' }));
    await servesThenDenied({ CLEF_AGENT_SOURCE: source, ...gcpProcessEnv(kms, metadata, dir) }, kms, [metadata.token]);
    expect(kms.calls[0]).toEqual({ name: FAKE_GCP_KEY, authorization: `Bearer ${metadata.token}` });
  });
});

describe('azure envelopes', () => {
  let identity: FakeManagedIdentity;
  let vault: FakeKeyVault;
  beforeAll(async () => {
    identity = await FakeManagedIdentity.start();
    vault = await FakeKeyVault.start(() => identity.token);
  });
  afterAll(async () => {
    await vault.close();
    await identity.close();
  });

  it('serves a Key Vault envelope (RSA-OAEP-256) with a managed identity, and shows kms_access_denied when the vault denies', async () => {
    const dek = randomBytes(32);
    const text = packEnvelope(TREE, { dek, wrappedKey: vault.wrapDek(dek), keyId: FAKE_AZURE_KEY, provider: 'azure' }).replace('"SYMMETRIC_DEFAULT"', '"RSA-OAEP-256"');
    const source = writeArtifact('azure.json', text);
    await servesThenDenied({ CLEF_AGENT_SOURCE: source, ...azureProcessEnv(vault, identity, dir) }, vault, [identity.token, identity.secret]);
    expect(identity.resources[0]).toBe('https://vault.azure.net');
    expect(vault.unwrapCalls[0]).toMatchObject({ authorization: `Bearer ${identity.token}`, status: 200 });
  });

  it('a managed identity that refuses the agent (wrong IDENTITY_HEADER) is kms_access_denied; the vault never sees a token', async () => {
    const dek = randomBytes(32);
    const text = packEnvelope(TREE, { dek, wrappedKey: vault.wrapDek(dek), keyId: FAKE_AZURE_KEY, provider: 'azure' }).replace('"SYMMETRIC_DEFAULT"', '"RSA-OAEP-256"');
    const source = writeArtifact('azure-no-identity.json', text);
    const logBefore = vault.log.length;
    const agent = await startAgent({ env: { CLEF_AGENT_SOURCE: source, ...azureProcessEnv(vault, identity, dir), IDENTITY_HEADER: 'not-the-secret' } });
    const health = await agent.waitFor('/v1/health', (r) => Boolean(r.json<{ lastError: { code: string } | null }>().lastError), 30_000);
    expect(health.json<{ lastError: { code: string } }>().lastError.code).toBe('kms_access_denied');
    expect(vault.log.slice(logBefore).every((r) => r.authorization === undefined)).toBe(true);
    expect(agent.output).not.toContain(identity.secret);
    await agent.stop();
  });

  it('refuses a keyId outside the allowed Key Vault domains without asking for a token', async () => {
    const before = identity.tokenRequests;
    const dek = randomBytes(32);
    const text = packEnvelope(TREE, { dek, wrappedKey: vault.wrapDek(dek), keyId: FAKE_AZURE_KEY, provider: 'azure' });
    const source = writeArtifact('azure-pinned.json', text);
    const agent = await startAgent({ env: { CLEF_AGENT_SOURCE: source, ...azureProcessEnv(vault, identity, dir), CLEF_AGENT_AZURE_KEYVAULT_DOMAINS: 'prod.vault.azure.net' } });
    const health = await agent.waitFor('/v1/health', (r) => Boolean(r.json<{ lastError: { code: string } | null }>().lastError));
    expect(health.json<{ lastError: { code: string } }>().lastError.code).toBe('kms_access_denied');
    expect(identity.tokenRequests).toBe(before);
    await agent.stop();
  });
});

describe('configuration', () => {
  it.each([
    ['CLEF_AGENT_GCP_KMS_ENDPOINT', 'http://kms.example.internal'],
    ['CLEF_AGENT_AZURE_KEYVAULT_DOMAINS', 'https://vault.azure.net'],
  ])('%s=%s is a configuration error (exit 2)', async (variable, value) => {
    const r = await runAgentToExit({ CLEF_AGENT_SOURCE: path.join(dir, 'none.json'), [variable]: value });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(variable);
  });
});
