/**
 * The opt-in V8 startup snapshot (scripts/bundle.js --snapshot → scripts/build-snapshot.js):
 * a start from lib/agent.blob behaves exactly like a plain start of the launcher beside it
 * (vectors, configuration errors, SIGHUP reload, the optional-SDK chunks), nothing
 * per-process is baked in (two starts generate different token files and agent ids), and a
 * blob from another node build is refused by node before any JavaScript runs, leaving the
 * launcher in the same directory as the working start.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WARM_UP_SAMPLE } from '../../src/app/snapshot-warmup';
import { OtlpCollector } from '../support/fakes/otlp-collector';
import { runAgentToExit, startAgent, stopAllAgents, type StartOptions } from '../support/agent-process';
import { AGE_KEY_FILE, loadExpect, vectorPath } from '../support/vectors';

const ROOT = path.resolve(__dirname, '../..');
const VECTORS = ['a-age-basic', 'b-ed25519-signed', 'd-tampered-ciphertext'];

let dir: string;
let launcher: string;
let blob: string;
let snapshot: Pick<StartOptions, 'entry' | 'nodeArgs'>;
let plain: Pick<StartOptions, 'entry' | 'nodeArgs'>;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'clef-snapshot-'));
  launcher = path.join(dir, 'clef-agent');
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/bundle.js'), launcher, '--snapshot'], { stdio: 'pipe' });
  blob = path.join(dir, 'clef-agent-lib/agent.blob');
  // argv[1] is the launcher in both, so the agent sees the same command line.
  snapshot = { nodeArgs: ['--snapshot-blob', blob], entry: launcher };
  plain = { entry: launcher };
}, 120_000);
afterAll(async () => {
  await stopAllAgents();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => stopAllAgents());

it('writes the blob (root-readable code, like main.js) and removes the snapshot entry', () => {
  expect(statSync(blob).mode & 0o777).toBe(0o644);
  expect(() => statSync(path.join(dir, 'clef-agent-lib/snapshot-entry.js'))).toThrow();
});

it.each(VECTORS)('serves vector %s exactly as a plain start does', async (vector) => {
  const replies = [];
  for (const start of [plain, snapshot]) {
    const agent = await startAgent({ ...start, env: { CLEF_AGENT_SOURCE: vectorPath(vector), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE } });
    // Loaded or refused: either way the outcome is settled.
    await agent.waitFor('/v1/health', (r) => { const h = r.json<Record<string, unknown>>(); return h.revision !== null || h.lastError !== null; });
    const secrets = await agent.authGet('/v1/secrets');
    const keys = await agent.authGet('/v1/keys');
    const health = (await agent.get('/v1/health')).json<Record<string, unknown>>();
    replies.push({ status: secrets.status, secrets: secrets.json(), keys: keys.json(), revision: health.revision, ready: health.ready, error: (health.lastError as { code?: string } | null)?.code ?? null });
    expect(await agent.stop()).toBe(0);
    expect(agent.stderr).not.toMatch(/Warning/);
    expect(agent.logLines().find((l) => l.event === 'agent.startup')?.startup).toBe(start === snapshot ? 'snapshot' : 'compiled');
  }
  expect(replies[1]).toEqual(replies[0]);
  const expected = loadExpect(vector) as { secrets?: unknown };
  if (expected.secrets) expect(replies[1].secrets).toEqual(expected.secrets);
  else expect(replies[1].status).toBe(503);
});

it('reports configuration errors with the same line and exit code', async () => {
  const cases: Array<Record<string, string | undefined>> = [
    { CLEF_AGENT_SOURCE: undefined },
    { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_PORT: 'not-a-port' },
    { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: path.join(dir, 'missing.key') },
  ];
  for (const env of cases) {
    const a = await runAgentToExit(env, ['run'], plain);
    const b = await runAgentToExit(env, ['run'], snapshot);
    expect(b.code).toBe(2);
    expect({ code: b.code, stderr: b.stderr, stdout: b.stdout }).toEqual({ code: a.code, stderr: a.stderr, stdout: a.stdout });
  }
  const version = spawnSync(process.execPath, ['--snapshot-blob', blob, launcher, '--version'], { encoding: 'utf8' });
  expect(version.stdout).toBe(execFileSync(process.execPath, [launcher, '--version'], { encoding: 'utf8' }));
});

it('reloads the token file on SIGHUP', async () => {
  const tokenFile = path.join(dir, 'hup-token');
  writeFileSync(tokenFile, 'old-snapshot-token-0123456789\n', { mode: 0o600 });
  const agent = await startAgent({ ...snapshot, env: { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_TOKEN: undefined, CLEF_AGENT_TOKEN_FILE: tokenFile } });
  await agent.waitReady();
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  expect((await agent.get('/v1/secrets', bearer('old-snapshot-token-0123456789'))).status).toBe(200);
  writeFileSync(`${tokenFile}.tmp`, 'new-snapshot-token-9876543210\n', { mode: 0o600 });
  renameSync(`${tokenFile}.tmp`, tokenFile);
  agent.child.kill('SIGHUP');
  await agent.waitForLog((l) => l.event === 'agent.reloaded');
  expect((await agent.get('/v1/secrets', bearer('old-snapshot-token-0123456789'))).status).toBe(401);
  expect((await agent.get('/v1/secrets', bearer('new-snapshot-token-9876543210'))).json()).toEqual(loadExpect('a-age-basic').secrets);
});

it('draws fresh randomness in every process: generated token files and agent ids differ; the warm-up\'s sample token and id are not live', async () => {
  const collector = await OtlpCollector.start();
  try {
    const results: Array<{ token: string; agentId: unknown }> = [];
    for (const n of [1, 2]) {
      const tokenFile = path.join(dir, `generated-${n}`);
      // The agent id reaches the OTLP resource (clef.agent.id); loading the otel chunk also
      // shows chunks resolve beside the blob.
      const agent = await startAgent({
        ...snapshot,
        env: { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_TOKEN: undefined, CLEF_AGENT_TOKEN_FILE: tokenFile, CLEF_AGENT_TELEMETRY_URL: collector.logsUrl, OTEL_BLRP_SCHEDULE_DELAY: '100' },
      });
      await agent.waitReady();
      const token = readFileSync(tokenFile, 'utf8').trim();
      expect((await agent.get('/v1/secrets', { authorization: `Bearer ${token}` })).status).toBe(200);
      // The warm-up composed an agent from a sample configuration while the blob was built.
      expect((await agent.get('/v1/secrets', { authorization: `Bearer ${WARM_UP_SAMPLE.token}` })).status).toBe(401);
      const started = await collector.waitFor((c) => c.logs.find((l) => l.type === 'artifact.refreshed' && !results.some((r) => r.agentId === l.resource['clef.agent.id'])));
      results.push({ token, agentId: started.resource['clef.agent.id'] });
      await agent.stop();
    }
    expect(results[0].token).toMatch(/^[0-9a-f]{64}$/);
    expect(results[1].token).not.toBe(results[0].token);
    expect(typeof results[0].agentId).toBe('string');
    expect(results[1].agentId).not.toBe(results[0].agentId);
    expect(results.map((r) => r.agentId)).not.toContain(WARM_UP_SAMPLE.agentId);
  } finally {
    await collector.close();
  }
});

it('a blob from another node version is refused before any JavaScript runs; the launcher beside it still starts', async () => {
  const other = path.join(dir, 'clef-agent-lib/other-node.blob');
  const data = readFileSync(blob);
  const version = Buffer.from(process.version.slice(1)); // the header holds node's version, e.g. "20.20.2"
  const at = data.indexOf(version);
  expect(at).toBeGreaterThanOrEqual(0);
  expect(at).toBeLessThan(64);
  Buffer.from('9'.repeat(version.length)).copy(data, at);
  writeFileSync(other, data);
  const refused = await runAgentToExit({ CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE }, ['run'], { nodeArgs: ['--snapshot-blob', other], entry: launcher });
  expect(refused.code).toBe(14); // node's "startup snapshot failure"
  expect(refused.stderr).toContain('Failed to load the startup snapshot');
  // Other V8 flags than the build's are refused the same way.
  const flags = await runAgentToExit({}, ['--version'], { nodeArgs: ['--max-semi-space-size=3', '--snapshot-blob', blob], entry: launcher });
  expect(flags.code).toBe(14);
  // The fallback is the plain start of the same files: the launcher (with its code cache when trained).
  const agent = await startAgent({ ...plain, env: { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE } });
  await agent.waitReady();
  expect((await agent.authGet('/v1/secrets')).json()).toEqual(loadExpect('a-age-basic').secrets);
});
