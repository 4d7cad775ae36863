/**
 * Every shared vector through the real `clef-agent` process, with the environment the
 * vectors README gives, compared with its .expect.json.
 */
import { AGE_KEY_FILE, allVectorSecretValues, loadExpect, vectorAgeIdentity, vectorNames, vectorPath, vectorVerifyKey } from '../support/vectors';
import { startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

const REJECT_CODES: Record<string, string> = {
  'd-tampered-ciphertext': 'integrity',
  'd2-tampered-ciphertext-rehashed': 'signature_invalid',
  'f-unsigned': 'signature_missing',
  'f2-signature-stripped': 'signature_missing',
  'h-revoked-marker': 'revoked',
  'h2-revoked-signed': 'revoked',
};

function envFor(name: string, keyFile: boolean): Record<string, string> {
  const expect = loadExpect(name);
  const env: Record<string, string> = { CLEF_AGENT_SOURCE: vectorPath(name) };
  if (expect.needs.ageIdentity) {
    if (keyFile) env.CLEF_AGENT_AGE_KEY_FILE = AGE_KEY_FILE;
    else env.CLEF_AGENT_AGE_KEY = vectorAgeIdentity();
  }
  if (expect.needs.verifyKey) env.CLEF_AGENT_VERIFY_KEY = vectorVerifyKey();
  return env;
}

function assertNoSecretIn(text: string): void {
  for (const value of allVectorSecretValues()) expect(text.includes(value)).toBe(false);
}

afterAll(stopAllAgents);

describe.each(vectorNames().filter((n) => !REJECT_CODES[n]))('accept vector %s', (name) => {
  const expected = loadExpect(name);
  let agent: AgentProcess;

  beforeAll(async () => {
    agent = await startAgent({ env: envFor(name, name === 'a-age-basic') });
    await agent.waitReady();
  });
  afterAll(() => agent.stop());

  it('serves /v1/secrets equal to the expected secrets', async () => {
    const r = await agent.authGet('/v1/secrets');
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.json()).toEqual(expected.secrets);
  });

  it('lists /v1/keys in the reference order', async () => {
    const r = await agent.authGet('/v1/keys');
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.json()).toEqual(expected.keys);
  });

  it('serves every key by flat name and by namespace/key, byte-exact', async () => {
    for (const [ns, members] of Object.entries(expected.secrets!)) {
      for (const [key, value] of Object.entries(members)) {
        const flat = await agent.authGet(`/v1/secrets/${encodeURIComponent(`${ns}__${key}`)}`);
        expect(flat.status).toBe(200);
        expect(flat.json()).toEqual({ value });
        const nested = await agent.authGet(`/v1/secrets/${encodeURIComponent(ns)}/${encodeURIComponent(key)}`);
        expect(nested.json()).toEqual({ value });
      }
    }
  });

  it('reports the revision in /v1/health', async () => {
    const r = await agent.get('/v1/health');
    expect(r.json()).toMatchObject({ revision: expected.revision, ready: true, status: 'ok' });
  });

  it('never writes a secret value to its output', () => {
    assertNoSecretIn(agent.output);
  });
});

describe.each(Object.keys(REJECT_CODES))('reject vector %s', (name) => {
  let agent: AgentProcess;

  beforeAll(async () => {
    agent = await startAgent({ env: envFor(name, false) });
  });
  afterAll(() => agent.stop());

  it(`is rejected with ${REJECT_CODES[name]}, never served, and the agent keeps running not-ready`, async () => {
    const health = await agent.waitFor('/v1/health', (r) => r.json<{ lastError: { code: string } | null }>().lastError !== null);
    expect(health.json()).toMatchObject({ ready: false, revision: null, status: 'unavailable', lastError: { code: REJECT_CODES[name] } });
    const ready = await agent.get('/v1/ready');
    expect(ready.status).toBe(503);
    const secrets = await agent.authGet('/v1/secrets');
    expect(secrets.status).toBe(503);
    expect(secrets.json()).toMatchObject({ code: REJECT_CODES[name] === 'revoked' ? 'revoked' : 'not_loaded' });
    const keys = await agent.authGet('/v1/keys');
    expect(keys.status).toBe(503);
    expect(agent.child.exitCode).toBeNull();
    assertNoSecretIn(agent.output + secrets.body + keys.body + health.body);
  });
});
