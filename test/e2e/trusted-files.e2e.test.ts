/**
 * Finding 3 of issue 15 through the built agent with real ownership: files and the cache
 * directory the agent trusts must be this user's or root's, on a path nobody else can
 * write (tests run as root; `nobody` is the other local user). Kubernetes Secret volume
 * layouts keep working, and reloads apply the same rule.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AGE_KEY_FILE, vectorPath, vectorVerifyKey } from '../support/vectors';
import { runAgentToExit, startAgent, stopAllAgents } from '../support/agent-process';

const NOBODY = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
const SRC = vectorPath('a-age-basic');
let root: string;
let shared: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'clef-trusted-e2e-'));
  chmodSync(root, 0o755);
  shared = path.join(root, 'shared'); // a /tmp-like directory: sticky and world-writable
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
});
afterAll(async () => {
  await stopAllAgents();
  rmSync(root, { recursive: true, force: true });
});

/** A file another local user created first in the shared directory. */
function plantedByNobody(name: string, content: string): string {
  const p = path.join(shared, name);
  writeFileSync(p, content, { mode: 0o644 });
  chownSync(p, NOBODY, NOBODY);
  return p;
}

async function expectRefused(env: Record<string, string | undefined>, variable: string, file: string, args: string[] = []): Promise<string> {
  const r = await runAgentToExit({ CLEF_AGENT_SOURCE: SRC, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, ...env }, args);
  expect(r.code).toBe(2);
  const line = r.stderr.trim();
  expect(line.split('\n')).toHaveLength(1);
  expect(line).toContain(variable);
  expect(line).toContain(file);
  expect(line).toMatch(/fix: (chown|chmod)/);
  return line;
}

it('a token file another user created first in a shared directory is refused (exit 2), not read', async () => {
  const token = 'chosen-by-another-user-0123456789';
  const file = plantedByNobody('agent.token', `${token}\n`);
  const line = await expectRefused({ CLEF_AGENT_TOKEN: undefined, CLEF_AGENT_TOKEN_FILE: file }, 'CLEF_AGENT_TOKEN_FILE', file);
  expect(line).not.toContain(token);
});

it('the tokens file, the age key file and the verify key file go through the same check', async () => {
  const tokens = plantedByNobody('tokens.yaml', `tokens:\n  - name: x\n    sha256: ${'a'.repeat(64)}\n    namespaces: [app]\n`);
  await expectRefused({ CLEF_AGENT_TOKENS_FILE: tokens }, 'CLEF_AGENT_TOKENS_FILE', tokens);
  const ageKey = path.join(shared, 'age.key');
  copyFileSync(AGE_KEY_FILE, ageKey);
  chownSync(ageKey, NOBODY, NOBODY);
  await expectRefused({ CLEF_AGENT_AGE_KEY_FILE: ageKey }, 'CLEF_AGENT_AGE_KEY_FILE', ageKey);
  const verify = path.join(root, 'verify.pub');
  writeFileSync(verify, vectorVerifyKey());
  chmodSync(verify, 0o666); // ours, but anyone may rewrite it
  await expectRefused({ CLEF_AGENT_VERIFY_KEY_FILE: verify }, 'CLEF_AGENT_VERIFY_KEY_FILE', verify);
});

it('a cache directory another user owns is refused (exit 2)', async () => {
  const cache = path.join(shared, 'cache');
  mkdirSync(cache, { mode: 0o700 });
  chownSync(cache, NOBODY, NOBODY);
  await expectRefused({ CLEF_AGENT_CACHE_PATH: cache }, 'CLEF_AGENT_CACHE_PATH', cache);
});

it('a Kubernetes Secret volume works: root-owned, read-only, files reached through ..data symlinks', async () => {
  const volume = path.join(root, 'secret-volume');
  const stamped = path.join(volume, '..2026_12_05_01_00_00.000000001');
  mkdirSync(stamped, { recursive: true });
  chmodSync(volume, 0o1777);
  copyFileSync(AGE_KEY_FILE, path.join(stamped, 'age.key'));
  writeFileSync(path.join(stamped, 'token'), 'k8s-mounted-token-0123456789abcdef\n');
  for (const f of ['age.key', 'token']) chmodSync(path.join(stamped, f), 0o444);
  chmodSync(stamped, 0o555);
  symlinkSync(path.basename(stamped), path.join(volume, '..data'));
  for (const f of ['age.key', 'token']) symlinkSync(`..data/${f}`, path.join(volume, f));
  const agent = await startAgent({
    env: { CLEF_AGENT_SOURCE: SRC, CLEF_AGENT_AGE_KEY_FILE: path.join(volume, 'age.key'), CLEF_AGENT_TOKEN: undefined, CLEF_AGENT_TOKEN_FILE: path.join(volume, 'token') },
    token: 'k8s-mounted-token-0123456789abcdef',
  });
  await agent.waitReady();
  expect((await agent.authGet('/v1/secrets')).status).toBe(200);
});

it('a token file in a private directory works; SIGHUP refuses a token file that became another user’s', async () => {
  const dir = path.join(root, 'private');
  mkdirSync(dir, { mode: 0o700 });
  const file = path.join(dir, 'agent.token');
  writeFileSync(file, 'first-token-0123456789abcdef\n', { mode: 0o600 });
  const agent = await startAgent({ env: { CLEF_AGENT_SOURCE: SRC, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_TOKEN: undefined, CLEF_AGENT_TOKEN_FILE: file }, token: 'first-token-0123456789abcdef' });
  await agent.waitReady();
  writeFileSync(file, 'second-token-chosen-by-nobody\n');
  chownSync(file, NOBODY, NOBODY);
  agent.child.kill('SIGHUP');
  const warning = await agent.waitForLog((l) => l.event === 'agent.reload_failed' && l.variable === 'CLEF_AGENT_TOKEN_FILE');
  expect(String(warning.error)).toContain(`owned by uid ${NOBODY}`);
  expect((await agent.authGet('/v1/secrets')).status).toBe(200); // the previous token still works
});

describe('the outputs file (CLEF_AGENT_FILES) and the template files it names', () => {
  let dir: string; // private to this user: only the file under test is untrusted
  let out: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(root, 'files-'));
    out = path.join(dir, 'out');
  });
  const outputsYaml = (template: string) => `outputs:\n  - { path: ${out}/app.env, format: dotenv }\n  - { path: ${out}/app.conf, template_file: ${template} }\n`;
  const template = (file: string, mode = 0o600) => {
    writeFileSync(file, 'key={{ secret "app" "API_KEY" }}\n', { mode });
    chmodSync(file, mode); // past the umask
    return file;
  };
  const modes: Array<[string, string[]]> = [['run', []], ['render --once', ['render', '--once']]];

  it('trusted ones render (the control case)', async () => {
    const files = path.join(dir, 'files.yaml');
    writeFileSync(files, outputsYaml(template(path.join(dir, 'app.conf.tmpl'))), { mode: 0o600 });
    const r = await runAgentToExit({ CLEF_AGENT_SOURCE: SRC, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_FILES: files }, ['render', '--once']);
    expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
    expect(existsSync(path.join(out, 'app.conf'))).toBe(true);
  });

  it.each(modes)('%s: an outputs file another user created first in a shared directory is refused (exit 2)', async (_mode, args) => {
    const files = plantedByNobody(`files-${args.length}.yaml`, outputsYaml(template(path.join(dir, 'app.conf.tmpl'))));
    await expectRefused({ CLEF_AGENT_FILES: files }, 'CLEF_AGENT_FILES', files, args);
    expect(existsSync(out)).toBe(false);
  });

  it.each(modes)('%s: a group- or world-writable outputs file of ours is refused (exit 2)', async (_mode, args) => {
    for (const mode of [0o620, 0o606]) {
      const files = path.join(dir, `files-${mode.toString(8)}.yaml`);
      writeFileSync(files, outputsYaml(template(path.join(dir, 'app.conf.tmpl'))));
      chmodSync(files, mode);
      const line = await expectRefused({ CLEF_AGENT_FILES: files }, 'CLEF_AGENT_FILES', files, args);
      expect(line).toContain(`mode ${mode.toString(8)}`);
    }
    expect(existsSync(out)).toBe(false);
  });

  it.each(modes)('%s: a template_file owned by another user, or writable by others, is refused (exit 2)', async (_mode, args) => {
    const files = path.join(dir, 'files.yaml');
    const foreign = template(path.join(dir, 'foreign.tmpl'));
    chownSync(foreign, NOBODY, NOBODY);
    writeFileSync(files, outputsYaml(foreign), { mode: 0o600 });
    const line = await expectRefused({ CLEF_AGENT_FILES: files }, 'CLEF_AGENT_FILES', foreign, args);
    expect(line).toContain(`owned by uid ${NOBODY}`);
    const writable = template(path.join(dir, 'writable.tmpl'), 0o666);
    writeFileSync(files, outputsYaml(writable), { mode: 0o600 });
    expect(await expectRefused({ CLEF_AGENT_FILES: files }, 'CLEF_AGENT_FILES', writable, args)).toContain('mode 666');
    expect(existsSync(out)).toBe(false);
  });
});
