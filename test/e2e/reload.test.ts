/**
 * SIGHUP re-reads CLEF_AGENT_TOKEN_FILE, CLEF_AGENT_AGE_KEY_FILE and
 * CLEF_AGENT_VERIFY_KEY_FILE in the running process without dropping served secrets;
 * a bad file keeps the previous value and logs a coded warning.
 */
import { copyFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { identityToRecipient } from 'age-encryption';
import { newAgeIdentity, newEd25519Keys, packAge } from '../support/pack';
import { AGE_KEY_FILE, loadExpect, vectorAgeIdentity, vectorPath, vectorText, vectorVerifyKey } from '../support/vectors';
import { httpGet, startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'clef-reload-'))));
afterEach(async () => {
  await stopAllAgents();
  rmSync(dir, { recursive: true, force: true });
});

/** Atomic replace, as a secret-mounting system would do it (no half-written reads). */
function replaceFile(file: string, content: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Sends SIGHUP and waits for the reload's summary line (the nth since start). */
async function hangup(agent: AgentProcess): Promise<Record<string, unknown>> {
  const count = () => agent.logLines().filter((l) => l.event === 'agent.reloaded').length;
  const before = count();
  agent.child.kill('SIGHUP');
  await agent.waitForLog(() => count() > before);
  return agent.logLines().filter((l) => l.event === 'agent.reloaded')[before];
}

function warnings(agent: AgentProcess, variable: string): Array<Record<string, unknown>> {
  return agent.logLines().filter((l) => l.event === 'agent.reload_failed' && l.variable === variable);
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

it('rotates the bearer token: old → 401, new → 200, secrets served throughout; bad files keep the current token', async () => {
  const tokenFile = path.join(dir, 'token');
  const [oldToken, newToken] = ['old-token-0123456789abcdef', 'new-token-fedcba9876543210'];
  replaceFile(tokenFile, `${oldToken}\n`);
  const agent = await startAgent({ env: { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_TOKEN: undefined, CLEF_AGENT_TOKEN_FILE: tokenFile } });
  await agent.waitReady();
  const expected = loadExpect('a-age-basic').secrets;
  expect((await httpGet(agent.port, '/v1/secrets', bearer(oldToken))).json()).toEqual(expected);

  // Readiness is watched across every reload below: it must never drop.
  const readyStatuses: number[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching && agent.child.exitCode === null) readyStatuses.push(await agent.get('/v1/ready').then((r) => r.status, () => -1));
  })();

  replaceFile(tokenFile, `${newToken}\n`);
  expect(await hangup(agent)).toMatchObject({ bearerTokenFile: 'reloaded', ageKeyFile: 'reloaded', verifyKeyFile: 'not_configured' });
  expect((await httpGet(agent.port, '/v1/secrets', bearer(oldToken))).status).toBe(401);
  const after = await httpGet(agent.port, '/v1/secrets', bearer(newToken));
  expect(after.status).toBe(200);
  expect(after.json()).toEqual(expected);

  for (const bad of ['has a space\n', '\n']) {
    replaceFile(tokenFile, bad);
    expect(await hangup(agent)).toMatchObject({ bearerTokenFile: 'failed' });
    expect((await httpGet(agent.port, '/v1/secrets', bearer(newToken))).status).toBe(200);
  }
  rmSync(tokenFile);
  expect(await hangup(agent)).toMatchObject({ bearerTokenFile: 'failed' });
  expect((await httpGet(agent.port, '/v1/secrets', bearer(newToken))).status).toBe(200);
  expect((await httpGet(agent.port, '/v1/secrets', bearer(oldToken))).status).toBe(401);
  const warned = warnings(agent, 'CLEF_AGENT_TOKEN_FILE');
  expect(warned).toHaveLength(3);
  expect(warned.every((w) => w.code === 'config_error' && w.level === 'warn')).toBe(true);

  watching = false;
  await watcher;
  expect(readyStatuses.length).toBeGreaterThan(0);
  expect(readyStatuses.every((s) => s === 200)).toBe(true);
  expect(agent.output).not.toContain(oldToken);
  expect(agent.output).not.toContain(newToken);
});

it('rotates the age identities: a revision for the new key is served only after SIGHUP, the old one until then', async () => {
  const keyFile = path.join(dir, 'age.key');
  copyFileSync(AGE_KEY_FILE, keyFile);
  const source = path.join(dir, 'artifact.json');
  replaceFile(source, vectorText('a-age-basic'));
  const agent = await startAgent({ env: { CLEF_AGENT_SOURCE: source, CLEF_AGENT_AGE_KEY_FILE: keyFile, CLEF_AGENT_POLL_INTERVAL: '0.2' } });
  await agent.waitReady();
  const oldRevision = loadExpect('a-age-basic').revision;

  const next = await newAgeIdentity();
  const tree = { app: { ROTATED: 'value-after-key-rotation' } };
  replaceFile(source, await packAge(tree, next.recipient, { revision: `${Date.now()}-rotated` }));
  // Not decryptable with the current key: rejected, the old revision stays served.
  await agent.waitFor('/v1/health', (r) => r.json<{ lastError: { code: string } | null }>().lastError?.code === 'decrypt');
  expect((await agent.get('/v1/health')).json()).toMatchObject({ revision: oldRevision, ready: true });

  replaceFile(keyFile, 'not an age key\n');
  expect(await hangup(agent)).toMatchObject({ ageKeyFile: 'failed' });
  expect(warnings(agent, 'CLEF_AGENT_AGE_KEY_FILE')).toHaveLength(1);
  expect((await agent.authGet('/v1/secrets')).json()).toEqual(loadExpect('a-age-basic').secrets);

  replaceFile(keyFile, `# rotated\n${next.identity}\n`);
  expect(await hangup(agent)).toMatchObject({ ageKeyFile: 'reloaded' });
  await agent.waitFor('/v1/health', (r) => r.json<{ revision: string }>().revision.endsWith('-rotated'));
  expect((await agent.authGet('/v1/secrets')).json()).toEqual(tree);
  expect(agent.output).not.toContain(next.identity);
  expect(agent.output).not.toContain('value-after-key-rotation');
});

it('rotates the verify keys: an artifact signed by the new key is accepted only after SIGHUP', async () => {
  const verifyFile = path.join(dir, 'verify.key');
  replaceFile(verifyFile, `${vectorVerifyKey()}\n`);
  const source = path.join(dir, 'artifact.json');
  replaceFile(source, vectorText('b-ed25519-signed'));
  const agent = await startAgent({ env: { CLEF_AGENT_SOURCE: source, CLEF_AGENT_AGE_KEY: vectorAgeIdentity(), CLEF_AGENT_VERIFY_KEY_FILE: verifyFile, CLEF_AGENT_POLL_INTERVAL: '0.2' } });
  await agent.waitReady();

  const signer = newEd25519Keys();
  const tree = { app: { SIGNED_BY: 'the-rotated-signing-key' } };
  replaceFile(source, await packAge(tree, await identityToRecipient(vectorAgeIdentity()), { revision: `${Date.now()}-resigned`, signWith: signer.privateKey }));
  await agent.waitFor('/v1/health', (r) => r.json<{ lastError: { code: string } | null }>().lastError?.code === 'signature_invalid');
  expect((await agent.get('/v1/health')).json()).toMatchObject({ revision: loadExpect('b-ed25519-signed').revision, ready: true });

  replaceFile(verifyFile, 'bm90IGEga2V5\n');
  expect(await hangup(agent)).toMatchObject({ verifyKeyFile: 'failed', bearerTokenFile: 'not_configured', ageKeyFile: 'not_configured' });
  expect(warnings(agent, 'CLEF_AGENT_VERIFY_KEY_FILE')).toHaveLength(1);
  expect((await agent.get('/v1/ready')).status).toBe(200);

  replaceFile(verifyFile, `${signer.verifyKey}\n`);
  expect(await hangup(agent)).toMatchObject({ verifyKeyFile: 'reloaded' });
  await agent.waitFor('/v1/health', (r) => r.json<{ revision: string }>().revision.endsWith('-resigned'));
  expect((await agent.authGet('/v1/secrets')).json()).toEqual(tree);
});
