/** The command line of the real `clef-agent`: help, version, usage errors, check, probe. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AGE_KEY_FILE, allVectorSecretValues, loadExpect, vectorAgeIdentity, vectorPath, vectorVerifyKey } from '../support/vectors';
import { AGENT_MAIN, freePort, runAgentToExit, startAgent, stopAllAgents } from '../support/agent-process';

const VERSION = (JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
const A = { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE };

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'clef-cli-'))));
afterAll(async () => {
  await stopAllAgents();
  rmSync(dir, { recursive: true, force: true });
});

function assertNoSecrets(text: string): void {
  for (const v of allVectorSecretValues()) expect(text.includes(v)).toBe(false);
}

describe('help, version and usage errors', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the usage and exits 0', async (flag) => {
    const r = await runAgentToExit({}, [flag]);
    expect(r.code).toBe(0);
    for (const word of ['Usage: clef-agent', 'run', 'check', 'probe ready', 'probe health', 'SIGHUP']) expect(r.stdout).toContain(word);
  });

  it.each([['--version'], ['-v']])('%s prints the package version', async (flag) => {
    const r = await runAgentToExit({}, [flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${VERSION}\n`);
  });

  it.each([
    [['--frobnicate'], 'unknown option: --frobnicate'],
    [['frobnicate'], 'unknown command: frobnicate'],
    [['run', '--port=1'], 'unexpected option: --port=1'],
    [['check', 'extra'], 'unexpected argument: extra'],
    [['probe'], 'probe needs a target'],
    [['probe', 'live'], 'unknown probe target: live'],
    [['probe', 'ready', '--verbose'], 'unexpected option: --verbose'],
    [['--version', 'x'], 'unexpected argument: x'],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await runAgentToExit({}, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`clef-agent: ${message}`);
    expect(r.stderr).toContain('Usage: clef-agent');
  });
});

describe('check', () => {
  it('fetches, verifies and decrypts once, prints revision, key count and expiry, never a value', async () => {
    const expected = loadExpect('b-ed25519-signed');
    const r = await runAgentToExit({ CLEF_AGENT_SOURCE: vectorPath('b-ed25519-signed'), CLEF_AGENT_AGE_KEY: vectorAgeIdentity(), CLEF_AGENT_VERIFY_KEY: vectorVerifyKey() }, ['check']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok: the artifact is usable');
    expect(r.stdout).toContain(`revision:   ${expected.revision}`);
    expect(r.stdout).toContain(`keys:       ${expected.keys!.length}`);
    expect(r.stdout).toMatch(/expiresAt: {2}\S+/);
    expect(r.stdout).toMatch(/signature: {2}verified by \S+/);
    assertNoSecrets(r.stdout + r.stderr);
  });

  it('works in JIT mode and without any token configured, and creates no token file', async () => {
    const tokenFile = path.join(dir, 'never-written');
    const r = await runAgentToExit({ ...A, CLEF_AGENT_CACHE_TTL: '0', CLEF_AGENT_TOKEN: undefined, CLEF_AGENT_TOKEN_FILE: tokenFile }, ['check']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('mode:       jit');
    expect(r.stdout).toContain(`keys:       ${loadExpect('a-age-basic').keys!.length}`);
    expect(existsSync(tokenFile)).toBe(false);
    assertNoSecrets(r.stdout + r.stderr);
  });

  it.each([
    ['d-tampered-ciphertext', 'integrity'],
    ['f-unsigned', 'signature_missing'],
    ['h-revoked-marker', 'revoked'],
  ])('rejects %s with exit 1 and the code %s', async (name, code) => {
    const r = await runAgentToExit({ CLEF_AGENT_SOURCE: vectorPath(name), CLEF_AGENT_AGE_KEY: vectorAgeIdentity(), CLEF_AGENT_VERIFY_KEY: vectorVerifyKey() }, ['check']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`clef-agent: check failed: ${code}`);
    expect(r.stdout).not.toContain('ok:');
  });

  it('an unreachable source fails with exit 1; a configuration error with exit 2', async () => {
    const missing = await runAgentToExit({ ...A, CLEF_AGENT_SOURCE: path.join(dir, 'nope.json') }, ['check']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('check failed: source_not_found');
    const bad = await runAgentToExit({ ...A, CLEF_AGENT_CACHE_TTL: '5' }, ['check']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('configuration error: CLEF_AGENT_CACHE_TTL');
  });
});

describe('probe', () => {
  it('ready: exit 1 while not serving, exit 0 once serving; health: exit 0 while the agent answers; no token needed', async () => {
    const pending = await startAgent({ env: { ...A, CLEF_AGENT_SOURCE: path.join(dir, 'not-yet.json') } });
    const env = { CLEF_AGENT_PORT: String(pending.port), CLEF_AGENT_TOKEN: undefined };
    const notReady = await runAgentToExit(env, ['probe', 'ready']);
    expect(notReady.code).toBe(1);
    expect(notReady.stdout).toMatch(/^ready: not ready \(HTTP 503, not_loaded\)\n$/);
    const alive = await runAgentToExit(env, ['probe', 'health']);
    expect(alive.code).toBe(0);
    expect(alive.stdout).toMatch(/^health: unavailable mode=cached revision=none lastError=source_not_found\n$/);

    const serving = await startAgent({ env: A });
    await serving.waitReady();
    const ready = await runAgentToExit({ CLEF_AGENT_PORT: String(serving.port), CLEF_AGENT_TOKEN: undefined }, ['probe', 'ready']);
    expect(ready.code).toBe(0);
    expect(ready.stdout).toBe('ready: ready\n');
    const health = await runAgentToExit({ CLEF_AGENT_PORT: String(serving.port), CLEF_AGENT_TOKEN: undefined }, ['probe', 'health']);
    expect(health.stdout).toContain(`health: ok mode=cached revision=${loadExpect('a-age-basic').revision}`);
    assertNoSecrets(ready.stdout + health.stdout);
  });

  it('nothing listening → exit 1; a bad port → exit 2', async () => {
    const port = await freePort();
    const r = await runAgentToExit({ CLEF_AGENT_PORT: String(port) }, ['probe', 'ready']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`unreachable on 127.0.0.1:${port} (ECONNREFUSED)`);
    const bad = await runAgentToExit({ CLEF_AGENT_PORT: '99999' }, ['probe', 'health']);
    expect(bad.code).toBe(2);
  });

  it('probe and --version load neither inversify, Koa, zod, pino nor the age library (cold start)', async () => {
    const list = path.join(dir, 'modules.json');
    const preload = path.join(dir, 'list-modules.js');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(Object.keys(require.cache))));`);
    const port = await freePort();
    for (const args of [['probe', 'ready'], ['--version']]) {
      await new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['-r', preload, AGENT_MAIN, ...args], { env: { PATH: process.env.PATH, CLEF_AGENT_PORT: String(port) }, stdio: 'ignore' });
        child.on('error', reject);
        child.on('exit', () => resolve());
      });
      const loaded = JSON.parse(readFileSync(list, 'utf8')) as string[];
      expect(loaded.some((m) => m.endsWith(path.join('app', 'main.js')))).toBe(true);
      expect(loaded.filter((m) => /node_modules[\\/](inversify|@inversifyjs|koa|@koa|zod|pino|age-encryption)[\\/]/.test(m))).toEqual([]);
    }
  });
});
