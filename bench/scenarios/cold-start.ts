/**
 * Scenario 3: process spawn → first 200 from /v1/ready (file source, age artifact), for
 * the tsc output (dist/app/main.js) and the esbuild bundle (scripts/bundle.js), next to
 * a bare node:http process (node's own floor). Plus which SDKs a running agent loaded.
 */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { agentEnv, type Route } from '../lib/agents';
import { AGENT_BUNDLE, AGENT_DIST, BASELINE_SERVER, OUT_DIR, REQUIRE_TIMER, ROOT, SMALL_ARTIFACT } from '../lib/config';
import type { Ctx } from '../lib/context';
import { median, quantile } from '../lib/load';
import { freePort, httpGet, rssMb, sleep, spawnNode } from '../lib/proc';
import { fmt, ms, table } from '../lib/report';
import { writeFileSync } from 'node:fs';

interface ColdSample {
  /** First HTTP answer of any status (the listener is up). */
  listening: number;
  ready: number;
  /** VmRSS (MiB) right after the first 200. */
  rss: number;
}

async function coldOnce(kind: 'dist' | 'bundle' | 'node', timeRequires?: string): Promise<ColdSample> {
  const port = await freePort();
  const t0 = performance.now();
  const proc =
    kind === 'node'
      ? spawnNode({ name: 'bare-node', script: BASELINE_SERVER, args: [path.join(OUT_DIR, 'baseline-ready.json'), String(port)], env: { PATH: process.env.PATH ?? '' }, port })
      : spawnNode({
          name: `agent-${kind}`,
          script: kind === 'dist' ? AGENT_DIST : AGENT_BUNDLE,
          nodeArgs: timeRequires ? ['--require', REQUIRE_TIMER] : [],
          env: { ...agentEnv(port, { name: kind, source: SMALL_ARTIFACT }), ...(timeRequires ? { BENCH_REQUIRE_TIMES_OUT: timeRequires } : {}) },
          port,
        });
  let listening = NaN;
  try {
    for (;;) {
      if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited: ${proc.stderrTail().slice(-1000)}`);
      try {
        const r = await httpGet(port, '/v1/ready', {}, 2_000);
        const t = performance.now() - t0;
        if (Number.isNaN(listening)) listening = t;
        if (r.status === 200) return { listening, ready: t, rss: rssMb(proc.pid) };
      } catch {
        // not listening yet
      }
      if (performance.now() - t0 > 30_000) throw new Error(`${proc.name}: not ready after 30 s`);
      await sleep(2);
    }
  } finally {
    await proc.stop();
  }
}

async function bundleAgent(ctx: Ctx): Promise<number | null> {
  const script = path.join(ROOT, 'scripts/bundle.js');
  if (!existsSync(script)) {
    ctx.report.notes.push('scripts/bundle.js not found: the bundled entry point was not measured');
    return null;
  }
  const t = performance.now();
  const { bundle } = createRequire(script)(script) as { bundle(o: { outfile: string }): Promise<string> };
  await bundle({ outfile: AGENT_BUNDLE });
  ctx.log(`bundled the agent into ${path.relative(ROOT, AGENT_BUNDLE)} in ${(performance.now() - t).toFixed(0)} ms`);
  return statSync(AGENT_BUNDLE).size;
}

export async function scenario3(ctx: Ctx): Promise<void> {
  const readyRoute: Route = { path: '/v1/ready', status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: Buffer.from('{"ready":true}').toString('base64') };
  writeFileSync(path.join(OUT_DIR, 'baseline-ready.json'), JSON.stringify([readyRoute]));
  const bundleBytes = await bundleAgent(ctx);
  const kinds: Array<'dist' | 'bundle' | 'node'> = bundleBytes === null ? ['dist', 'node'] : ['dist', 'bundle', 'node'];
  const samples = new Map<string, ColdSample[]>(kinds.map((k) => [k, []]));
  await coldOnce('dist'); // unmeasured: fills the OS page cache
  // Interleaved, so machine noise is shared.
  for (let i = 0; i < ctx.cfg.coldRuns; i++) for (const k of kinds) samples.get(k)!.push(await coldOnce(k));
  const label: Record<string, string> = {
    dist: '`node dist/app/main.js` (tsc output)',
    bundle: `\`node bench/.out/clef-agent.js\` (scripts/bundle.js, ${fmt((bundleBytes ?? 0) / 1024)} KiB)`,
    node: 'bare node:http process (floor)',
  };
  const rows = kinds.map((k) => {
    const s = samples.get(k)!;
    const ready = s.map((x) => x.ready).sort((a, b) => a - b);
    return [label[k], ms(median(s.map((x) => x.listening))), ms(median(ready)), ms(ready[0]), ms(quantile(ready, 0.9)), ms(ready[ready.length - 1]), fmt(median(s.map((x) => x.rss)), 1)];
  });
  const lines = ctx.report.section('3. Cold start: spawn → first 200 from /v1/ready');
  lines.push(
    `${ctx.cfg.coldRuns} runs each (BENCH_COLD_RUNS), interleaved, after one unmeasured run; small artifact from a file, age key file,`,
    'no cache, no telemetry. Polled every 2 ms from this process. ms.',
    '',
    ...table(['Entry point', 'Median to listening', 'Median to ready', 'Min', 'p90', 'Max', 'RSS at ready, MiB'], rows),
  );
  // One more dist start, with each package require timed (not part of the figures above).
  const timesFile = path.join(OUT_DIR, 'require-times.json');
  rmSync(timesFile, { force: true });
  const timed = await coldOnce('dist', timesFile);
  if (existsSync(timesFile)) {
    const { times } = JSON.parse(readFileSync(timesFile, 'utf8')) as { times: Record<string, number> };
    const top = Object.entries(times).sort((a, b) => b[1] - a[1]).filter(([, t]) => t >= 1);
    const sum = top.reduce((n, [, t]) => n + t, 0);
    lines.push(
      '',
      `Where a dist start spends its time: one extra start with bench/require-timer.js preloaded (ready after ${ms(timed.ready)} ms) timed`,
      `each package the agent's files require, inclusive of its own dependencies: ${top.map(([p, t]) => `\`${p}\` ${ms(t)}`).join(', ')}`,
      `(${ms(sum)} ms in all). The rest is Node itself (~${ms(median(samples.get('node')!.map((x) => x.ready)))} ms to a bare server above), the agent's own`,
      '~100 files, configuration, the container, reading and decrypting the artifact.',
    );
  }
  const distReady = median(samples.get('dist')!.map((x) => x.ready));
  ctx.report.check('S3 cold start (dist/app/main.js) ≤ 250 ms median', `${ms(distReady)} ms`, distReady <= 250);
  if (bundleBytes !== null) {
    const bundleReady = median(samples.get('bundle')!.map((x) => x.ready));
    ctx.report.check('S3 cold start (esbuild bundle) ≤ 250 ms median', `${ms(bundleReady)} ms`, bundleReady <= 250);
  }
  ctx.log(`cold start medians: ${kinds.map((k) => `${k} ${ms(median(samples.get(k)!.map((x) => x.ready)))} ms`).join(', ')}`);
}

/** Reads what the module probe wrote when the probed agent exited. */
export function reportModules(ctx: Ctx, file: string): void {
  const lines = ctx.report.section('3b. Modules loaded by a running agent');
  if (!existsSync(file)) {
    lines.push('The module probe wrote nothing (the probed agent did not exit cleanly).');
    ctx.report.check('No AWS / OpenTelemetry SDK loaded unless configured', 'not measured', null);
    return;
  }
  const mods = JSON.parse(readFileSync(file, 'utf8')) as string[];
  const pkgOf = (m: string): string | null => {
    const i = m.lastIndexOf('node_modules/');
    if (i < 0) return null;
    const rest = m.slice(i + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  };
  const perPkg = new Map<string, number>();
  let own = 0;
  for (const m of mods) {
    const p = pkgOf(m);
    if (p === null) own++;
    else perPkg.set(p, (perPkg.get(p) ?? 0) + 1);
  }
  const sdk = [...perPkg.keys()].filter((p) => /^@aws-sdk\/|^@smithy\/|^@aws-crypto\/|^@opentelemetry\//.test(p));
  const scopes = new Map<string, number>();
  for (const [p, n] of perPkg) {
    const scope = p.startsWith('@') ? p.split('/')[0] : p;
    scopes.set(scope, (scopes.get(scope) ?? 0) + n);
  }
  lines.push(
    `CommonJS modules in \`require.cache\` when the scenario-1 small-artifact agent (dist, file source, age, no cache, no OTLP) exited`,
    `after serving load: ${mods.length} in total, ${own} of the agent's own files and ${perPkg.size} packages. (ESM-only packages such`,
    'as age-encryption do not appear in require.cache.) Modules per package or scope:',
    '',
    [...scopes].sort((a, b) => b[1] - a[1]).map(([s, n]) => `\`${s}\` ${n}`).join(', '),
  );
  ctx.report.check('No AWS / OpenTelemetry SDK loaded unless configured', sdk.length === 0 ? 'none loaded' : `loaded: ${sdk.join(', ')}`, sdk.length === 0);
}
