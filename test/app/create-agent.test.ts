/**
 * createAgent: the same composition root as the command, with adapters rebound port by
 * port. (test/package/ proves the same through the packed package's public entry points.)
 */
import { MemorySource } from '../../src/adapters/memory/memory-source';
import { MemoryTelemetry } from '../../src/adapters/memory/memory-telemetry';
import { MemoryArtifactCache } from '../../src/adapters/memory/memory-cache';
import { ConfigError } from '../../src/app/config/config-error';
import { createAgent, type Agent } from '../../src';
import { freePort, httpGet } from '../support/agent-process';
import { AGE_KEY_FILE, loadExpect, vectorPath, vectorText } from '../support/vectors';

const TOKEN = 'library-test-token-0123456789abcdef';
let agent: Agent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

const baseEnv = async () => ({ CLEF_AGENT_TOKEN: TOKEN, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_PORT: String(await freePort()), CLEF_AGENT_LOG_LEVEL: 'silent' });

test('serves a vector from an overridden source, with telemetry and cache overrides', async () => {
  const source = new MemorySource({ name: 'embedded', document: vectorText('a-age-basic') });
  const telemetry = new MemoryTelemetry();
  const cache = new MemoryArtifactCache();
  agent = await createAgent({ env: await baseEnv(), adapters: { source, telemetry, cache } });
  const { port, url } = await agent.start();
  expect(url).toBe(`http://127.0.0.1:${port}`);
  expect(agent.health()).toMatchObject({ status: 'ok', ready: true, source: { type: 'memory', description: 'memory:embedded' } });
  const reply = await httpGet(port!, '/v1/secrets', { authorization: `Bearer ${TOKEN}` });
  expect(reply.status).toBe(200);
  expect(JSON.parse(reply.body)).toEqual(loadExpect('a-age-basic').secrets);
  expect(telemetry.events.map((e) => e.type)).toEqual(expect.arrayContaining(['agent.started', 'artifact.refreshed']));
  expect(source.fetchCount).toBe(1);
  await agent.stop();
  expect(agent.health().ready).toBe(false);
  expect(telemetry.events.map((e) => e.type)).toContain('agent.stopped');
});

test('without overrides it reads the same settings as the command', async () => {
  agent = await createAgent({ env: { ...(await baseEnv()), CLEF_AGENT_SOURCE: vectorPath('a-age-basic') } });
  await agent.start();
  expect(agent.health()).toMatchObject({ status: 'ok', source: { type: 'file' } });
});

test('bad settings are the same one-line ConfigError', async () => {
  const env = { ...(await baseEnv()), CLEF_AGENT_PORT: '7779abc', CLEF_AGENT_SOURCE: vectorPath('a-age-basic') };
  await expect(createAgent({ env })).rejects.toThrow(ConfigError);
  await expect(createAgent({ env })).rejects.toMatchObject({ variable: 'CLEF_AGENT_PORT' });
});

test('a supplied source excludes CLEF_AGENT_SOURCE and CLEF_AGENT_VCS_*; no source at all names the variable', async () => {
  const source = new MemorySource();
  const env = await baseEnv();
  await expect(createAgent({ env: { ...env, CLEF_AGENT_SOURCE: '/x.json' }, adapters: { source } })).rejects.toMatchObject({ variable: 'CLEF_AGENT_SOURCE' });
  await expect(createAgent({ env: { ...env, CLEF_AGENT_VCS_REPO: 'a/b' }, adapters: { source } })).rejects.toMatchObject({ variable: 'CLEF_AGENT_VCS_REPO' });
  await expect(createAgent({ env })).rejects.toMatchObject({ variable: 'CLEF_AGENT_SOURCE' });
});

test('an envelope decryptor for a new provider is routed by envelope.provider', async () => {
  const seen: string[] = [];
  const gcp = {
    capabilities: { age: false, envelopeProviders: ['gcp'] },
    decrypt: async () => {
      seen.push('gcp');
      return new TextEncoder().encode('{"app":{"K":"from-gcp"}}');
    },
  };
  const doc = JSON.parse(vectorText('a-age-basic')) as Record<string, unknown>;
  const envelope = { provider: 'gcp', keyId: 'projects/p/locations/l/keyRings/r/cryptoKeys/k', wrappedKey: 'AAAA', algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION', iv: 'AAECAwQFBgcICQoL', authTag: 'Wwda6I4AZWcCDqQ4mDONcg==' };
  const { signature: _s, signatureAlgorithm: _a, ...unsigned } = doc;
  const source = new MemorySource({ document: JSON.stringify({ ...unsigned, envelope }) });
  agent = await createAgent({ env: await baseEnv(), adapters: { source, envelopeDecryptors: { gcp } } });
  const { port } = await agent.start();
  expect(agent.health()).toMatchObject({ ready: true, lastError: null });
  const reply = await httpGet(port!, '/v1/secrets', { authorization: `Bearer ${TOKEN}` });
  expect(JSON.parse(reply.body)).toEqual({ app: { K: 'from-gcp' } });
  expect(seen).toEqual(['gcp']);
});
