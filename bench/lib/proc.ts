/**
 * Child processes under test (the agent, the bare node:http baseline) and what Linux
 * says about them: VmRSS/VmHWM from /proc/<pid>/status, CPU from /proc/<pid>/stat.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Header names as sent (case preserved), name/value alternating. */
  rawHeaders: string[];
  body: Buffer;
}

export function httpGet(port: number, path: string, headers: Record<string, string> = {}, timeoutMs = 5_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', agent: false, headers: { host: `127.0.0.1:${port}`, ...headers }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export { sleep };

function procStatus(pid: number): string {
  return readFileSync(`/proc/${pid}/status`, 'utf8');
}

function statusKb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(procStatus(pid));
  if (!m) throw new Error(`no ${field} for pid ${pid}`);
  return Number(m[1]);
}

/** Resident set size in MB (10^6 bytes, the unit of issue 8's targets). */
export const rssMb = (pid: number): number => (statusKb(pid, 'VmRSS') * 1024) / 1e6;
/** Peak resident set size, MB. */
export const hwmMb = (pid: number): number => (statusKb(pid, 'VmHWM') * 1024) / 1e6;

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of the process so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: count fields after its closing ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / ticksPerSecond();
}

export interface Managed {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  /** Last ~8 KB of stderr, for error reports. */
  stderrTail(): string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  script: string;
  args?: string[];
  nodeArgs?: string[];
  env: Record<string, string>;
  port: number;
}

export function spawnNode(options: SpawnOptions): Managed {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script, ...(options.args ?? [])], {
    env: options.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  child.stderr?.on('data', (c: Buffer) => {
    tail = (tail + c.toString('utf8')).slice(-8192);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.pid === undefined) throw new Error(`could not spawn ${options.name}`);
  return {
    name: options.name,
    child,
    pid: child.pid,
    port: options.port,
    stderrTail: () => tail,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}

/** Polls GET `path` every `intervalMs` until it answers `status`; returns ms since `since`. */
export async function waitForStatus(
  proc: Managed,
  path: string,
  status: number,
  options: { since?: number; timeoutMs?: number; intervalMs?: number; headers?: Record<string, string> } = {},
): Promise<number> {
  const since = options.since ?? performance.now();
  const deadline = since + (options.timeoutMs ?? 15_000);
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited (${proc.child.exitCode}): ${proc.stderrTail().slice(-1500)}`);
    try {
      const r = await httpGet(proc.port, path, options.headers, 2_000);
      if (r.status === status) return performance.now() - since;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${proc.name}: no ${status} from ${path}: ${proc.stderrTail().slice(-1500)}`);
    await sleep(options.intervalMs ?? 20);
  }
}
