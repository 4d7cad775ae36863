/**
 * `npm run soak:fleet`: a bounded fleet soak on loopback. Four built agents
 * (`node dist/app/main.js`) share a real redis-server (Debian package, .ci/redis.sh) and
 * one HTTP source that publishes a new revision periodically. Redis is killed (SIGKILL)
 * and restarted on the same port twice during the run. Throughout, every agent is read
 * continuously and every answer is checked against the published generations.
 *
 * Reports: read errors (must be 0), each agent's RSS drift, and the source requests per
 * poll interval in each phase (steady, Redis down, after each restart). Results go to
 * bench/RESULTS.md between `<!-- soak-fleet:start -->` and `<!-- soak-fleet:end -->`; the
 * rest of the file is untouched.
 *
 * Knobs (environment):
 *   SOAK_FLEET_SECONDS   total run time (default 150)
 *   SOAK_FLEET_AGENTS    number of agents (default 4)
 *   SOAK_RESULTS         results file (default bench/RESULTS.md; "-" = do not write)
 *
 * Exit status 0 when no read failed, every agent converged on the newest revision after
 * the run, exited cleanly on SIGTERM, and RSS grew < 10 % per agent; 1 otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ArtifactServer } from '../test/support/fakes/artifact-server';
import { packAge } from '../test/support/pack';
import { freePort } from './lib/proc';
import { AGE_KEY_FILE, AGENT_MAIN, RECIPIENT, ROOT } from './lib/soak-paths';

const DURATION_S = Number(process.env.SOAK_FLEET_SECONDS ?? 150);
const AGENTS = Number(process.env.SOAK_FLEET_AGENTS ?? 4);
const RESULTS = process.env.SOAK_RESULTS ?? path.join(ROOT, 'bench/RESULTS.md');
const POLL_S = 1;
const ROTATE_S = 10;
const WARMUP_S = Math.min(15, DURATION_S / 10);
const TOKEN = `soak-${randomBytes(16).toString('hex')}`;
/** Redis is down during [start, start + length) of each window (fractions of the run). */
const OUTAGES = [
  { start: 0.25, length: 0.12 },
  { start: 0.6, length: 0.12 },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mib = (kb: number) => (kb / 1024).toFixed(1);
const rssKb = (pid: number) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

function get(port: number, agent: Agent, urlPath: string, auth: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...(auth ? { authorization: `Bearer ${TOKEN}` } : {}) };
    const req = request({ host: '127.0.0.1', port, path: urlPath, agent, headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** A private redis-server that can be SIGKILLed and started again on the same port. */
class Redis {
  private child?: ChildProcess;
  constructor(readonly port: number, private readonly dir: string) {}

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('error', () => undefined);
    this.child = child;
    for (const deadline = Date.now() + 20_000; !output.includes('Ready to accept connections'); await sleep(20)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start:\n${output.slice(-1500)}`);
    }
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

interface FleetAgent {
  port: number;
  child: ChildProcess;
  exit?: number | null;
  rss: Array<{ t: number; kb: number }>;
  http: Agent;
}

async function main(): Promise<number> {
  if (!existsSync(AGENT_MAIN)) throw new Error(`${AGENT_MAIN} is missing: run npm run build first`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'clef-soak-fleet-'));
  const redis = new Redis(await freePort(), tmp);
  await redis.start();
  const server = await ArtifactServer.start();
  let generation = 0;
  const publish = async () => {
    const n = generation++;
    server.publish(await packAge({ app: { GENERATION: String(n), VALUE: `value-${n}` } }, RECIPIENT, { revision: `${Date.now()}-${n.toString(16).padStart(8, '0')}` }));
  };
  await publish();

  const agents: FleetAgent[] = [];
  for (let i = 0; i < AGENTS; i += 1) {
    const port = await freePort();
    const child = spawn(process.execPath, [AGENT_MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        CLEF_AGENT_PORT: String(port),
        CLEF_AGENT_TOKEN: TOKEN,
        CLEF_AGENT_SOURCE: server.url,
        CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE,
        CLEF_AGENT_CACHE_URL: `redis://127.0.0.1:${redis.port}`,
        CLEF_AGENT_CACHE_TTL: '300',
        CLEF_AGENT_POLL_INTERVAL: String(POLL_S),
        CLEF_AGENT_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const agent: FleetAgent = { port, child, rss: [], http: new Agent({ keepAlive: true, maxSockets: 2 }) };
    child.stderr!.resume();
    child.on('exit', (code) => (agent.exit = code));
    agents.push(agent);
  }
  for (const a of agents) {
    for (const deadline = Date.now() + 30_000; ; await sleep(50)) {
      const ok = await get(a.port, a.http, '/v1/ready', false).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error('an agent did not become ready');
    }
  }

  const t0 = Date.now();
  const elapsed = () => (Date.now() - t0) / 1000;
  const endAt = t0 + DURATION_S * 1000;
  let reads = 0;
  const errors = new Map<string, number>();
  const fail = (why: string) => errors.set(why, (errors.get(why) ?? 0) + 1);
  // Source requests per phase; the phase is decided by the Redis state at request time.
  type Phase = 'steady' | 'redis down' | 'after restart';
  const phaseOf = (t: number): Phase => {
    for (const o of OUTAGES) {
      const start = o.start * DURATION_S;
      if (t >= start && t < start + o.length * DURATION_S) return 'redis down';
    }
    return t >= OUTAGES[0].start * DURATION_S ? 'after restart' : 'steady';
  };
  const phaseSeconds = new Map<Phase, number>();
  const requestsIn = new Map<Phase, number>();
  let seenRequests = server.log.length;
  const ticker = setInterval(() => {
    const phase = phaseOf(elapsed());
    if (elapsed() >= WARMUP_S) {
      phaseSeconds.set(phase, (phaseSeconds.get(phase) ?? 0) + 0.25);
      requestsIn.set(phase, (requestsIn.get(phase) ?? 0) + server.log.length - seenRequests);
    }
    seenRequests = server.log.length;
  }, 250);
  const rotation = setInterval(() => void publish(), ROTATE_S * 1000);
  const sampler = setInterval(() => {
    for (const a of agents) if (a.exit === undefined) a.rss.push({ t: elapsed(), kb: rssKb(a.child.pid!) });
  }, 2000);
  const outages = (async () => {
    for (const o of OUTAGES) {
      await sleep(t0 + o.start * DURATION_S * 1000 - Date.now());
      await redis.kill();
      process.stdout.write(`[soak:fleet] ${elapsed().toFixed(0)} s: Redis killed\n`);
      await sleep(t0 + (o.start + o.length) * DURATION_S * 1000 - Date.now());
      await redis.start();
      process.stdout.write(`[soak:fleet] ${elapsed().toFixed(0)} s: Redis restarted\n`);
    }
  })();
  const readers = agents.flatMap((a) =>
    [0, 1].map(async () => {
      while (Date.now() < endAt) {
        try {
          const r = await get(a.port, a.http, '/v1/secrets', true);
          reads += 1;
          if (r.status !== 200) fail(`status ${r.status}`);
          else {
            const n = Number((JSON.parse(r.body) as { app: { GENERATION: string; VALUE: string } }).app.GENERATION);
            if (!(n >= 0 && n < generation) || !r.body.includes(`value-${n}`)) fail('unknown or torn generation');
          }
        } catch (e) {
          fail(`network error (${(e as Error).message})`);
        }
        await sleep(5);
      }
    }),
  );
  await Promise.all([...readers, outages]);
  clearInterval(rotation);
  clearInterval(sampler);
  clearInterval(ticker);

  // After the run every agent must converge on the newest revision.
  const last = String(generation - 1);
  let converged = true;
  for (const a of agents) {
    let ok = false;
    for (const deadline = Date.now() + 20_000; !ok && Date.now() < deadline; await sleep(100)) {
      ok = await get(a.port, a.http, '/v1/secrets', true).then((r) => r.status === 200 && (JSON.parse(r.body) as { app: { GENERATION: string } }).app.GENERATION === last, () => false);
    }
    converged &&= ok;
  }
  const alive = agents.every((a) => a.exit === undefined);
  for (const a of agents) {
    a.http.destroy();
    a.child.kill('SIGTERM');
  }
  await Promise.all(agents.map((a) => (a.exit !== undefined ? undefined : new Promise((r) => a.child.once('exit', r)))));
  const cleanExit = alive && agents.every((a) => a.exit === 0);
  await redis.kill();
  await server.close();
  rmSync(tmp, { recursive: true, force: true });

  const drifts = agents.map((a) => {
    const after = a.rss.filter((x) => x.t >= WARMUP_S);
    const start = median(after.slice(0, 5).map((x) => x.kb));
    const end = median(a.rss.slice(-5).map((x) => x.kb));
    return { start, end, drift: (end - start) / start };
  });
  const errorCount = [...errors.values()].reduce((x, y) => x + y, 0);
  const pass = errorCount === 0 && converged && cleanExit && drifts.every((d) => d.drift < 0.1);
  const perInterval = (p: Phase) => ((requestsIn.get(p) ?? 0) / ((phaseSeconds.get(p) ?? NaN) / POLL_S)).toFixed(2);

  const section = [
    '<!-- soak-fleet:start -->',
    '## Fleet soak (Redis killed and restarted)',
    '',
    'Written by `npm run soak:fleet` (bench/soak-fleet.ts); do not edit by hand. Loopback only: ' +
      `${AGENTS} built agents (\`node dist/app/main.js\`, cached mode, TTL 300 s, poll interval ${POLL_S} s) share one redis-server`,
    `and one HTTP source publishing a new revision every ${ROTATE_S} s. Redis is killed (SIGKILL) at ${OUTAGES.map((o) => `${(o.start * DURATION_S).toFixed(0)} s`).join(' and ')}`,
    `and restarted empty on the same port ${OUTAGES.map((o) => `${(o.length * DURATION_S).toFixed(0)} s`).join(' and ')} later. Every agent is read continuously (2 loops each) and`,
    'every answer is checked against the published generations.',
    '',
    `- Date: ${new Date().toISOString()}; Node ${process.version}; ${os.cpus().length} logical CPUs, shared with other work`,
    `- Duration: ${DURATION_S} s (SOAK_FLEET_SECONDS); warm-up excluded from the figures: ${WARMUP_S.toFixed(0)} s`,
    `- **Result: ${pass ? 'PASS' : 'FAIL'}**`,
    '',
    '| Metric | Value |',
    '|---|---:|',
    `| Reads / errors | ${reads} / **${errorCount}** |`,
    `| Revisions published | ${generation} |`,
    `| All agents on the newest revision after the run | ${converged ? 'yes' : 'no'} |`,
    `| Source requests per poll interval, whole fleet: steady (before the first kill) | ${perInterval('steady')} |`,
    `| Source requests per poll interval: Redis down | ${perInterval('redis down')} (every agent fetches for itself: at most ${AGENTS}) |`,
    `| Source requests per poll interval: after the restarts | ${perInterval('after restart')} |`,
    ...drifts.map((d, i) => `| Agent ${i + 1} RSS after warm-up → end (median of 5 samples) | ${mib(d.start)} → ${mib(d.end)} MiB (**${d.drift >= 0 ? '+' : ''}${(d.drift * 100).toFixed(1)} %**) |`),
    `| Agents exit on SIGTERM | ${cleanExit ? 'all code 0' : agents.map((a) => String(a.exit)).join(', ')} |`,
    ...(errors.size ? ['', 'Errors:', '', ...[...errors].map(([k, v]) => `- ${k}: ${v}`)] : []),
    '<!-- soak-fleet:end -->',
  ].join('\n');
  process.stdout.write(`\n${section}\n`);
  if (RESULTS !== '-') writeSection(RESULTS, section);
  return pass ? 0 : 1;
}

/** Replaces the fleet soak block in the results file, or appends it; the rest is untouched. */
function writeSection(file: string, section: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = current.indexOf('<!-- soak-fleet:start -->');
  const end = current.indexOf('<!-- soak-fleet:end -->');
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + section + current.slice(end + '<!-- soak-fleet:end -->'.length)
      : `${current}${current.endsWith('\n\n') ? '' : current.endsWith('\n') ? '\n' : '\n\n'}${section}\n`;
  writeFileSync(file, next);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`soak:fleet failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
