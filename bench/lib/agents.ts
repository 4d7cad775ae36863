/** Starting the agent under test and its bare node:http twin. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { AGE_KEY_FILE, AGENT_DIST, BASELINE_SERVER, CHECKED_FLOOR_SERVER, KOA_FLOOR_SERVER, OUT_DIR, TOKEN } from './config';
import { freePort, httpGet, spawnNode, waitForStatus, type Managed } from './proc';

export const AUTH = { authorization: `Bearer ${TOKEN}` };

/** A HOME with no ~/.aws or other developer state in it. */
const HOME = mkdtempSync(path.join(os.tmpdir(), 'clef-bench-home-'));

export interface AgentOptions {
  name: string;
  /** File path or http URL (CLEF_AGENT_SOURCE). */
  source: string;
  /** Entry point: dist/app/main.js (default) or the esbuild bundle. */
  entry?: string;
  jit?: boolean;
  /** No age key (envelope-only artifacts). */
  noAgeKey?: boolean;
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** Wait for GET /v1/ready → 200 (default true). */
  waitReady?: boolean;
}

export function agentEnv(port: number, options: AgentOptions): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME,
    CLEF_AGENT_SOURCE: options.source,
    ...(options.noAgeKey ? {} : { CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE }),
    CLEF_AGENT_TOKEN: TOKEN,
    CLEF_AGENT_PORT: String(port),
    // warn: the default "info" lines are few, but stderr is a pipe to this process.
    CLEF_AGENT_LOG_LEVEL: 'warn',
    ...(options.jit ? { CLEF_AGENT_CACHE_TTL: '0' } : {}),
    ...options.env,
  };
}

export async function startAgent(options: AgentOptions): Promise<Managed> {
  const port = await freePort();
  const proc = spawnNode({
    name: options.name,
    script: options.entry ?? AGENT_DIST,
    nodeArgs: options.nodeArgs,
    env: agentEnv(port, options),
    port,
  });
  if (options.waitReady !== false) {
    try {
      await waitForStatus(proc, '/v1/ready', 200, { intervalMs: 10, timeoutMs: 30_000 });
    } catch (e) {
      await proc.stop();
      throw e;
    }
  }
  return proc;
}

export interface Route {
  path: string;
  status: number;
  headers: Record<string, string>;
  /** base64 */
  body: string;
}

/** Headers Node's http server writes itself; everything else is copied verbatim. */
const NODE_OWN = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/** Captures what the agent answers on each path (authenticated), to be replayed by the baseline. */
export async function captureRoutes(agent: Managed, paths: readonly string[]): Promise<Route[]> {
  const routes: Route[] = [];
  for (const p of paths) {
    const r = await httpGet(agent.port, p, AUTH);
    if (r.status !== 200) throw new Error(`${agent.name}: GET ${p} → ${r.status} ${r.body.toString('utf8').slice(0, 200)}`);
    const headers: Record<string, string> = {};
    for (let i = 0; i < r.rawHeaders.length; i += 2) {
      if (!NODE_OWN.has(r.rawHeaders[i].toLowerCase())) headers[r.rawHeaders[i]] = r.rawHeaders[i + 1];
    }
    routes.push({ path: p, status: r.status, headers, body: r.body.toString('base64') });
  }
  return routes;
}

/** The bare node:http baseline, (`koa`) the Koa floor, or (`checked`) node:http with the agent's checks, replaying `routes`. */
export async function startBaseline(name: string, routes: readonly Route[], waitPath = routes[0]?.path ?? '/', kind: 'node' | 'koa' | 'checked' = 'node'): Promise<Managed> {
  const port = await freePort();
  const file = path.join(OUT_DIR, `baseline-${name}.json`);
  writeFileSync(file, JSON.stringify(routes));
  const script = { koa: KOA_FLOOR_SERVER, checked: CHECKED_FLOOR_SERVER, node: BASELINE_SERVER }[kind];
  const proc = spawnNode({ name: `${kind === 'node' ? 'baseline' : `${kind}-floor`}-${name}`, script, args: [file, String(port)], env: { PATH: process.env.PATH ?? '', BENCH_TOKEN: TOKEN }, port });
  await waitForStatus(proc, waitPath, 200, { intervalMs: 10, ...(kind === 'checked' ? { headers: { authorization: `Bearer ${TOKEN}` } } : {}) });
  return proc;
}

/** Process spawn → first 200 from `path`, polled every 2 ms (ms). */
export async function timeToStatus(start: () => Managed, path: string, status = 200): Promise<number> {
  const t0 = performance.now();
  const proc = start();
  try {
    return await waitForStatus(proc, path, status, { since: t0, intervalMs: 2, timeoutMs: 30_000 });
  } finally {
    await proc.stop();
  }
}
