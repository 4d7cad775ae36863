/**
 * Issue 10.4 through the real process: CLEF_AGENT_TOKENS_FILE (hashed, namespace-scoped
 * tokens) next to the all-namespaces CLEF_AGENT_TOKEN, reloaded when the file changes
 * and on SIGHUP; a bad file keeps the current set with a coded warning.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packAge } from '../support/pack';
import { AGE_KEY_FILE, VECTORS_DIR } from '../support/vectors';
import { httpGet, startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();
const TREE = {
  billing: { STRIPE_KEY: 'sk_billing_only_1' },
  web: { SESSION_SECRET: 'web-session-2' },
  shared: { LOG_LEVEL: 'info' },
};
const BILLING_TOKEN = 'billing-token-0123456789abcdef';
const WEB_TOKEN = 'web-token-0123456789abcdef';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

let dir: string;
let tokensFile: string;
let agent: AgentProcess;

/** Atomic replace, as Kubernetes or a config manager writes it. */
function writeTokens(text: string): void {
  const tmp = `${tokensFile}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, tokensFile);
}

const yamlFor = (entries: Array<[string, string, string[]]>) =>
  `tokens:\n${entries.map(([name, token, ns]) => `  - name: ${name}\n    sha256: ${sha256(token)}\n    namespaces: [${ns.join(', ')}]\n`).join('')}`;

const as = (token: string, p: string) => httpGet(agent.port, p, { authorization: `Bearer ${token}` });
const reloads = () => agent.logLines().filter((l) => l.event === 'agent.scoped_tokens_reloaded').length;
const failures = () => agent.logLines().filter((l) => l.event === 'agent.reload_failed' && l.code === 'tokens_file_invalid');

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'clef-peers-tokens-'));
  tokensFile = path.join(dir, 'tokens.yaml');
  const artifact = path.join(dir, 'artifact.json');
  writeFileSync(artifact, await packAge(TREE, RECIPIENT));
  writeTokens(yamlFor([['billing', BILLING_TOKEN, ['billing', 'shared']]]));
  agent = await startAgent({ env: { CLEF_AGENT_SOURCE: artifact, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_TOKENS_FILE: tokensFile, CLEF_AGENT_WATCH_FILES: 'true' } });
  await agent.waitReady();
});
afterEach(async () => {
  await stopAllAgents();
  rmSync(dir, { recursive: true, force: true });
});

it('a scoped token sees only its namespaces; the static token still sees everything', async () => {
  const scoped = await as(BILLING_TOKEN, '/v1/secrets');
  expect(scoped.status).toBe(200);
  expect(scoped.json()).toEqual({ billing: TREE.billing, shared: TREE.shared });
  expect(scoped.body).not.toContain('web-session-2');
  expect((await as(BILLING_TOKEN, '/v1/keys')).json()).toEqual(['billing__STRIPE_KEY', 'shared__LOG_LEVEL']);
  expect((await as(BILLING_TOKEN, '/v1/secrets/billing/STRIPE_KEY')).json()).toEqual({ value: 'sk_billing_only_1' });
  // Another namespace is indistinguishable from a missing one.
  for (const p of ['/v1/secrets/web/SESSION_SECRET', '/v1/secrets/web__SESSION_SECRET']) {
    const res = await as(BILLING_TOKEN, p);
    expect({ p, status: res.status }).toEqual({ p, status: 404 });
  }
  expect((await agent.authGet('/v1/secrets')).json()).toEqual(TREE);
  expect((await as(WEB_TOKEN, '/v1/secrets')).status).toBe(401);
  expect((await as(sha256(BILLING_TOKEN), '/v1/secrets')).status).toBe(401); // the stored hash is not a token
});

it('reloads when the file changes (no signal): new tokens work, removed ones stop working', async () => {
  const before = reloads();
  writeTokens(yamlFor([['web', WEB_TOKEN, ['web']]]));
  await agent.waitForLog(() => reloads() > before);
  expect((await as(WEB_TOKEN, '/v1/secrets')).json()).toEqual({ web: TREE.web });
  expect((await as(BILLING_TOKEN, '/v1/secrets')).status).toBe(401);
  expect((await agent.authGet('/v1/secrets')).status).toBe(200);
});

it('keeps the current tokens when the new file is invalid, with a coded warning; SIGHUP reloads too', async () => {
  writeTokens('tokens:\n  - name: broken\n    sha256: not-a-hash\n    namespaces: [web]\n');
  await agent.waitForLog(() => failures().length > 0);
  expect(failures()[0]).toMatchObject({ level: 'warn', variable: 'CLEF_AGENT_TOKENS_FILE' });
  expect(String(failures()[0].error)).toMatch(/entry 1: sha256 must be 64 hex digits/);
  expect((await as(BILLING_TOKEN, '/v1/secrets')).status).toBe(200);

  // A valid file again, then an explicit SIGHUP: each reload is logged.
  writeTokens(yamlFor([['billing', BILLING_TOKEN, ['billing']], ['web', WEB_TOKEN, ['web', 'shared']]]));
  await agent.waitForLog(() => reloads() > 0);
  const before = reloads();
  agent.child.kill('SIGHUP');
  await agent.waitForLog(() => reloads() > before);
  expect((await as(WEB_TOKEN, '/v1/secrets')).json()).toEqual({ web: TREE.web, shared: TREE.shared });
  expect((await as(BILLING_TOKEN, '/v1/secrets')).json()).toEqual({ billing: TREE.billing });
});

it('without CLEF_AGENT_WATCH_FILES, SIGHUP alone reloads the tokens file', async () => {
  const other = await startAgent({ env: { CLEF_AGENT_SOURCE: path.join(dir, 'artifact.json'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_TOKENS_FILE: tokensFile } });
  await other.waitReady();
  writeTokens(yamlFor([['web', WEB_TOKEN, ['web']]]));
  const count = () => other.logLines().filter((l) => l.event === 'agent.scoped_tokens_reloaded').length;
  other.child.kill('SIGHUP');
  await other.waitForLog(() => count() > 0);
  expect((await httpGet(other.port, '/v1/secrets', { authorization: `Bearer ${WEB_TOKEN}` })).json()).toEqual({ web: TREE.web });
  expect((await httpGet(other.port, '/v1/secrets', { authorization: `Bearer ${BILLING_TOKEN}` })).status).toBe(401);
});

it('refuses to start (exit 2) with an invalid tokens file, naming the variable', async () => {
  writeTokens(`- {name: dup, sha256: ${sha256('a-token-000')}, namespaces: [web]}\n- {name: dup, sha256: ${sha256('b-token-000')}, namespaces: [web]}\n`);
  const bad = await startAgent({ env: { CLEF_AGENT_SOURCE: path.join(dir, 'artifact.json'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_TOKENS_FILE: tokensFile }, waitListening: false });
  expect(await bad.exited).toBe(2);
  expect(bad.stderr).toMatch(/configuration error: CLEF_AGENT_TOKENS_FILE .*entry 2: name "dup" is used twice/);
});
