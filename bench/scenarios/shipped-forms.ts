/**
 * Scenario 3c (issue 20): every shipped form, spawn → first 200 from /v1/ready, next to a
 * bare node:http process in the same interleaved run (ratios, not absolute times), with
 * RSS and main-thread CPU time at ready; and the Lambda extension's INIT against the
 * Extensions API fake (process start → /extension/register → INIT done (first event/next)
 * → first artifact served after the INVOKE).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { FakeLambdaApi } from '../../test/support/fakes/lambda-api';
import { agentEnv, AUTH } from '../lib/agents';
import type { ShippedForms } from '../lib/bundles';
import { BASELINE_SERVER, IMAGE_NODE_ARGS, OUT_DIR, SMALL_ARTIFACT } from '../lib/config';
import type { Ctx } from '../lib/context';
import { median } from '../lib/load';
import { freePort, httpGet, rssMb, sleep } from '../lib/proc';
import { fmt, ms, table } from '../lib/report';

interface Form {
  key: string;
  label: string;
  command: string;
  args: string[];
  agent: boolean;
  env?: Record<string, string>;
}
interface Sample {
  ready: number;
  rss: number;
  cpu: number;
}

/** Main-thread CPU time (ms) from /proc/<pid>/schedstat (ns resolution, unlike /proc/<pid>/stat's ticks). */
const cpuMsOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(killer);
}

async function coldOnce(form: Form): Promise<Sample> {
  const port = await freePort();
  const env = { ...(form.agent ? agentEnv(port, { name: form.key, source: SMALL_ARTIFACT }) : { PATH: process.env.PATH ?? '' }), ...form.env };
  const t0 = performance.now();
  const child = spawn(form.command, [...form.args, ...(form.agent ? ['run'] : [path.join(OUT_DIR, 'baseline-ready.json'), String(port)])], { env, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${form.key} exited with ${child.exitCode}`);
      const status = await httpGet(port, '/v1/ready', {}, 2_000).then((r) => r.status, () => 0);
      if (status === 200) return { ready: performance.now() - t0, rss: rssMb(child.pid!), cpu: cpuMsOf(child.pid!) };
      if (performance.now() - t0 > 30_000) throw new Error(`${form.key}: not ready after 30 s`);
      await sleep(2);
    }
  } finally {
    await stop(child);
  }
}

interface LambdaSample {
  register: number;
  initDone: number;
  served: number;
}

async function lambdaOnce(command: string, args: string[]): Promise<LambdaSample> {
  const api = await FakeLambdaApi.start();
  const port = await freePort();
  const env = { ...agentEnv(port, { name: 'lambda', source: SMALL_ARTIFACT }), AWS_LAMBDA_RUNTIME_API: api.runtimeApi };
  const t0 = performance.now();
  const child = spawn(command, [...args, 'run'], { env, stdio: 'ignore' });
  try {
    await api.waitFor('register', 1);
    const register = performance.now() - t0;
    await api.waitFor('next', 1);
    const initDone = performance.now() - t0;
    api.invoke();
    for (;;) {
      if ((await httpGet(port, '/v1/secrets', AUTH, 2_000).then((r) => r.status, () => 0)) === 200) break;
      await sleep(1);
    }
    return { register, initDone, served: performance.now() - t0 };
  } finally {
    api.shutdown();
    await stop(child);
    await api.close();
  }
}

/** The same measurement before issue 20's trims (bench run of 2026-12-05T02:38Z, this machine, bench/RESULTS.md of commit ea4caa5). */
const LAMBDA_BEFORE = 'Before them (the run of 2026-12-05T02:38Z on this machine, commit ea4caa5): register 105.5 ms, INIT done 128.9 ms, first artifact served 145.1 ms.';

export async function scenarioShipped(ctx: Ctx, shipped: ShippedForms): Promise<void> {
  writeFileSync(path.join(OUT_DIR, 'baseline-ready.json'), JSON.stringify([{ path: '/v1/ready', status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: Buffer.from('{"ready":true}').toString('base64') }]));
  const flags = IMAGE_NODE_ARGS.join(' ');
  const forms: Form[] = [
    { key: 'node', label: 'bare node:http process (floor)', command: process.execPath, args: [BASELINE_SERVER], agent: false },
    { key: 'libraries', label: 'the required libraries alone (Koa, @koa/router, inversify, zod/mini, pino, age-encryption) serving the same bytes through Koa, bundled like the agent, no code cache: bench/library-floor-server.ts', command: process.execPath, args: [shipped.libraryFloor], agent: false },
    { key: 'npm', label: 'npm `bin` / Lambda layer: the bundle\'s launcher, no code cache (default flags)', command: process.execPath, args: [shipped.npm], agent: true },
    ...(shipped.native ? [{ key: 'image', label: `container image (its entrypoint): the native start → V8 startup snapshot, \`NODE_OPTIONS=${flags}\``, command: shipped.native, args: [], agent: true, env: { NODE_OPTIONS: flags } }] : []),
    { key: 'image-plain', label: `container image, plain start (the native start's fallback under other NODE_OPTIONS): launcher + trained code cache, \`${flags}\``, command: process.execPath, args: [...IMAGE_NODE_ARGS, shipped.image], agent: true },
    ...(shipped.sea ? [{ key: 'sea', label: 'SEA binary (`npm run build:binary`: the split bundle and its trained code cache as assets, default flags)', command: shipped.sea, args: [], agent: true }] : []),
  ];
  const samples = new Map<string, Sample[]>(forms.map((f) => [f.key, []]));
  for (const f of forms) await coldOnce(f); // unmeasured: page cache
  for (let i = 0; i < ctx.cfg.coldRuns; i++) for (const f of forms) samples.get(f.key)!.push(await coldOnce(f));
  const med = (key: string, field: keyof Sample) => median(samples.get(key)!.map((s) => s[field]));
  const rows = forms.map((f) => [f.label, ms(med(f.key, 'ready')), `${(med(f.key, 'ready') / med('node', 'ready')).toFixed(2)}×`, ms(med(f.key, 'cpu')), `${(med(f.key, 'cpu') / med('node', 'cpu')).toFixed(2)}×`, fmt(med(f.key, 'rss'), 1), `${(med(f.key, 'rss') / med('node', 'rss')).toFixed(2)}×`]);

  // The layer as `npm run build:lambda-layer` makes it (the runtime's node runs the bundle), and
  // its --native variant (the single executable: its own node and code cache), interleaved.
  const layers: Array<[string, string[]]> = [[process.execPath, [shipped.npm]], ...(shipped.sea ? [[shipped.sea, []] as [string, string[]]] : [])];
  const lambda: LambdaSample[][] = layers.map(() => []);
  for (const [command, args] of layers) await lambdaOnce(command, args);
  for (let i = 0; i < Math.max(3, Math.round(ctx.cfg.coldRuns / 2)); i++) {
    for (const [n, [command, args]] of layers.entries()) lambda[n].push(await lambdaOnce(command, args));
  }
  const lm = (field: keyof LambdaSample, n = 0) => median(lambda[n].map((s) => s[field]));

  const lines = ctx.report.section('3c. Shipped forms against the bare node process (issue 20)');
  lines.push(
    `${ctx.cfg.coldRuns} runs each, interleaved, after one unmeasured run; small artifact from a file. "CPU" is the main thread's`,
    'CPU time at the first 200 (/proc/<pid>/schedstat): less sensitive to other load on the machine than wall time. Ratios are',
    'to the bare node:http process of the same run (the goal: ready ≤ 2×, RSS at ready ≤ 1.2×).',
    '',
    ...table(['Form', 'Median to ready, ms', 'vs bare', 'CPU at ready, ms', 'vs bare', 'RSS at ready, MB', 'vs bare'], rows),
    '',
    `The second row is a floor for the forms that start without a code cache or snapshot (npm \`bin\`, the Lambda layer): the`,
    `libraries the design requires, loaded and made once, already take ${(med('libraries', 'ready') / med('node', 'ready')).toFixed(2)}× the bare process to ready and ${(med('libraries', 'rss') / med('node', 'rss')).toFixed(2)}× its RSS,`,
    'before any configuration, key, composition or decryption of the agent.',
    '',
    `Lambda extension INIT against the Extensions API fake (test/support/fakes/lambda-api.ts), the layer's bundle run as`,
    `\`node /opt/clef-agent/clef-agent.js run\` does, median of ${lambda[0].length}: /extension/register received ${ms(lm('register'))} ms after spawn, INIT done`,
    `(first /event/next, after the first load) ${ms(lm('initDone'))} ms, first artifact served after the INVOKE ${ms(lm('served'))} ms.`,
    'No code cache or snapshot can ship in a layer (the Lambda runtime\'s node is not the build machine\'s); what changed this form',
    `is the startup trims (scripts/bundle-trims.js and the deferred built-ins). ${LAMBDA_BEFORE}`,
    ...(shipped.sea
      ? [
          '',
          `The native layer (\`npm run build:lambda-layer -- --native\`: the single executable above, with its own node and code cache),`,
          `same fake, interleaved: register ${ms(lm('register', 1))} ms, INIT done ${ms(lm('initDone', 1))} ms, first artifact served ${ms(lm('served', 1))} ms.`,
        ]
      : []),
  );
  for (const f of forms.filter((x) => x.agent)) {
    const ready = med(f.key, 'ready') / med('node', 'ready');
    const rss = med(f.key, 'rss') / med('node', 'rss');
    ctx.report.check(`#20 ${f.key}: spawn → ready ≤ 2× bare node (same run)`, `${ready.toFixed(2)}× (${ms(med(f.key, 'ready'))} vs ${ms(med('node', 'ready'))} ms; CPU ${ms(med(f.key, 'cpu'))} vs ${ms(med('node', 'cpu'))} ms)`, ready <= 2);
    ctx.report.check(`#20 ${f.key}: RSS at ready ≤ 1.2× bare node`, `${rss.toFixed(2)}× (${fmt(med(f.key, 'rss'), 1)} vs ${fmt(med('node', 'rss'), 1)} MB)`, rss <= 1.2);
  }
  ctx.report.check('#20 Lambda extension INIT (spawn → register → first next; → first artifact served)', `${ms(lm('register'))} → ${ms(lm('initDone'))}; ${ms(lm('served'))} ms`, null);
  if (shipped.sea) ctx.report.check('#20 Lambda extension INIT, native layer (the single executable)', `${ms(lm('register', 1))} → ${ms(lm('initDone', 1))}; ${ms(lm('served', 1))} ms`, null);
}
