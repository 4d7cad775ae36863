/**
 * On-change actions: splay bounds, settle coalescing, doubling capped backoff, timeouts,
 * signals through a pid file, and an environment without the agent's configuration.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ActionSpec, ChangeActions } from '../../../src/adapters/files/change-actions';
import { MemoryTelemetry } from '../../../src/adapters/memory/memory-telemetry';

let dir: string;
let telemetry: MemoryTelemetry;
let actions: ChangeActions | undefined;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'clef-actions-'));
  telemetry = new MemoryTelemetry();
});
afterEach(async () => {
  await actions?.close();
  rmSync(dir, { recursive: true, force: true });
});

const node = (script: string, ...args: string[]): ActionSpec['run'] => ({ kind: 'command', argv: [process.execPath, '-e', script, ...args] });
const spec = (run: ActionSpec['run'], over: Partial<ActionSpec> = {}): ActionSpec => ({ run, timeoutMs: 10_000, settleMs: 0, splayMs: 0, backoffMinMs: 10, backoffMaxMs: 40, ...over });
const APPEND = `require('fs').appendFileSync(process.argv[1], JSON.stringify(Object.keys(process.env)) + '\\n')`;
const lines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);

it('draws the splay uniformly within [0, splay] and adds it to the settle delay', () => {
  for (const [random, expected] of [[0, 0], [0.5, 500], [0.999999, 1000]] as const) {
    const a = new ChangeActions({ telemetry, env: {}, random: () => random });
    a.trigger(spec(node('0'), { settleMs: 250, splayMs: 1000 }));
    void a.close();
    expect(telemetry.ofType('files.action_scheduled').at(-1)).toMatchObject({ splayMs: expected, delayMs: 250 + expected, attempt: 1 });
  }
});

it('coalesces changes inside the settle window into one run, in the environment it was given', async () => {
  const log = path.join(dir, 'runs');
  actions = new ChangeActions({ telemetry, env: { PATH: process.env.PATH, KEEP_ME: '1' } });
  const s = spec(node(APPEND, log), { settleMs: 100 });
  actions.trigger(s);
  actions.trigger(s);
  actions.trigger(s);
  await telemetry.waitFor('files.action_ok');
  expect(lines(log)).toHaveLength(1);
  expect(JSON.parse(lines(log)[0])).toContain('KEEP_ME');
});

it('backs off doubling up to the cap while the command fails, reporting the code', async () => {
  actions = new ChangeActions({ telemetry, env: {} });
  actions.trigger(spec(node('process.exit(5)')));
  await telemetry.waitFor('files.action_failed', (e) => e.attempt === 4);
  const failed = telemetry.ofType('files.action_failed').slice(0, 4);
  expect(failed.map((e) => e.retryInMs)).toEqual([10, 20, 40, 40]);
  expect(failed[0]).toMatchObject({ code: 'files_action_failed', error: 'node exited with status 5' });
});

it('kills a command that outlives its timeout', async () => {
  actions = new ChangeActions({ telemetry, env: {} });
  actions.trigger(spec(node('setTimeout(() => {}, 60000)'), { timeoutMs: 100, backoffMinMs: 60_000 }));
  expect(await telemetry.waitFor('files.action_failed')).toMatchObject({ code: 'files_action_timeout' });
});

it('signals the process named by a pid file; a bad pid file is a reported failure', async () => {
  const child = spawn(process.execPath, ['-e', `process.on('SIGHUP', () => { process.stdout.write('hup'); process.exit(0) }); setInterval(() => {}, 1000); process.stdout.write('ready')`]);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 10));
  const pidFile = path.join(dir, 'app.pid');
  writeFileSync(pidFile, `${child.pid}\n`);
  actions = new ChangeActions({ telemetry, env: {} });
  actions.trigger(spec({ kind: 'signal', signal: 'SIGHUP', pidFile }));
  await new Promise((r) => child.on('exit', r));
  expect(out).toContain('hup');
  await telemetry.waitFor('files.action_ok');

  writeFileSync(pidFile, 'not-a-pid');
  actions.trigger(spec({ kind: 'signal', signal: 'SIGUSR1', pidFile }, { backoffMinMs: 60_000 }));
  expect(await telemetry.waitFor('files.action_failed')).toMatchObject({ action: 'signal:SIGUSR1', code: 'files_action_failed' });
});
