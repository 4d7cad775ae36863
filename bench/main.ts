/**
 * `npm run bench`: every scenario of issue 8 against the built agent, each HTTP scenario
 * paired in the same run with a bare node:http baseline; writes bench/RESULTS.md.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateArtifact } from './gen-10k';
import { AGENT_DIST, IMAGE_NODE_ARGS, OUT_DIR, ROOT } from './lib/config';
import { loadConfig } from './lib/config';
import { buildBundles, buildShippedForms } from './lib/bundles';
import { createCtx } from './lib/context';
import { machineInfo, render, Report } from './lib/report';
import { reportModules, scenario3 } from './scenarios/cold-start';
import { MODULE_PROBE_OUT, recordIdleAfterLoad, scenario1, scenario2, scenario4, startPair, type HttpRow, type Pair } from './scenarios/http';
import { scenario6 } from './scenarios/jit';
import { scenario5 } from './scenarios/load-time';
import { scenario7 } from './scenarios/poll';
import { scenarioShipped } from './scenarios/shipped-forms';

export async function main(_args: string[]): Promise<void> {
  const cfg = loadConfig();
  const report = new Report();
  const ctx = createCtx(cfg, report);
  const t0 = performance.now();
  if (!existsSync(AGENT_DIST)) throw new Error('dist/app/main.js is missing: run `npm run build` (npm run bench does)');
  mkdirSync(OUT_DIR, { recursive: true });

  const gen = await generateArtifact();
  ctx.log(`generated ${path.relative(ROOT, gen.path)}: ${gen.keys} keys, ${(gen.bytes / 1024).toFixed(0)} KiB`);

  const bundles = await buildBundles(ctx);
  if (ctx.runs(3)) await scenario3(ctx, bundles);
  if (ctx.runs(3)) await scenarioShipped(ctx, await buildShippedForms(ctx));

  const pairs: Pair[] = [];
  const needPairs = [1, 2, 4, 7].some((n) => ctx.runs(n));
  let s1: HttpRow[] = [];
  rmSync(MODULE_PROBE_OUT, { force: true });
  try {
    if (needPairs) {
      pairs.push(await startPair(ctx, 'small'));
      if (ctx.runs(1) || ctx.runs(4)) pairs.push(await startPair(ctx, '10k'));
    }
    if (ctx.runs(1)) s1 = await scenario1(ctx, pairs);
    if (ctx.runs(2)) await scenario2(ctx, pairs[0]);
    if (needPairs) await recordIdleAfterLoad(pairs);
    if (ctx.runs(4)) await scenario4(ctx, pairs);
    if (ctx.runs(7)) await scenario7(ctx, pairs[0]?.agent);
  } finally {
    for (const p of pairs) await Promise.all([p.agent.stop(), p.baseline.stop(), p.koa.stop(), p.checked.stop()]);
  }
  if (needPairs) reportModules(ctx, MODULE_PROBE_OUT);

  if (ctx.runs(6)) await scenario6(ctx, s1.find((r) => r.connections === 50 && r.artifact.startsWith('small'))?.agent);
  if (ctx.runs(5)) await scenario5(ctx, gen.bytes);

  const wall = (performance.now() - t0) / 1000;
  const header = [
    '# clef-agent benchmark results',
    '',
    'Written by `npm run bench` (bench/run.js → bench/main.ts); do not edit by hand. Every HTTP figure is measured against the',
    'agent as the container image runs it, as a separate process (the scripts/bundle.js launcher with its trained code cache',
    `and the image's NODE_OPTIONS, \`${IMAGE_NODE_ARGS.join(' ')}\`: the image's code-cache start, which runs the same code as its`,
    'snapshot start once started, and takes the --require probes the snapshot start cannot; loopback, token auth; §3c compares',
    'the starts) and, in the same run, against a bare',
    '`node:http` server in its own process answering the same paths with the same bytes and headers (bench/baseline-server.js).',
    'The load generator is autocannon 9 (programmatic, pipelining 1) in the bench process.',
    '',
    '## Machine',
    '',
    ...machineInfo(),
    `- Bench wall time: ${wall.toFixed(0)} s (excluding \`npm run build\`)`,
    `- Settings: BENCH_ROUNDS=${cfg.rounds}, BENCH_HEADLINE_SECONDS=${cfg.headlineSeconds}, BENCH_SECONDS=${cfg.seconds}, BENCH_WARMUP_SECONDS=${cfg.warmupSeconds}, BENCH_SOAK_SECONDS=${cfg.soakSeconds}, BENCH_COLD_RUNS=${cfg.coldRuns}, BENCH_POLL_INTERVAL=${cfg.pollIntervalSeconds}, BENCH_POLL_WINDOW_SECONDS=${cfg.pollWindowSeconds}${cfg.only ? `, BENCH_ONLY=${[...cfg.only].join(',')}` : ''}`,
  ];
  writeFileSync(cfg.resultsFile, render(report, header) + keptSection(cfg.resultsFile, 'startup') + keptSection(cfg.resultsFile, 'soak') + keptSection(cfg.resultsFile, 'soak-fleet'));
  ctx.log(`wrote ${path.relative(ROOT, cfg.resultsFile)} (${wall.toFixed(0)} s)`);
  for (const c of report.checks) ctx.log(`${c.met === null ? '—' : c.met ? 'MET    ' : 'NOT MET'} ${c.target}: ${c.measured}`);
}

/** Blocks between `<!-- name:start -->` and `<!-- name:end -->` are kept as they are: `soak` is written
 * by `npm run soak` (bench/soak.ts), `soak-fleet` by `npm run soak:fleet` (bench/soak-fleet.ts), `startup` records the startup experiments of issue 20 (by hand). */
function keptSection(file: string, name: string): string {
  if (!existsSync(file)) return '';
  const current = readFileSync(file, 'utf8');
  const start = current.indexOf(`<!-- ${name}:start -->`);
  const endMarker = `<!-- ${name}:end -->`;
  const end = current.indexOf(endMarker);
  return start >= 0 && end > start ? `\n${current.slice(start, end + endMarker.length)}\n` : '';
}
