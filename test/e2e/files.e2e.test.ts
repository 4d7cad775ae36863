/**
 * Secrets as files (issue 17, docs/FILES.md) through the real clef-agent: each format
 * against the vectors byte for byte, modes and owner, `render --once` exit codes, hostile
 * destinations, a rotation under a concurrent reader, untouched files and no action on an
 * unchanged poll, an action that fails then succeeds, splay bounds, revocation removing
 * the files, files-only mode without a listener, and no secret value in any output.
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { packAge, revocationMarker } from '../support/pack';
import { AGE_KEY_FILE, allVectorSecretValues, loadExpect, VECTORS_DIR, vectorPath } from '../support/vectors';
import { runAgentToExit, startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';
import { actionCommand, actionRuns as loggedRuns } from '../support/files/on-change';

const FIXTURES = path.resolve(__dirname, '../fixtures/files');
const SUPPORT = path.resolve(__dirname, '../support/files');
const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();
const SECRETS = loadExpect('a-age-basic').secrets!;
const SECRET_VALUES = allVectorSecretValues();

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'clef-files-'));
});
afterEach(async () => {
  await stopAllAgents();
  rmSync(dir, { recursive: true, force: true });
});

function outputsFile(yaml: string): string {
  const file = path.join(dir, 'files.yaml');
  writeFileSync(file, yaml);
  return file;
}

const vectorEnv = (files: string, source = vectorPath('a-age-basic')) => ({ CLEF_AGENT_SOURCE: source, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_FILES: files, CLEF_AGENT_TOKEN: undefined });

function expectNoSecrets(text: string): void {
  for (const v of SECRET_VALUES) expect(text.includes(v)).toBe(false);
}

async function until(cond: () => boolean, what: string, agent?: AgentProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${agent?.stderr.slice(-3000) ?? ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('render --once against the vectors', () => {
  const all = (out: string) => `
outputs:
  - { path: ${out}/dir, format: files }
  - { path: ${out}/app.env, format: dotenv }
  - { path: ${out}/app.json, format: json }
  - { path: ${out}/app.yaml, format: yaml }
  - { path: ${out}/app.properties, format: properties, mode: "0640", owner: 4242, group: 4343 }
  - path: ${out}/tls/client.key
    template: '{{ secret "database" "TLS_CLIENT_KEY_PEM" }}'
`;

  it('writes every format byte for byte, with modes and owner, and exits 0', async () => {
    const out = path.join(dir, 'out');
    const r = await runAgentToExit({ ...vectorEnv(outputsFile(all(out))), CLEF_AGENT_LOG_LEVEL: 'trace' }, ['render', '--once']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rendered 6 output\(s\) of revision 1795621410485-484cad8b, 6 changed/);
    for (const [file, fixture] of [['app.env', 'a-age-basic.env'], ['app.json', 'a-age-basic.json'], ['app.yaml', 'a-age-basic.yaml'], ['app.properties', 'a-age-basic.properties']]) {
      expect(readFileSync(path.join(out, file))).toEqual(readFileSync(path.join(FIXTURES, fixture)));
    }
    expect(readFileSync(path.join(out, 'tls/client.key'), 'utf8')).toBe(SECRETS.database.TLS_CLIENT_KEY_PEM);
    for (const [ns, kv] of Object.entries(SECRETS)) for (const [k, v] of Object.entries(kv)) expect(readFileSync(path.join(out, 'dir', `${ns}__${k}`), 'utf8')).toBe(v);
    // modes: 0600 by default, directories created 0700, the configured 0640 and owner
    expect(statSync(path.join(out, 'app.env')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(out, 'dir', 'app__API_KEY')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(out, 'tls')).mode & 0o777).toBe(0o700);
    const props = statSync(path.join(out, 'app.properties'));
    expect([props.mode & 0o777, props.uid, props.gid]).toEqual([0o640, 4242, 4343]);
    // the NUL value cannot be in a dotenv file: skipped by name, never by value
    expect(r.stderr).toContain('"key":"payments__CONTROL_CHARS","reason":"nul_in_value"');
    expectNoSecrets(r.stdout + r.stderr);

    // Again: the same revision is already on disk, so nothing is touched.
    const before = statSync(path.join(out, 'app.env'));
    const data = readlinkSync(path.join(out, 'dir', '..data'));
    const again = await runAgentToExit(vectorEnv(outputsFile(all(out))), ['render', '--once']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 changed/);
    expect(statSync(path.join(out, 'app.env'))).toMatchObject({ ino: before.ino, mtimeMs: before.mtimeMs });
    expect(readlinkSync(path.join(out, 'dir', '..data'))).toBe(data);
  });

  it('renders the same bytes in JIT mode (CLEF_AGENT_CACHE_TTL=0)', async () => {
    const out = path.join(dir, 'out');
    const files = outputsFile(`outputs: [{ path: ${out}/app.yaml, format: yaml }, { path: ${out}/app.properties, format: properties }]`);
    const r = await runAgentToExit({ ...vectorEnv(files), CLEF_AGENT_CACHE_TTL: '0', CLEF_AGENT_LOG_LEVEL: 'trace' }, ['render', '--once']);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(out, 'app.yaml'))).toEqual(readFileSync(path.join(FIXTURES, 'a-age-basic.yaml')));
    expect(readFileSync(path.join(out, 'app.properties'))).toEqual(readFileSync(path.join(FIXTURES, 'a-age-basic.properties')));
    expectNoSecrets(r.stdout + r.stderr);
  });

  it('fails with the error code and writes nothing: a missing secret, an unusable artifact', async () => {
    const out = path.join(dir, 'out');
    const missing = outputsFile(`
outputs:
  - { path: ${out}/app.env, format: dotenv }
  - { path: ${out}/x.conf, template: 'password={{ secret "database" "NOT_THERE" }}' }
`);
    const r = await runAgentToExit(vectorEnv(missing), ['render', '--once']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^clef-agent: render: files_missing_secret: output .*x\.conf names "database" "NOT_THERE"/m);
    expect(existsSync(path.join(out, 'app.env'))).toBe(false);
    expect(existsSync(path.join(out, 'x.conf'))).toBe(false);

    const tampered = await runAgentToExit(vectorEnv(outputsFile(`outputs: [{ path: ${out}/app.env, format: dotenv }]`), vectorPath('d-tampered-ciphertext')), ['render', '--once']);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/^clef-agent: render: [a-z_]+: /m);
    expect(existsSync(path.join(out, 'app.env'))).toBe(false);
    expectNoSecrets(r.stdout + r.stderr + tampered.stdout + tampered.stderr);
  });

  it('needs --once and an outputs file', async () => {
    expect((await runAgentToExit(vectorEnv(path.join(dir, 'none.yaml')), ['render'])).code).toBe(2);
    const r = await runAgentToExit({ ...vectorEnv(''), CLEF_AGENT_FILES: undefined }, ['render', '--once']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CLEF_AGENT_FILES is not set/);
  });
});

describe('hostile or broken outputs files are configuration errors (exit 2, one line)', () => {
  it.each([
    ['a .. segment', (d: string) => `outputs: [{ path: ${d}/out/../../etc/x, format: json }]`, /must not contain \. or \.\. segments/],
    ['a relative path', () => `outputs: [{ path: out/app.env, format: json }]`, /must be an absolute path/],
    ['a symlink where a directory is expected', (d: string) => `outputs: [{ path: ${d}/link/app.env, format: json }]`, /is a symbolic link where a directory is expected/],
    ['a directory output that is a symlink', (d: string) => `outputs: [{ path: ${d}/link, format: files }]`, /is a symbolic link where a directory is expected/],
    ['a destination inside the cache directory', (d: string) => `outputs: [{ path: ${d}/cache/app.env, format: json }]`, /inside CLEF_AGENT_CACHE_PATH/],
    ['overlapping outputs', (d: string) => `outputs: [{ path: ${d}/o, format: files }, { path: ${d}/o/x.env, format: dotenv }]`, /overlaps output/],
    ['an unknown field', (d: string) => `outputs: [{ path: ${d}/a.env, format: dotenv, mdoe: "0600" }]`, /output 1: .*[Uu]nrecognized key/],
    ['an unquoted mode', (d: string) => `outputs: [{ path: ${d}/a.env, format: dotenv, mode: 0600 }]`, /output 1: mode: modes are quoted octal strings/],
    ['a template with logic', (d: string) => `outputs: [{ path: ${d}/a.conf, template: '{{ env "HOME" }}' }]`, /template: unknown tag/],
    ['format and template together', (d: string) => `outputs: [{ path: ${d}/a.conf, format: json, template: 'x' }]`, /exactly one of format, template or template_file/],
    ['a signal without a pid file', (d: string) => `outputs: [{ path: ${d}/a.env, format: dotenv, on_change: { signal: SIGHUP } }]`, /needs pid_file/],
  ])('%s', async (_what, yaml, message) => {
    mkdirSync(path.join(dir, 'real'));
    symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
    const r = await runAgentToExit({ ...vectorEnv(outputsFile(yaml(dir))), CLEF_AGENT_CACHE_PATH: path.join(dir, 'cache') }, ['render', '--once']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^clef-agent: configuration error: CLEF_AGENT_FILES points to .*files\.yaml, which is not a valid outputs file: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(path.join(dir, 'real'))).toEqual([]);
  });
});

/** A revision whose every value is `<rev>:<filler>:end`, so readers can spot a mix or a tear. */
const revisionTree = (n: number) => {
  const v = `r${n}:${'x'.repeat(4000 + n)}:end`;
  return { app: { A: v, B: v, Z: v } };
};
const revisionId = (n: number) => `${1800000000000 + n}-${n.toString(16).padStart(8, '0')}`;

describe('run: following rotations (loopback HTTP source)', () => {
  let server: ArtifactServer;
  beforeEach(async () => {
    server = await ArtifactServer.start();
    server.publish(await packAge(revisionTree(1), RECIPIENT, { revision: revisionId(1) }));
  });
  afterEach(() => server.close());

  function filesYaml(onChange: string): string {
    return outputsFile(`
outputs:
  - { path: ${dir}/out/dir, format: files }
  - { path: ${dir}/out/app.env, format: dotenv, on_change: ${onChange} }
  - { path: ${dir}/out/app.json, format: json, on_change: ${onChange} }
`);
  }

  const runEnv = (files: string, extra: Record<string, string> = {}) => ({
    CLEF_AGENT_SOURCE: server.url,
    CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE,
    CLEF_AGENT_FILES: files,
    CLEF_AGENT_POLL_INTERVAL: '0.1',
    ...extra,
  });

  const actionLog = () => path.join(dir, 'actions.log');
  const actionRuns = () => loggedRuns(actionLog());
  const valueOf = (file: string) => readFileSync(path.join(dir, 'out', file), 'utf8');

  it('rotates under a concurrent reader without a mix, a tear or a gap; unchanged polls touch nothing', async () => {
    const onChange = `{ command: ${actionCommand(actionLog())}, settle: 0s, splay: 200ms, backoff: 20ms }`;
    const agent = await startAgent({ env: runEnv(filesYaml(onChange)) });
    await until(() => existsSync(path.join(dir, 'out/dir/app__Z')) && actionRuns().length === 1, 'the first render and its action', agent);

    const stop = path.join(dir, 'stop-reader');
    const reader = spawn(process.execPath, [path.join(SUPPORT, 'reader.js'), path.join(dir, 'out/dir'), path.join(dir, 'out/app.env'), path.join(dir, 'out/app.json'), stop], { stdio: ['ignore', 'pipe', 'inherit'] });
    let report = '';
    reader.stdout.on('data', (c: Buffer) => (report += c.toString()));
    const readerDone = new Promise((r) => reader.on('exit', r));
    // At least 7 rotations, and more while the reader (slow on a loaded machine) has not yet
    // made 1000 reads during them; bounded so a stuck reader fails the test instead of hanging.
    const readsSoFar = () => (existsSync(`${stop}.progress`) ? Number(readFileSync(`${stop}.progress`, 'utf8')) : 0);
    let published = 1;
    for (let n = 2; n <= 8 || (readsSoFar() < 1000 && n <= 60); n++) {
      published = n;
      server.publish(await packAge(revisionTree(n), RECIPIENT, { revision: revisionId(n) }));
      await until(() => valueOf('dir/app__A').startsWith(`r${n}:`) && valueOf('app.env').includes(`r${n}:`), `revision ${n} on disk`, agent);
    }
    writeFileSync(stop, '');
    await readerDone;
    const result = JSON.parse(report) as { reads: number; mixed: number; partial: number; missing: number; revisions: string[]; problems: string[] };
    expect(result.problems).toEqual([]);
    expect({ mixed: result.mixed, partial: result.partial, missing: result.missing }).toEqual({ mixed: 0, partial: 0, missing: 0 });
    expect(result.reads).toBeGreaterThan(1000);
    expect(result.revisions.length).toBeGreaterThanOrEqual(3);

    // The action follows the changes (two outputs share it: one trigger per revision);
    // changes inside the settle+splay window coalesce into one run.
    const lastIndex = (event: string) => agent.logLines().map((l) => l.event).lastIndexOf(event);
    // Quiet: the last action ran after the last revision, and no run is scheduled after it.
    await until(() => lastIndex('files.action_ok') > Math.max(lastIndex('files.rendered'), lastIndex('files.action_scheduled')), 'the action after the last revision', agent);
    const runs = actionRuns().length;
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(runs).toBeLessThanOrEqual(published);
    const scheduled = agent.logLines().filter((l) => l.event === 'files.action_scheduled' && l.attempt === 1);
    expect(scheduled.length).toBeGreaterThanOrEqual(runs); // a change during a run folds into one rerun
    for (const s of scheduled) {
      expect(s.splayMs as number).toBeGreaterThanOrEqual(0);
      expect(s.splayMs as number).toBeLessThanOrEqual(200);
      expect(s.delayMs).toBe(s.splayMs); // settle 0s
    }
    // Actions get no secret: not on argv, not in the environment, and none of the agent's own configuration.
    for (const run of actionRuns()) {
      expect(JSON.stringify(run)).not.toContain('xxxx:end');
      expect(Object.keys(run.env).filter((k) => k.startsWith('CLEF_AGENT_'))).toEqual([]);
    }

    // Unchanged polls: the source is asked again and again, nothing on disk moves, no action runs.
    const stamp = () => ['app.env', 'app.json', 'dir/app__A'].map((f) => { const s = statSync(path.join(dir, 'out', f)); return `${f}:${s.ino}:${s.mtimeMs}`; }).concat(readlinkSync(path.join(dir, 'out/dir/..data')));
    const before = stamp();
    const polls = server.log.length;
    await until(() => server.log.length >= polls + 5, 'five more polls', agent);
    expect(stamp()).toEqual(before);
    expect(actionRuns()).toHaveLength(runs);
    expect(agent.logLines().filter((l) => l.event === 'files.rendered')).toHaveLength(published);

    // Revocation removes the files; the directory's names are gone, nothing of ours is left.
    server.publish(revocationMarker());
    await until(() => !existsSync(path.join(dir, 'out/app.env')), 'the files to be removed', agent);
    // Outputs are withdrawn one after another (each directory at once, through its swap).
    await until(() => readdirSync(path.join(dir, 'out/dir')).length === 0, 'the directory to be emptied', agent);
    await until(() => !existsSync(path.join(dir, 'out/app.json')), 'the json file to be removed', agent);
    expect(agent.logLines().find((l) => l.event === 'files.removed')).toMatchObject({ reason: 'revoked', outputs: 3 });

    const health = await agent.get('/v1/health');
    expectNoSecrets(health.body + agent.output);
    expect(health.body + agent.output).not.toContain('xxxx:end');
  }, 60_000);

  it('retries a failing action with backoff until it succeeds', async () => {
    const onChange = `{ command: ${actionCommand(actionLog(), 'fail-once')}, settle: 10ms, backoff: 30ms }`;
    const agent = await startAgent({ env: runEnv(filesYaml(onChange)) });
    await agent.waitForLog((l) => l.event === 'files.action_ok');
    expect(actionRuns()).toHaveLength(1);
    const failed = agent.logLines().find((l) => l.event === 'files.action_failed');
    expect(failed).toMatchObject({ action: 'command:node', attempt: 1, code: 'files_action_failed', retryInMs: 30 });
    expect(String(failed?.error)).toMatch(/exited with status 3/);
    expect(agent.logLines().find((l) => l.event === 'files.action_scheduled' && l.attempt === 2)).toMatchObject({ delayMs: 30 });
    expect(agent.logLines().find((l) => l.event === 'files.action_ok')).toMatchObject({ attempt: 2 });
  });

  it('renders with no listener at all (CLEF_AGENT_TCP=false, no socket) and leaves the files on stop', async () => {
    // No token either: nothing listens, so no client could present one.
    const agent = await startAgent({ env: { ...runEnv(filesYaml('{ command: ["true"] }'), { CLEF_AGENT_TCP: 'false' }), CLEF_AGENT_TOKEN: undefined }, waitListening: false });
    await until(() => existsSync(path.join(dir, 'out/app.json')), 'the files', agent);
    expect(agent.logLines().find((l) => l.event === 'agent.files_only')).toBeDefined();
    await expect(agent.get('/v1/health')).rejects.toThrow();
    expect(await agent.stop('SIGTERM')).toBe(0);
    expect(JSON.parse(valueOf('app.json'))).toEqual(revisionTree(1));
    expect(lstatSync(path.join(dir, 'out/dir/app__A')).isSymbolicLink()).toBe(true);
  });
});
