/**
 * `npm run soak`: a long run of mixed load against the real agent (`node dist/app/main.js`)
 * fed by a loopback HTTP source that rotates the artifact periodically and goes down in
 * the middle (503s, then connection resets, then hangs). Checks that every valid request
 * is answered correctly throughout, that memory does not drift, and how much the event
 * loop stalls. Results go to bench/RESULTS.md between the `<!-- soak:start -->` and
 * `<!-- soak:end -->` markers (the rest of that file belongs to `npm run bench`).
 *
 * Knobs (environment):
 *   SOAK_SECONDS          total load time (default 600)
 *   SOAK_RPS              target request rate of the load generator (default 400)
 *   SOAK_CONCURRENCY      parallel client connections (default 8)
 *   SOAK_ROTATE_SECONDS   publish a new revision this often (default 30, at most duration/6)
 *   SOAK_OUTAGE_SECONDS   outage length, centred in the run (default min(60, duration/10))
 *   SOAK_RESULTS          results file (default bench/RESULTS.md; "-" = do not write)
 *
 * Event-loop delay is measured inside the agent: the agent is started with a `--require`
 * preload (written to a temp dir by this script, no change to src/) that runs
 * perf_hooks.monitorEventLoopDelay and appends one JSON line per interval to a file. As a
 * cross-check, a probe outside the agent measures /v1/health latency under the load.
 *
 * Exit status: 0 if no valid request failed, RSS grew < 10 % from after warm-up to the end,
 * the outage showed in /v1/health, the agent converged on the newest revision and exited
 * cleanly on SIGTERM; 1 otherwise. Bundled and run by the `soak` script (esbuild → build/soak/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ArtifactServer } from '../test/support/fakes/artifact-server';
import { packAge, type Tree } from '../test/support/pack';
import { freePort } from './lib/proc';
import { AGE_KEY_FILE, AGENT_MAIN, RECIPIENT, ROOT } from './lib/soak-paths';

// ---------------------------------------------------------------------------------------
// configuration


const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
};

const DURATION_S = num('SOAK_SECONDS', 600);
const RPS = num('SOAK_RPS', 400);
const CONCURRENCY = Math.round(num('SOAK_CONCURRENCY', 8));
const ROTATE_S = num('SOAK_ROTATE_SECONDS', Math.max(2, Math.min(30, DURATION_S / 6)));
const OUTAGE_S = num('SOAK_OUTAGE_SECONDS', Math.max(3, Math.min(60, DURATION_S / 10)));
const OUTAGE_START_S = (DURATION_S - OUTAGE_S) / 2;
const WARMUP_S = Math.min(30, DURATION_S / 10);
const RSS_SAMPLE_MS = 2_000;
const TTL_S = 300; // > the outage, so the agent must keep serving through it
const RESULTS = process.env.SOAK_RESULTS ?? path.join(ROOT, 'bench/RESULTS.md');
const TOKEN = `soak-${randomBytes(16).toString('hex')}`;
/** Wrong credentials the load mixes in: a near miss, a prefix, another scheme, garbage. */
const BAD_AUTH = [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`, 'Bearer not-the-token'];

// ---------------------------------------------------------------------------------------
// small utilities

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fixed-resolution latency histogram: 10 µs buckets up to 5 s, overflow in the last. */
class Histogram {
  private readonly buckets = new Uint32Array(500_001);
  count = 0;
  max = 0;
  record(ms: number): void {
    this.count++;
    if (ms > this.max) this.max = ms;
    this.buckets[Math.min(this.buckets.length - 1, Math.max(0, Math.round(ms * 100)))]++;
  }
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const target = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i];
      if (seen >= target) return i / 100;
    }
    return this.max;
  }
}

function rssKb(pid: number, field = 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} for ${pid}`);
  return Number(m[1]);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mib = (kb: number) => (kb / 1024).toFixed(1);
const ms = (x: number) => (Number.isNaN(x) ? 'n/a' : x < 10 ? x.toFixed(2) : x.toFixed(1));


interface Reply {
  status: number;
  body: string;
}

function send(port: number, agent: Agent, method: string, urlPath: string, headers: Record<string, string>, timeoutMs = 10_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: urlPath, agent, headers: { host: `127.0.0.1:${port}`, ...headers }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------------------------------
// the rotating artifact

/** Generation n of the secrets: every value derives from n, so a torn snapshot shows. */
function generationTree(n: number): Tree {
  return {
    app: { ROTATING: `rotating-value-${n}-${'x'.repeat(32)}`, DB_URL: `postgres://app:pw-${n}@db.internal:5432/app`, STATIC: 'static-value-never-changes' },
    meta: { GENERATION: String(n) },
    bulk: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`KEY_${i}`, `bulk-${n}-${i}-${'y'.repeat(48)}`])),
  };
}
const EXPECTED_KEYS = JSON.stringify(
  Object.entries(generationTree(0)).flatMap(([ns, t]) => Object.keys(t).map((k) => `${ns}__${k}`)),
);

// ---------------------------------------------------------------------------------------
// the agent, with an event-loop-delay preload

/** Runs inside the agent (node --require). Every window: event-loop delay percentiles and
 * heap figures. Every GC_EVERY windows it forces a full GC first (the agent runs with
 * --expose-gc) and records the heap left afterwards: the live heap, the honest leak signal
 * (RSS also moves with V8's allocation and release policy). Windows with a forced GC are
 * flagged and kept out of the event-loop figures. */
const GC_EVERY = Math.max(1, Math.round(60_000 / RSS_SAMPLE_MS));
/** monitorEventLoopDelay records the whole interval between its timer's ticks (an idle loop
 * reads ≈ 10.1 ms at 10 ms resolution); the delay is what exceeds it. */
const ELD_RESOLUTION_MS = 10;
const ELD_PRELOAD = `'use strict';
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { appendFileSync } = require('node:fs');
const file = process.env.SOAK_ELD_FILE;
if (file) {
  const h = monitorEventLoopDelay({ resolution: ${ELD_RESOLUTION_MS} });
  h.enable();
  let tick = 0;
  const t = setInterval(() => {
    const line = { t: Date.now(), p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6, mean: h.mean / 1e6, n: h.count };
    tick++;
    if (typeof global.gc === 'function' && tick % ${GC_EVERY} === 0) {
      global.gc();
      const m = process.memoryUsage();
      line.gcHeapUsed = m.heapUsed;
      line.gcExternal = m.external;
      line.gcRss = m.rss;
    }
    h.reset();
    try { appendFileSync(file, JSON.stringify(line) + '\\n'); } catch {}
  }, ${RSS_SAMPLE_MS});
  t.unref();
}
`;

interface EldSample {
  t: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
  n: number;
  /** Set on windows that ended with a forced full GC (bytes after it). */
  gcHeapUsed?: number;
  gcExternal?: number;
  gcRss?: number;
}

// ---------------------------------------------------------------------------------------
// load

type Kind = 'secrets' | 'keys' | 'one' | 'flat' | 'health' | 'ready' | 'bad_token' | 'missing_key' | 'wrong_method';
const MIX: Array<[Kind, number]> = [
  ['secrets', 33],
  ['keys', 15],
  ['one', 15],
  ['flat', 10],
  ['health', 10],
  ['ready', 5],
  ['bad_token', 6],
  ['missing_key', 4],
  ['wrong_method', 2],
];
const VALID: ReadonlySet<Kind> = new Set(['secrets', 'keys', 'one', 'flat', 'health', 'ready']);

function pick(): Kind {
  let r = Math.random() * 100;
  for (const [k, w] of MIX) if ((r -= w) < 0) return k;
  return 'secrets';
}

interface Stats {
  count: Map<Kind, number>;
  latency: Map<Kind, Histogram>;
  /** Valid requests that failed (wrong status, wrong body, network error), by reason. */
  validErrors: Map<string, number>;
  /** Invalid requests answered with the wrong status. */
  invalidMisanswered: Map<string, number>;
  generationsSeen: Set<number>;
  duringOutage: { valid: number; validErrors: number };
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<number> {
  if (!existsSync(AGENT_MAIN)) throw new Error(`${AGENT_MAIN} is missing: run npm run build first`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'clef-soak-'));
  const eldFile = path.join(tmp, 'eld.jsonl');
  const preload = path.join(tmp, 'eld-preload.js');
  writeFileSync(preload, ELD_PRELOAD);

  const server = await ArtifactServer.start();
  let generation = 0;
  const published = new Map<number, string>(); // generation → expected /v1/secrets ROTATING value
  const publish = async (): Promise<void> => {
    const n = generation++;
    const tree = generationTree(n);
    server.publish(await packAge(tree, RECIPIENT, { identity: 'soak-svc', environment: 'soak', revision: `${Date.now()}-${n.toString(16).padStart(8, '0')}` }));
    published.set(n, tree.app.ROTATING);
  };
  await publish();

  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--require', preload, AGENT_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      SOAK_ELD_FILE: eldFile,
      CLEF_AGENT_PORT: String(port),
      CLEF_AGENT_TOKEN: TOKEN,
      CLEF_AGENT_SOURCE: server.url,
      CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE,
      CLEF_AGENT_IDENTITY: 'soak-svc',
      CLEF_AGENT_ENVIRONMENT: 'soak',
      CLEF_AGENT_CACHE_TTL: String(TTL_S),
      CLEF_AGENT_POLL_INTERVAL: '1',
      CLEF_AGENT_FETCH_TIMEOUT: '2',
      CLEF_AGENT_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logLines = 0;
  let stderrTail = '';
  child.stdout!.on('data', (c: Buffer) => (logLines += c.toString('utf8').split('\n').length - 1));
  child.stderr!.on('data', (c: Buffer) => {
    const s = c.toString('utf8');
    logLines += s.split('\n').length - 1;
    stderrTail = (stderrTail + s).slice(-4000);
  });
  let exitCode: number | null | undefined;
  let exitSignal: NodeJS.Signals | null = null;
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      resolve();
    }),
  );

  const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  // Wait for the agent to be ready (polling is the only signal a separate process gives).
  const readyBy = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await send(port, probeAgent, 'GET', '/v1/ready', {})).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (exitCode !== undefined || Date.now() > readyBy) throw new Error(`agent did not become ready\n${stderrTail}`);
    await sleep(50);
  }
  const pid = child.pid!;

  const stats: Stats = {
    count: new Map(),
    latency: new Map(MIX.map(([k]) => [k, new Histogram()])),
    validErrors: new Map(),
    invalidMisanswered: new Map(),
    generationsSeen: new Set(),
    duringOutage: { valid: 0, validErrors: 0 },
  };
  const healthProbe = new Histogram();
  const rss: Array<{ t: number; kb: number }> = [];
  const healthDuringOutage: string[] = [];
  const t0 = performance.now();
  const elapsedS = () => (performance.now() - t0) / 1000;
  const endAt = t0 + DURATION_S * 1000;
  let outage: 'none' | 'status' | 'reset' | 'hang' = 'none';
  let outageSeen = false;

  // Source: rotation and the outage, on their own timers.
  const rotation = setInterval(() => void publish(), ROTATE_S * 1000);
  const outageTimer = setInterval(() => {
    const e = elapsedS();
    const into = e - OUTAGE_START_S;
    const next: typeof outage = into < 0 || into >= OUTAGE_S ? 'none' : into < OUTAGE_S / 3 ? 'status' : into < (2 * OUTAGE_S) / 3 ? 'reset' : 'hang';
    if (next === outage) return;
    outage = next;
    server.http.fault = next === 'none' ? null : next === 'status' ? { kind: 'status', status: 503 } : { kind: next };
  }, 100);

  // RSS sampler.
  const sampler = setInterval(() => {
    try {
      rss.push({ t: elapsedS(), kb: rssKb(pid) });
    } catch {
      /* process gone: reported below */
    }
  }, RSS_SAMPLE_MS);

  // Health probe: its own connection, every 100 ms, latency under the load.
  const probe = (async () => {
    while (performance.now() < endAt && exitCode === undefined) {
      const start = performance.now();
      try {
        const r = await send(port, probeAgent, 'GET', '/v1/health', {});
        healthProbe.record(performance.now() - start);
        if (outage !== 'none') {
          const code = (JSON.parse(r.body) as { lastError: { code: string } | null }).lastError?.code;
          if (code) {
            outageSeen = true;
            if (!healthDuringOutage.includes(code)) healthDuringOutage.push(code);
          }
        }
      } catch {
        bump(stats.validErrors, 'health probe: network error');
      }
      await sleep(100);
    }
  })();

  // Load workers, paced to RPS overall.
  const loadAgent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let nextSlot = performance.now();
  const interval = 1000 / RPS;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const worker = async (): Promise<void> => {
    while (exitCode === undefined) {
      const slot = (nextSlot = Math.max(nextSlot + interval, performance.now() - 50 * interval));
      if (slot >= endAt) return;
      const wait = slot - performance.now();
      if (wait > 1) await sleep(wait);
      const kind = pick();
      const inOutage = outage !== 'none';
      const start = performance.now();
      let r: Reply;
      try {
        switch (kind) {
          case 'secrets': r = await send(port, loadAgent, 'GET', '/v1/secrets', auth); break;
          case 'keys': r = await send(port, loadAgent, 'GET', '/v1/keys', auth); break;
          case 'one': r = await send(port, loadAgent, 'GET', '/v1/secrets/app/ROTATING', auth); break;
          case 'flat': r = await send(port, loadAgent, 'GET', '/v1/secrets/meta__GENERATION', auth); break;
          case 'health': r = await send(port, loadAgent, 'GET', '/v1/health', {}); break;
          case 'ready': r = await send(port, loadAgent, 'GET', '/v1/ready', {}); break;
          case 'bad_token': r = await send(port, loadAgent, 'GET', '/v1/secrets', { authorization: BAD_AUTH[Math.floor(Math.random() * BAD_AUTH.length)] }); break;
          case 'missing_key': r = await send(port, loadAgent, 'GET', '/v1/secrets/app/NOPE', auth); break;
          case 'wrong_method': r = await send(port, loadAgent, 'POST', '/v1/secrets', { ...auth, 'content-length': '0' }); break;
        }
      } catch (e) {
        bump(VALID.has(kind) ? stats.validErrors : stats.invalidMisanswered, `${kind}: network error (${(e as Error).message})`);
        if (VALID.has(kind) && inOutage) stats.duringOutage.validErrors++;
        continue;
      }
      stats.latency.get(kind)!.record(performance.now() - start);
      stats.count.set(kind, (stats.count.get(kind) ?? 0) + 1);
      const problem = check(kind, r, stats);
      if (VALID.has(kind)) {
        if (inOutage) stats.duringOutage.valid++;
        if (problem) {
          bump(stats.validErrors, `${kind}: ${problem}`);
          if (inOutage) stats.duringOutage.validErrors++;
        }
      } else if (problem) {
        bump(stats.invalidMisanswered, `${kind}: ${problem}`);
      }
    }
  };

  function check(kind: Kind, r: Reply, s: Stats): string | null {
    const expectStatus: Record<Kind, number> = { secrets: 200, keys: 200, one: 200, flat: 200, health: 200, ready: 200, bad_token: 401, missing_key: 404, wrong_method: 405 };
    if (r.status !== expectStatus[kind]) return `status ${r.status}`;
    try {
      switch (kind) {
        case 'secrets': {
          const tree = JSON.parse(r.body) as Tree;
          const n = Number(tree.meta.GENERATION);
          const want = generationTree(n);
          if (!published.has(n) || JSON.stringify(tree) !== JSON.stringify(want)) return 'torn or unknown snapshot';
          s.generationsSeen.add(n);
          return null;
        }
        case 'keys':
          return r.body === EXPECTED_KEYS ? null : 'wrong key list';
        case 'one': {
          const v = (JSON.parse(r.body) as { value: string }).value;
          return [...published.values()].includes(v) ? null : 'unknown value';
        }
        case 'flat': {
          const n = Number((JSON.parse(r.body) as { value: string }).value);
          return published.has(n) ? null : 'unknown generation';
        }
        default:
          return null;
      }
    } catch {
      return 'unparseable body';
    }
  }

  const progress = setInterval(() => {
    const total = [...stats.count.values()].reduce((a, b) => a + b, 0);
    const validErrs = [...stats.validErrors.values()].reduce((a, b) => a + b, 0);
    const last = rss[rss.length - 1];
    process.stdout.write(
      `[soak] ${elapsedS().toFixed(0)}/${DURATION_S}s  requests ${total}  valid errors ${validErrs}  generation ${generation - 1}  outage ${outage}  rss ${last ? mib(last.kb) : '?'} MiB\n`,
    );
  }, 10_000);

  await Promise.all([...Array.from({ length: CONCURRENCY }, worker), probe]);
  clearInterval(rotation);
  clearInterval(outageTimer);
  clearInterval(sampler);
  clearInterval(progress);
  server.http.fault = null;
  const wall = elapsedS();

  // After the outage and the last rotation the agent must converge on the newest revision.
  const lastGen = generation - 1;
  let converged = false;
  const convergeBy = Date.now() + 20_000;
  while (!converged && Date.now() < convergeBy && exitCode === undefined) {
    try {
      const r = await send(port, probeAgent, 'GET', '/v1/secrets/meta__GENERATION', auth);
      converged = r.status === 200 && (JSON.parse(r.body) as { value: string }).value === String(lastGen);
    } catch {
      /* keep trying */
    }
    if (!converged) await sleep(100);
  }

  const hwmKb = exitCode === undefined ? rssKb(pid, 'VmHWM') : NaN;
  const stillRunning = exitCode === undefined;
  probeAgent.destroy();
  loadAgent.destroy();
  child.kill('SIGTERM');
  await exited;
  await server.close();

  const eld: EldSample[] = existsSync(eldFile)
    ? readFileSync(eldFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as EldSample)
    : [];
  rmSync(tmp, { recursive: true, force: true });

  // --- summarise ---------------------------------------------------------------------
  const afterWarmup = rss.filter((x) => x.t >= WARMUP_S);
  const startKb = median(afterWarmup.slice(0, 5).map((x) => x.kb));
  const endKb = median(rss.slice(-5).map((x) => x.kb));
  const drift = (endKb - startKb) / startKb;
  const maxKb = Math.max(...rss.map((x) => x.kb));
  const minKb = Math.min(...afterWarmup.map((x) => x.kb));
  const timeline = Array.from({ length: 11 }, (_, i) => rss[Math.min(rss.length - 1, Math.round((i / 10) * (rss.length - 1)))]).map((x) => mib(x.kb)).join(' → ');
  const total = [...stats.count.values()].reduce((a, b) => a + b, 0);
  const validTotal = [...VALID].reduce((a, k) => a + (stats.count.get(k) ?? 0), 0);
  const validErrors = [...stats.validErrors.values()].reduce((a, b) => a + b, 0);
  const invalidMis = [...stats.invalidMisanswered.values()].reduce((a, b) => a + b, 0);
  // A forced GC's pause lands in the next window: keep both out of the event-loop figures.
  const eldLoaded = eld.filter((x, i) => (x.t - eld[0].t) / 1000 >= WARMUP_S && x.gcHeapUsed === undefined && eld[i - 1]?.gcHeapUsed === undefined);
  const gcPoints = eld.filter((x) => x.gcHeapUsed !== undefined);
  const gcAfterWarmup = gcPoints.filter((x) => (x.t - eld[0].t) / 1000 >= WARMUP_S);
  const heapStart = gcAfterWarmup[0]?.gcHeapUsed ?? NaN;
  const heapEnd = gcPoints[gcPoints.length - 1]?.gcHeapUsed ?? NaN;
  const heapDrift = (heapEnd - heapStart) / heapStart;
  const excess = (x: number) => Math.max(0, x - ELD_RESOLUTION_MS);
  const eldP99Max = excess(Math.max(...eldLoaded.map((x) => x.p99)));
  const eldP99Median = excess(median(eldLoaded.map((x) => x.p99)));
  const eldP50Median = excess(median(eldLoaded.map((x) => x.p50)));
  const eldMax = excess(Math.max(...eldLoaded.map((x) => x.max)));
  const cleanExit = stillRunning && exitCode === 0;
  // Drift is judged as growth: V8 giving memory back after start-up is not a leak.
  const pass = validErrors === 0 && invalidMis === 0 && drift < 0.1 && cleanExit && converged && outageSeen;

  const latencyRows = MIX.map(([k]) => {
    const h = stats.latency.get(k)!;
    return `| ${k} | ${stats.count.get(k) ?? 0} | ${ms(h.percentile(50))} | ${ms(h.percentile(99))} | ${ms(h.max)} |`;
  });
  const errorLines = [...stats.validErrors, ...stats.invalidMisanswered].map(([k, v]) => `  - ${k}: ${v}`);

  const section = [
    '<!-- soak:start -->',
    '## Soak',
    '',
    'Written by `npm run soak` (bench/soak.ts); do not edit by hand. The built agent (`node dist/app/main.js`) runs as its own',
    'process against a loopback HTTP source (cached mode, TTL 300 s, poll interval 1 s, fetch timeout 2 s). The source publishes a',
    `new revision every ${ROTATE_S} s (every value derives from the generation, so a torn or stale-unknown snapshot is detected) and has an`,
    `outage of ${OUTAGE_S} s in the middle (first third HTTP 503, then connection resets, then requests that hang). The load generator`,
    `(same machine, ${CONCURRENCY} keep-alive connections, paced to ${RPS} req/s) mixes every endpoint: ${MIX.map(([k, w]) => `${k} ${w}%`).join(', ')}.`,
    '',
    `- Date: ${new Date().toISOString()}; Node ${process.version}; ${os.cpus().length} logical CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'}), shared by agent and load generator`,
    `- Duration: ${wall.toFixed(0)} s of load (SOAK_SECONDS=${DURATION_S}); warm-up excluded from drift and event-loop figures: ${WARMUP_S.toFixed(0)} s`,
    `- **Result: ${pass ? 'PASS' : 'FAIL'}**`,
    '',
    '| Metric | Value |',
    '|---|---:|',
    `| Requests | ${total} (${(total / wall).toFixed(0)} req/s) |`,
    `| Valid requests / errors | ${validTotal} / **${validErrors}** |`,
    `| Valid requests during the outage / errors | ${stats.duringOutage.valid} / ${stats.duringOutage.validErrors} |`,
    `| Invalid requests (bad token, missing key, POST) answered wrongly | ${invalidMis} |`,
    `| Revisions published / distinct generations served | ${generation} / ${stats.generationsSeen.size} |`,
    `| Health during the outage reported | ${healthDuringOutage.length ? healthDuringOutage.map((c) => `\`${c}\``).join(', ') : 'nothing'} |`,
    `| Converged on the newest revision after the run | ${converged ? 'yes' : 'no'} |`,
    `| RSS after warm-up → end (median of 5 samples, every ${RSS_SAMPLE_MS / 1000} s) | ${mib(startKb)} → ${mib(endKb)} MiB |`,
    `| RSS drift (end vs after warm-up) | **${drift >= 0 ? '+' : ''}${(drift * 100).toFixed(1)} %** (limit: growth < 10 %) |`,
    `| RSS min / max sampled / VmHWM | ${mib(minKb)} / ${mib(maxKb)} / ${mib(hwmKb)} MiB |`,
    `| RSS over the run (every tenth) | ${timeline} MiB |`,
    `| Live heap after a forced full GC, first after warm-up → last (every ${(GC_EVERY * RSS_SAMPLE_MS) / 1000} s) | ${mib(heapStart / 1024)} → ${mib(heapEnd / 1024)} MiB (${heapDrift >= 0 ? '+' : ''}${(heapDrift * 100).toFixed(1)} %) |`,
    `| Live heap after forced GCs over the run | ${gcPoints.map((x) => mib(x.gcHeapUsed! / 1024)).join(' → ') || 'n/a'} MiB |`,
    `| Event-loop delay inside the agent, p50 (median ${RSS_SAMPLE_MS / 1000} s window) | ${ms(eldP50Median)} ms |`,
    `| Event-loop delay inside the agent, p99 (median / worst ${RSS_SAMPLE_MS / 1000} s window) | **${ms(eldP99Median)} / ${ms(eldP99Max)} ms** |`,
    `| Event-loop delay inside the agent, max | ${ms(eldMax)} ms |`,
    `| /v1/health latency from a separate 10 Hz probe, p50 / p99 / max | ${ms(healthProbe.percentile(50))} / ${ms(healthProbe.percentile(99))} / ${ms(healthProbe.max)} ms |`,
    `| Agent exit on SIGTERM | ${cleanExit ? 'code 0' : `code ${exitCode} signal ${exitSignal}${stillRunning ? '' : ' (died during the run)'}`} |`,
    `| Agent log lines | ${logLines} |`,
    '',
    'Client-side latency by request kind (ms, includes the load generator\'s own scheduling on the shared CPUs):',
    '',
    '| Kind | Count | p50 | p99 | max |',
    '|---|---:|---:|---:|---:|',
    ...latencyRows,
    '',
    `Event-loop delay is measured in the agent by \`perf_hooks.monitorEventLoopDelay\` (${ELD_RESOLUTION_MS} ms resolution; the figures are the time`,
    `beyond the ${ELD_RESOLUTION_MS} ms sampling period, which the histogram includes), loaded with \`node --require\` from a preload the soak`,
    'script writes; nothing in src/ exposes it. The /v1/health probe is the outside view. The machine is shared, so both include',
    'time the agent simply was not scheduled.',
    `The same preload forces a full GC (\`node --expose-gc\`) every ${(GC_EVERY * RSS_SAMPLE_MS) / 1000} s to read the live heap; those windows and the ones`,
    'right after are left out of the event-loop figures. RSS includes V8 heap headroom, so it swings by tens of MiB between samples.',
    ...(errorLines.length ? ['', 'Errors:', '', ...errorLines] : []),
    '<!-- soak:end -->',
  ].join('\n');

  process.stdout.write(`\n${section}\n`);
  if (RESULTS !== '-') writeSection(RESULTS, section);
  if (!pass && !cleanExit) process.stdout.write(`\nagent stderr (tail):\n${stderrTail}\n`);
  return pass ? 0 : 1;
}

/** Replaces the soak block in the results file, or appends it; the rest is untouched. */
function writeSection(file: string, section: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = current.indexOf('<!-- soak:start -->');
  const end = current.indexOf('<!-- soak:end -->');
  let next: string;
  if (start >= 0 && end > start) next = current.slice(0, start) + section + current.slice(end + '<!-- soak:end -->'.length);
  else next = `${current}${current === '' || current.endsWith('\n\n') ? '' : current.endsWith('\n') ? '\n' : '\n\n'}${section}\n`;
  writeFileSync(file, next);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
