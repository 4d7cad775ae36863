/**
 * One autocannon run (programmatic, in this process) against a loopback port, with the
 * server process's CPU time over the run. Latency percentiles are computed here from
 * every response's own time (autocannon's histogram has 1 ms resolution, too coarse
 * for loopback at 1 connection).
 */
import autocannon from 'autocannon';
import { cpuMs } from './proc';

export interface LoadOptions {
  port: number;
  path: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  /** Server process whose CPU time is sampled around the run. */
  serverPid?: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Server CPU (user+sys) per request, µs. */
  cpuUsPerReq: number | null;
  /** Server CPU while loaded, % of one core. */
  cpuPct: number | null;
  bytesPerSec: number;
}

class Samples {
  private data = new Float64Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const samples = new Samples();
  let sum = 0;
  const cpu0 = options.serverPid ? cpuMs(options.serverPid) : 0;
  const instance = autocannon({
    url: `http://127.0.0.1:${options.port}${options.path}`,
    connections: options.connections,
    duration: options.seconds,
    pipelining: 1,
    headers: { host: `127.0.0.1:${options.port}`, ...options.headers },
    timeout: 10,
  }) as unknown as autocannon.Instance & Promise<autocannon.Result>;
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) {
      samples.push(responseTime);
      sum += responseTime;
    }
  });
  const result = await instance;
  const cpu1 = options.serverPid ? cpuMs(options.serverPid) : 0;
  const sorted = samples.sorted();
  const requests = result.requests.total;
  const duration = result.duration || options.seconds;
  const cpu = cpu1 - cpu0;
  return {
    rps: requests / duration,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    mean: samples.length ? sum / samples.length : NaN,
    requests,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuUsPerReq: options.serverPid && requests ? (cpu * 1000) / requests : null,
    cpuPct: options.serverPid ? (cpu / (duration * 1000)) * 100 : null,
    bytesPerSec: result.throughput.average,
  };
}

export function median(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export interface Summary {
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerReq: number;
  rounds: LoadResult[];
  failures: number;
}

export function summarise(rounds: LoadResult[]): Summary {
  return {
    rps: median(rounds.map((r) => r.rps)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    cpuUsPerReq: median(rounds.map((r) => r.cpuUsPerReq ?? NaN)),
    rounds,
    failures: rounds.reduce((n, r) => n + r.non2xx + r.errors, 0),
  };
}

export interface Target {
  label: string;
  port: number;
  pid: number;
  headers?: Record<string, string>;
}

/**
 * Several servers (agent, baseline, ...), same path, same connections: one warm-up each,
 * then `rounds` measured runs, the order rotating each round so slow drift of the machine
 * hits all of them alike. Returns one summary per target, in order.
 */
export async function roundRobin(
  targets: readonly Target[],
  path: string,
  connections: number,
  seconds: number,
  rounds: number,
  warmupSeconds: number,
): Promise<Summary[]> {
  const results: LoadResult[][] = targets.map(() => []);
  for (const t of targets) {
    if (warmupSeconds > 0) await runLoad({ port: t.port, path, connections, seconds: warmupSeconds, headers: t.headers });
  }
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < targets.length; k++) {
      const i = (k + r) % targets.length;
      const t = targets[i];
      results[i].push(await runLoad({ port: t.port, path, connections, seconds, headers: t.headers, serverPid: t.pid }));
    }
  }
  return results.map(summarise);
}
