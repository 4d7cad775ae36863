/**
 * Scenarios 1, 2 and 4: the agent's GET routes against the bare node:http baseline
 * serving the same bytes, then memory (RSS idle, after load, after a sustained soak).
 */
import path from 'node:path';
import { AUTH, captureRoutes, startAgent, startBaseline } from '../lib/agents';
import { AGENT_DIST, AGENT_IMAGE, IMAGE_NODE_ARGS, LARGE_ARTIFACT, MODULE_PROBE, OUT_DIR, SMALL_ARTIFACT } from '../lib/config';
import type { Ctx } from '../lib/context';
import { median, roundRobin, runLoad, type Summary, type Target } from '../lib/load';
import { hwmMb, rssMb, sleep, type Managed } from '../lib/proc';
import { fmt, ms, pct, table } from '../lib/report';

export interface Pair {
  key: 'small' | '10k';
  label: string;
  agent: Managed;
  baseline: Managed;
  /** The same bytes from a one-middleware Koa app: the framework's own floor. */
  koa: Managed;
  /** node:http doing the agent's per-request checks (Host, proxy headers, hashed token): the floor of what the agent must do. */
  checked: Managed;
  /** RSS (MB) once ready, before any load. */
  rssReady: number;
  rssAfterLoad?: number;
  /** The baseline's and the Koa floor's RSS after the same load (references for S4). */
  baselineRssAfterLoad?: number;
  koaRssAfterLoad?: number;
  checkedRssAfterLoad?: number;
  keyPath: string;
}

const SETTLE_MS = 2_000;
export const MODULE_PROBE_OUT = path.join(OUT_DIR, 'modules-small.json');

export async function startPair(ctx: Ctx, key: Pair['key']): Promise<Pair> {
  const file = key === 'small' ? SMALL_ARTIFACT : LARGE_ARTIFACT;
  // The agent as the container image runs it: the bundle's launcher, its trained code cache, the image's NODE_OPTIONS.
  const probe = key === 'small' ? { nodeArgs: [...IMAGE_NODE_ARGS, '--require', MODULE_PROBE], env: { BENCH_MODULE_PROBE_OUT: MODULE_PROBE_OUT } } : { nodeArgs: IMAGE_NODE_ARGS };
  const agent = await startAgent({ name: `agent-${key}`, source: file, entry: AGENT_IMAGE, ...probe });
  const started: Managed[] = [agent];
  let keyPath: string, baseline: Managed, koa: Managed, checked: Managed;
  try {
    const keys = await captureRoutes(agent, ['/v1/keys']);
    const firstKey = (JSON.parse(Buffer.from(keys[0].body, 'base64').toString('utf8')) as string[])[0];
    keyPath = `/v1/secrets/${encodeURIComponent(firstKey)}`;
    const routes = await captureRoutes(agent, ['/v1/secrets', '/v1/keys', keyPath, '/v1/ready']);
    started.push((baseline = await startBaseline(key, routes)));
    started.push((koa = await startBaseline(`${key}-koa`, routes, routes[0].path, 'koa')));
    started.push((checked = await startBaseline(`${key}-checked`, routes, routes[0].path, 'checked')));
  } catch (e) {
    await Promise.all(started.map((p) => p.stop()));
    throw e;
  }
  await sleep(1_000);
  const rssReady = rssMb(agent.pid);
  ctx.log(`agent-${key} pid ${agent.pid} ready, RSS ${rssReady.toFixed(1)} MB; baseline pid ${baseline.pid}`);
  return { key, label: key === 'small' ? 'small (20 keys)' : '10k keys', agent, baseline, koa, checked, rssReady, keyPath };
}

function targets(pair: Pair, withKoa: boolean): Target[] {
  return [
    { label: 'agent', port: pair.agent.port, pid: pair.agent.pid, headers: AUTH },
    // The baselines ignore the header; it is sent so every request is the same bytes.
    { label: 'baseline', port: pair.baseline.port, pid: pair.baseline.pid, headers: AUTH },
    { label: 'checked', port: pair.checked.port, pid: pair.checked.pid, headers: AUTH },
    ...(withKoa ? [{ label: 'koa', port: pair.koa.port, pid: pair.koa.pid, headers: AUTH }] : []),
  ];
}

export interface HttpRow {
  artifact: string;
  route: string;
  connections: number;
  agent: Summary;
  baseline: Summary;
  checked: Summary;
  koa?: Summary;
}

function rowCells(r: HttpRow): Array<string | number> {
  return [
    r.artifact,
    r.route,
    r.connections,
    fmt(r.agent.rps),
    fmt(r.baseline.rps),
    pct(r.agent.rps / r.baseline.rps),
    ms(r.agent.p50),
    ms(r.baseline.p50),
    ms(r.agent.p99),
    ms(r.baseline.p99),
    `${(r.agent.p99 / r.baseline.p99).toFixed(2)}×`,
    `${fmt(r.agent.cpuUsPerReq)} / ${fmt(r.baseline.cpuUsPerReq)}`,
    `${fmt(r.checked.rps)} (${pct(r.checked.rps / r.baseline.rps)}), p99 ${ms(r.checked.p99)}, ${fmt(r.checked.cpuUsPerReq)} µs`,
    pct(r.agent.rps / r.checked.rps),
    r.koa ? `${fmt(r.koa.rps)} (${pct(r.koa.rps / r.baseline.rps)}), ${fmt(r.koa.cpuUsPerReq)} µs` : '—',
  ];
}

const HEADER = ['Artifact', 'Route', 'Conns', 'Agent req/s', 'Baseline req/s', 'Ratio', 'Agent p50 ms', 'Base p50 ms', 'Agent p99 ms', 'Base p99 ms', 'p99 ratio', 'Server CPU µs/req (agent / base)', 'Checked floor req/s (of base), p99 ms, CPU', 'Agent / checked floor', 'Koa floor req/s (ratio), CPU'];

async function measure(ctx: Ctx, pair: Pair, route: string, routeLabel: string, connections: number, seconds: number, warmup: number, withKoa = false): Promise<HttpRow> {
  const [agent, baseline, checked, koa] = await roundRobin(targets(pair, withKoa), route, connections, seconds, ctx.cfg.rounds, warmup);
  const row = { artifact: pair.label, route: routeLabel, connections, agent, baseline, checked, koa };
  ctx.log(
    `${pair.key} ${routeLabel} c=${connections}: agent ${fmt(agent.rps)} req/s p99 ${ms(agent.p99)} ms | baseline ${fmt(baseline.rps)} req/s p99 ${ms(baseline.p99)} ms → ${pct(agent.rps / baseline.rps)} | checked floor ${fmt(checked.rps)} → ${pct(agent.rps / checked.rps)}`,
  );
  if (agent.failures + baseline.failures + checked.failures > 0) ctx.report.notes.push(`${pair.key} ${routeLabel} c=${connections}: ${agent.failures} agent / ${baseline.failures} baseline / ${checked.failures} checked-floor non-2xx or errors`);
  return row;
}

export async function scenario1(ctx: Ctx, pairs: Pair[]): Promise<HttpRow[]> {
  const rows: HttpRow[] = [];
  for (const pair of pairs) {
    let warmup = ctx.cfg.warmupSeconds;
    for (const c of [1, 50, 200]) {
      const seconds = c === 50 ? ctx.cfg.headlineSeconds : ctx.cfg.seconds;
      rows.push(await measure(ctx, pair, '/v1/secrets', '/v1/secrets', c, seconds, warmup, c === 50));
      warmup = Math.min(warmup, 0.5);
    }
  }
  const lines = ctx.report.section('1. GET /v1/secrets: agent vs bare node:http');
  lines.push(
    `Median of ${ctx.cfg.rounds} rounds (${ctx.cfg.headlineSeconds} s at 50 connections, ${ctx.cfg.seconds} s otherwise), servers in rotating order,`,
    'after an unmeasured warm-up. Latencies from every response, in ms. "Server CPU" is user+system time of the',
    'server process over the run divided by the requests it answered (a load-independent cost per request). At 50 connections a',
    'fourth server runs in the same rotation: the Koa floor (bench/koa-floor-server.js), a Koa app with one middleware sending',
    'the same bytes, i.e. what Koa alone costs here; the agent cannot beat it without leaving Koa. In every row the **checked',
    'floor** (bench/checked-floor-server.js) runs in the rotation too: bare node:http doing the checks every agent request must',
    'do (Host allowlist, no proxy headers, origin-form target, bearer token hashed with SHA-256 and compared with timingSafeEqual)',
    'and sending the same bytes; "Agent / checked floor" is what the agent costs beyond those checks.',
    '',
    ...table(HEADER, rows.map(rowCells)),
  );
  for (const r of rows.filter((x) => x.connections === 50)) {
    const ratio = r.agent.rps / r.baseline.rps;
    const p99 = r.agent.p99 / r.baseline.p99;
    ctx.report.check(`S1 ${r.artifact} @50: req/s ≥ 85% of baseline`, `${pct(ratio)} (${fmt(r.agent.rps)} vs ${fmt(r.baseline.rps)})`, ratio >= 0.85);
    ctx.report.check(`S1 ${r.artifact} @50: p99 ≤ 1.3× baseline`, `${p99.toFixed(2)}× (${ms(r.agent.p99)} vs ${ms(r.baseline.p99)} ms)`, p99 <= 1.3);
    ctx.report.check(
      `S1 ${r.artifact} @50, reference: the checked floor (node:http with the same checks, same bytes)`,
      `checked floor ${pct(r.checked.rps / r.baseline.rps)} of baseline req/s, p99 ${(r.checked.p99 / r.baseline.p99).toFixed(2)}×; agent ${pct(r.agent.rps / r.checked.rps)} of the checked floor, p99 ${(r.agent.p99 / r.checked.p99).toFixed(2)}×`,
      null,
    );
    if (r.koa) {
      ctx.report.check(
        `S1 ${r.artifact} @50, reference: the Koa floor (Koa, one middleware, same bytes)`,
        `Koa floor ${pct(r.koa.rps / r.baseline.rps)} of baseline req/s, p99 ${(r.koa.p99 / r.baseline.p99).toFixed(2)}×; agent ${pct(r.agent.rps / r.koa.rps)} of the Koa floor`,
        null,
      );
    }
  }
  return rows;
}

export async function scenario2(ctx: Ctx, pair: Pair): Promise<HttpRow[]> {
  const rows = [
    await measure(ctx, pair, pair.keyPath, '/v1/secrets/:key', 50, ctx.cfg.seconds, ctx.cfg.warmupSeconds),
    await measure(ctx, pair, '/v1/keys', '/v1/keys', 50, ctx.cfg.seconds, ctx.cfg.warmupSeconds),
  ];
  const lines = ctx.report.section('2. Single secret and key list at 50 connections');
  lines.push(`Same method as scenario 1 (${ctx.cfg.rounds} × ${ctx.cfg.seconds} s), small artifact; \`:key\` is \`${decodeURIComponent(pair.keyPath.slice('/v1/secrets/'.length))}\`.`, '', ...table(HEADER, rows.map(rowCells)));
  return rows;
}

/** RSS once idle after the load scenarios. */
export async function recordIdleAfterLoad(pairs: Pair[]): Promise<void> {
  await sleep(SETTLE_MS);
  for (const p of pairs) {
    p.rssAfterLoad = rssMb(p.agent.pid);
    p.baselineRssAfterLoad = rssMb(p.baseline.pid);
    p.koaRssAfterLoad = rssMb(p.koa.pid);
    p.checkedRssAfterLoad = rssMb(p.checked.pid);
  }
}

interface SoakSubject {
  label: string;
  limit: number | null;
  proc: Managed;
  ready: number;
  afterLoad?: number;
}

export async function scenario4(ctx: Ctx, pairs: Pair[]): Promise<void> {
  const soak = ctx.cfg.soakSeconds;
  const flags = IMAGE_NODE_ARGS.join(' ');
  const subjects: SoakSubject[] = pairs.map((p) => ({ label: `${p.label}, container image form`, limit: p.key === 'small' ? 60 : 90, proc: p.agent, ready: p.rssReady, afterLoad: p.rssAfterLoad }));
  // For reference, the tsc output (dist, node's default flags), soaked alongside (no scenario-1 history).
  const reference: Managed[] = [];
  try {
    for (const p of pairs) {
      const proc = await startAgent({ name: `agent-${p.key}-dist`, source: p.key === 'small' ? SMALL_ARTIFACT : LARGE_ARTIFACT, entry: AGENT_DIST });
      reference.push(proc);
      await sleep(1_000);
      subjects.push({ label: `${p.label}, \`node dist/app/main.js\` (tsc output, default flags)`, limit: null, proc, ready: rssMb(proc.pid) });
    }
    ctx.log(`soak: ${soak} s of GET /v1/secrets at 50 connections on ${subjects.length} agents at once`);
    const loads = await Promise.all(
      subjects.map((s) => runLoad({ port: s.proc.port, path: '/v1/secrets', connections: 50, seconds: soak, headers: AUTH, serverPid: s.proc.pid })),
    );
    const underLoad = subjects.map((s) => rssMb(s.proc.pid));
    await sleep(SETTLE_MS);
    const idleAfterSoak = subjects.map((s) => rssMb(s.proc.pid));
    const peak = subjects.map((s) => hwmMb(s.proc.pid));
    const lines = ctx.report.section('4. Memory (VmRSS of the agent process)');
    lines.push(
      `VmRSS from /proc/<pid>/status in MB (10^6 bytes, the targets' unit). "Idle, ready": 1 s after the first 200`,
      `from /v1/ready. "After load": ${SETTLE_MS / 1000} s after scenarios 1–2 ended. "Soak": ${soak} s of scenario 1 at 50 connections`,
      `(BENCH_SOAK_SECONDS) on all ${subjects.length} agents at the same time, so each got a share of the load generator; "idle after soak"`,
      `is ${SETTLE_MS / 1000} s later. Peak = VmHWM over the process's life. The container image form is the bundle's launcher with`,
      `its trained code cache and the image's NODE_OPTIONS (\`${flags}\`: a small V8 young generation, whose default maximum`,
      'otherwise grows RSS under load for short-lived garbage): the image\'s code-cache start; its snapshot start holds about',
      '1.5 MB more at ready (§3c). The last rows are the tsc output (dist/, default flags) for',
      'comparison. A bare node:http process is ~44 MB here (scenario 3).',
      '',
      ...table(
        ['Agent', 'Idle, ready', 'Idle after load', 'End of soak (under load)', 'Idle after soak', 'Peak (VmHWM)', 'Soak req/s'],
        subjects.map((s, i) => [s.label, fmt(s.ready, 1), fmt(s.afterLoad ?? NaN, 1), fmt(underLoad[i], 1), fmt(idleAfterSoak[i], 1), fmt(peak[i], 1), fmt(loads[i].rps)]),
      ),
      '',
      'References, idle after the same scenario 1–2 load (default node flags): ' +
        pairs.map((p) => `${p.label}: bare node:http ${fmt(p.baselineRssAfterLoad ?? NaN, 1)} MB, checked floor ${fmt(p.checkedRssAfterLoad ?? NaN, 1)} MB, Koa floor ${fmt(p.koaRssAfterLoad ?? NaN, 1)} MB`).join('; ') +
        '. The Koa floor is Koa alone sending pre-built bytes: what the required HTTP stack costs before any agent code.',
    );
    for (const [i, s] of subjects.entries()) {
      if (s.limit === null) continue;
      const worstIdle = Math.max(s.afterLoad ?? 0, idleAfterSoak[i]);
      ctx.report.check(
        `S4 RSS idle, ${s.label} ≤ ${s.limit} MB`,
        `${fmt(worstIdle, 1)} MB (ready ${fmt(s.ready, 1)}, after load ${fmt(s.afterLoad ?? NaN, 1)}, after soak ${fmt(idleAfterSoak[i], 1)}); tsc output: ${fmt(Math.max(subjects[i + pairs.length]?.ready ?? NaN, idleAfterSoak[i + pairs.length] ?? NaN), 1)} MB`,
        worstIdle <= s.limit,
      );
    }
    for (const p of pairs) {
      const ratio = (p.rssAfterLoad ?? NaN) / (p.baselineRssAfterLoad ?? NaN);
      ctx.report.check(
        `#20 RSS after the standard (scenario 1–2) load, ${p.label}, ≤ 1.1× bare node:http after the same load`,
        `${ratio.toFixed(2)}× (${fmt(p.rssAfterLoad ?? NaN, 1)} vs ${fmt(p.baselineRssAfterLoad ?? NaN, 1)} MB; checked floor ${fmt(p.checkedRssAfterLoad ?? NaN, 1)} MB)`,
        ratio <= 1.1,
      );
    }
    if (loads.some((l) => l.non2xx + l.errors > 0)) ctx.report.notes.push(`soak: ${loads.map((l) => l.non2xx + l.errors).join(' / ')} non-2xx or errors`);
  } finally {
    await Promise.all(reference.map((f) => f.stop()));
  }
}

export { median };
