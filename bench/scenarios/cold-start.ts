/**
 * Scenario 3: process spawn → first 200 from /v1/ready (file source, age artifact), for
 * the tsc output (dist/app/main.js) and the esbuild bundle (scripts/bundle.js), next to
 * a bare node:http process (node's own floor). Plus which SDKs a running agent loaded.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { agentEnv, type Route } from '../lib/agents';
import type { BuiltBundles } from '../lib/bundles';
import { AGENT_BUNDLE, AGENT_DIST, AGENT_IMAGE, BASELINE_SERVER, IMAGE_NODE_ARGS, OUT_DIR, REQUIRE_TIMER, SMALL_ARTIFACT } from '../lib/config';
import type { Ctx } from '../lib/context';
import { median, quantile } from '../lib/load';
import { freePort, httpGet, rssMb, sleep, spawnNode } from '../lib/proc';
import { fmt, ms, table } from '../lib/report';
import { writeFileSync } from 'node:fs';

interface ColdSample {
  /** First HTTP answer of any status (the listener is up). */
  listening: number;
  ready: number;
  /** VmRSS (MB) right after the first 200. */
  rss: number;
}

type Kind = 'dist' | 'bundle' | 'image' | 'node';
const SCRIPT: Record<Exclude<Kind, 'node'>, string> = { dist: AGENT_DIST, bundle: AGENT_BUNDLE, image: AGENT_IMAGE };

async function coldOnce(kind: Kind, timeRequires?: string): Promise<ColdSample> {
  const port = await freePort();
  const t0 = performance.now();
  const proc =
    kind === 'node'
      ? spawnNode({ name: 'bare-node', script: BASELINE_SERVER, args: [path.join(OUT_DIR, 'baseline-ready.json'), String(port)], env: { PATH: process.env.PATH ?? '' }, port })
      : spawnNode({
          name: `agent-${kind}`,
          script: SCRIPT[kind],
          nodeArgs: [...(kind === 'image' ? IMAGE_NODE_ARGS : []), ...(timeRequires ? ['--require', REQUIRE_TIMER] : [])],
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

export async function scenario3(ctx: Ctx, bundles: BuiltBundles): Promise<void> {
  const readyRoute: Route = { path: '/v1/ready', status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: Buffer.from('{"ready":true}').toString('base64') };
  writeFileSync(path.join(OUT_DIR, 'baseline-ready.json'), JSON.stringify([readyRoute]));
  const kinds: Kind[] = ['dist', 'bundle', 'image', 'node'];
  const samples = new Map<string, ColdSample[]>(kinds.map((k) => [k, []]));
  for (const k of kinds) await coldOnce(k); // unmeasured: fills the OS page cache
  // Interleaved, so machine noise is shared.
  for (let i = 0; i < ctx.cfg.coldRuns; i++) for (const k of kinds) samples.get(k)!.push(await coldOnce(k));
  const flags = IMAGE_NODE_ARGS.join(' ');
  const label: Record<Kind, string> = {
    dist: '`node dist/app/main.js` (tsc output)',
    bundle: `\`node bench/.out/bundle/clef-agent\`: launcher + main.js (${fmt(bundles.mainBytes / 1024)} KiB) + code cache (${fmt(bundles.cacheBytes / 1024)} KiB)`,
    image: `the container image's layout and flags: \`node ${flags} bench/.out/image/bin/clef-agent\`, cache trained with \`${flags}\``,
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
    'no cache, no telemetry. Polled every 2 ms from this process. ms. The bundles (scripts/bundle.js) are a small launcher that',
    'compiles lib/main.js with a V8 code cache made at build time by scripts/train-code-cache.js (the Dockerfile trains it in',
    `the runtime image with its NODE_OPTIONS); the optional SDKs are separate chunks (${Object.entries(bundles.chunkBytes).map(([c, b]) => `${c} ${fmt(b / 1024)} KiB`).join(', ')})`,
    'read only when configured.',
    '',
    ...table(['Entry point', 'Median to listening', 'Median to ready', 'Min', 'p90', 'Max', 'RSS at ready, MB'], rows),
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
  const readyOf = (k: Kind) => median(samples.get(k)!.map((x) => x.ready));
  ctx.report.check('S3 cold start, container image (bundle + code cache, image flags) ≤ 250 ms median', `${ms(readyOf('image'))} ms`, readyOf('image') <= 250);
  ctx.report.check('S3 cold start, bundle + code cache ≤ 250 ms median', `${ms(readyOf('bundle'))} ms`, readyOf('bundle') <= 250);
  ctx.report.check('S3 cold start, tsc output (dist/app/main.js; no shipped form runs it) ≤ 250 ms median', `${ms(readyOf('dist'))} ms`, readyOf('dist') <= 250);
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
  // In the bundle the optional SDKs are chunk files beside main.js (scripts/bundle.js).
  const chunks = mods.filter((m) => /\/(kms|s3|aws|gcp|azure|cloud|otel|cache|yaml)\.js$/.test(m) && !m.includes('node_modules/')).map((m) => path.basename(m));
  const sdk = [...[...perPkg.keys()].filter((p) => /^@aws-sdk\/|^@smithy\/|^@aws-crypto\/|^@opentelemetry\/|^@azure\/|^google-auth-library$|^gaxios$/.test(p)), ...chunks];
  const scopes = new Map<string, number>();
  for (const [p, n] of perPkg) {
    const scope = p.startsWith('@') ? p.split('/')[0] : p;
    scopes.set(scope, (scopes.get(scope) ?? 0) + n);
  }
  lines.push(
    `Files in \`require.cache\` when the scenario-1 small-artifact agent (container image form, file source, age, no cache, no OTLP)`,
    `exited after serving load: ${mods.map((m) => `\`${path.relative(OUT_DIR, m)}\``).join(', ')}. The bundle's lib/main.js is compiled by`,
    'the launcher (vm.Script with the code cache), so it is not listed; no optional-SDK chunk (kms.js, s3.js, aws.js, gcp.js, azure.js, cloud.js, otel.js, cache.js, yaml.js)',
    `was read${chunks.length ? ` — except: ${chunks.join(', ')}` : ''}.${perPkg.size ? ` Packages: ${[...scopes].map(([s, n]) => `\`${s}\` ${n}`).join(', ')}.` : ''}`,
  );
  ctx.report.check('No AWS / OpenTelemetry SDK loaded unless configured', sdk.length === 0 ? 'none loaded' : `loaded: ${sdk.join(', ')}`, sdk.length === 0);
}
