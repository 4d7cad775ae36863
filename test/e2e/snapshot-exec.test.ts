/**
 * The native start (scripts/native/snapshot-exec.c, the container image's entrypoint): it
 * starts node from the V8 startup snapshot only when the stamp written with the blob says
 * node would accept it, and otherwise starts the plain launcher beside it, so a start is
 * never refused: another NODE_OPTIONS (V8 flags), another node binary, another blob or no
 * stamp each give a plain start that serves the same secrets and says why in its
 * agent.startup log line. Arguments pass through untouched; the reason is not inherited by
 * the agent's children.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runAgentToExit, startAgent, stopAllAgents } from '../support/agent-process';
import { AGE_KEY_FILE, loadExpect, vectorPath } from '../support/vectors';

const ROOT = path.resolve(__dirname, '../..');
const VECTOR = { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE };
const EXPECTED = loadExpect('a-age-basic').secrets;

let dir: string;
let prefix: string;
const start = (p: string) => path.join(p, 'bin/clef-agent');
const lib = (p: string) => path.join(p, 'lib/clef-agent');

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'clef-snapshot-exec-'));
  prefix = path.join(dir, 'usr');
  // As the Dockerfile does: the snapshot built by the node that will run it, with no V8 flags here.
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/bundle.js'), start(prefix), '--exec', process.execPath, '--train', '--snapshot'], { stdio: 'pipe' });
}, 180_000);
afterAll(async () => {
  await stopAllAgents();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => stopAllAgents());

/** A copy of the installed layout, to change one thing in. */
function copyLayout(name: string): string {
  const to = path.join(dir, name);
  cpSync(prefix, to, { recursive: true });
  return to;
}

/** Starts the agent through the native start at `p`, waits until it serves, returns its agent.startup line and secrets. */
async function serve(p: string, env: Record<string, string | undefined> = {}) {
  const agent = await startAgent({ command: start(p), args: ['run'], env: { ...VECTOR, ...env } });
  await agent.waitReady();
  const secrets = (await agent.authGet('/v1/secrets')).json();
  const startup = await agent.waitForLog((l) => l.event === 'agent.startup');
  expect(await agent.stop()).toBe(0);
  return { startup: { startup: startup.startup, snapshotSkipped: startup.snapshotSkipped, level: startup.level }, secrets };
}

it('installs a native start (0755) and the launcher, blob and stamp as read-only code (0644)', () => {
  expect(readFileSync(start(prefix)).subarray(0, 4)).toEqual(Buffer.from('\x7fELF', 'latin1'));
  expect(statSync(start(prefix)).mode & 0o777).toBe(0o755);
  for (const f of ['launcher.js', 'main.js', 'main.js.cache', 'agent.blob', 'agent.blob.stamp']) expect([f, statSync(path.join(lib(prefix), f)).mode & 0o777]).toEqual([f, 0o644]);
  const node = statSync(process.execPath, { bigint: true });
  expect(readFileSync(path.join(lib(prefix), 'agent.blob.stamp'), 'utf8').split('\n')).toEqual([
    'clef-agent-snapshot 1',
    `node=${process.execPath}`,
    `node_size=${node.size}`,
    `node_mtime=${node.mtimeNs / 1_000_000_000n}.${(node.mtimeNs % 1_000_000_000n).toString().padStart(9, '0')}`,
    `blob_size=${statSync(path.join(lib(prefix), 'agent.blob')).size}`,
    'node_options=',
    '',
  ]);
});

it('starts from the snapshot when the stamp matches, and passes arguments through', async () => {
  expect(await serve(prefix)).toEqual({ startup: { startup: 'snapshot', snapshotSkipped: undefined, level: 'info' }, secrets: EXPECTED });
  const version = await runAgentToExit({}, ['--version'], { command: start(prefix) });
  expect(version).toEqual({ code: 0, stdout: `${JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}\n`, stderr: '' });
  // A usage error from the snapshot's CLI, argument for argument.
  const usage = await runAgentToExit({}, ['no-such-command', '--x y'], { command: start(prefix) });
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain('no-such-command');
});

it('other V8 flags in NODE_OPTIONS: a plain start, which says why', async () => {
  const plain = await serve(prefix, { NODE_OPTIONS: '--max-old-space-size=200' });
  // The code cache was trained without those flags either, so V8 compiles the bundle.
  expect(plain).toEqual({ startup: { startup: 'compiled', snapshotSkipped: 'node-options', level: 'warn' }, secrets: EXPECTED });
});

it('another node binary, another blob, or no stamp: a plain start each time (node itself would refuse the blob)', async () => {
  const stampOf = (p: string) => path.join(lib(p), 'agent.blob.stamp');
  const upgraded = copyLayout('upgraded-node');
  // What an in-place node upgrade changes: the binary's size and mtime.
  writeFileSync(stampOf(upgraded), readFileSync(stampOf(upgraded), 'utf8').replace(/^node_mtime=\d+/m, 'node_mtime=1'));
  const otherBlob = copyLayout('other-blob');
  writeFileSync(path.join(lib(otherBlob), 'agent.blob'), Buffer.concat([readFileSync(path.join(lib(otherBlob), 'agent.blob')), Buffer.alloc(1)]));
  const noStamp = copyLayout('no-stamp');
  rmSync(stampOf(noStamp));
  const forged = copyLayout('unknown-stamp');
  writeFileSync(stampOf(forged), 'clef-agent-snapshot 2\n');
  // The stamped node is gone: the node the native start was compiled for (here this one) starts the launcher.
  const moved = copyLayout('moved-node');
  writeFileSync(stampOf(moved), readFileSync(stampOf(moved), 'utf8').replace(/^node=.*$/m, `node=${path.join(dir, 'no-such-node')}`));

  for (const [p, reason] of [[upgraded, 'node-changed'], [otherBlob, 'blob-changed'], [noStamp, 'no-stamp'], [forged, 'no-stamp'], [moved, 'node-changed']] as const) {
    expect(await serve(p)).toEqual({ startup: { startup: 'code-cache', snapshotSkipped: reason, level: 'warn' }, secrets: EXPECTED });
  }
});

it('the reason is taken out of the environment: children of `exec` do not see it', async () => {
  const r = await runAgentToExit({ ...VECTOR, NODE_OPTIONS: '--max-old-space-size=200' }, ['exec', '--', '/bin/sh', '-c', 'echo "skipped=${CLEF_AGENT_SNAPSHOT_SKIPPED-unset} key=${app__DATABASE_URL:+set}"'], { command: start(prefix) });
  expect(r.code).toBe(0);
  expect(r.stdout).toBe('skipped=unset key=set\n');
});
