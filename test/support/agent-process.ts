/**
 * Runs the built `clef-agent` (dist/app/main.js) as a real child process and talks HTTP
 * to it, as a user would. jest's globalSetup builds dist/ first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request, type RequestOptions } from 'node:http';
import net from 'node:net';
import path from 'node:path';

export const AGENT_MAIN = path.resolve(__dirname, '../../dist/app/main.js');

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = unknown>(): T;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function httpGet(port: number, urlPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<HttpReply> {
  return sendRequest({ host: '127.0.0.1', port, path: urlPath, method, headers: { host: `127.0.0.1:${port}`, ...headers } });
}

/** One request, its whole body collected (TCP or, with `socketPath`, a unix socket). */
export function sendRequest(options: RequestOptions): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export class AgentProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly token: string,
  ) {
    child.stdout?.on('data', (c: Buffer) => (this.stdout += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (this.stderr += c.toString('utf8')));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  get output(): string {
    return this.stdout + this.stderr;
  }

  /** JSON log lines emitted so far. */
  logLines(): Array<Record<string, unknown>> {
    return this.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  get(urlPath: string, headers: Record<string, string> = {}): Promise<HttpReply> {
    return httpGet(this.port, urlPath, headers);
  }

  authGet(urlPath: string): Promise<HttpReply> {
    return httpGet(this.port, urlPath, { authorization: `Bearer ${this.token}` });
  }

  /** Polls until `predicate` holds for a GET of `urlPath` (no fixed sleeps). */
  async waitFor(urlPath: string, predicate: (r: HttpReply) => boolean, timeoutMs = 15_000, auth = false): Promise<HttpReply> {
    const deadline = Date.now() + timeoutMs;
    let last: HttpReply | undefined;
    for (;;) {
      try {
        last = auth ? await this.authGet(urlPath) : await this.get(urlPath);
        if (predicate(last)) return last;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting on ${urlPath}; last: ${last?.status} ${last?.body?.slice(0, 300)}\n${this.stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  waitReady(timeoutMs?: number): Promise<HttpReply> {
    return this.waitFor('/v1/ready', (r) => r.status === 200, timeoutMs);
  }

  /** Resolves once a log line matches. */
  async waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.logLines().find(predicate);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`timed out waiting for a log line\n${this.stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

export interface StartOptions {
  env: Record<string, string | undefined>;
  args?: string[];
  token?: string;
  port?: number;
  /** Wait for the listener (default true). */
  waitListening?: boolean;
  cwd?: string;
  /** Script node runs (default dist/app/main.js), e.g. a bundle's launcher. */
  entry?: string;
  /** node options before the script, e.g. `--snapshot-blob <blob>`. */
  nodeArgs?: string[];
  /** A program to run instead of node (e.g. the native start, bin/clef-agent); `entry` and `nodeArgs` are then ignored. */
  command?: string;
}

const running = new Set<AgentProcess>();

export async function startAgent(options: StartOptions): Promise<AgentProcess> {
  const port = options.port ?? (await freePort());
  const token = options.token ?? 'test-token-0123456789abcdef';
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', CLEF_AGENT_PORT: String(port), CLEF_AGENT_TOKEN: token, CLEF_AGENT_LOG_LEVEL: 'debug' };
  for (const [k, v] of Object.entries(options.env)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const argv = options.command ? [options.command, ...(options.args ?? [])] : [process.execPath, ...(options.nodeArgs ?? []), options.entry ?? AGENT_MAIN, ...(options.args ?? [])];
  const child = spawn(argv[0], argv.slice(1), { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const agent = new AgentProcess(child, port, token);
  running.add(agent);
  void agent.exited.then(() => running.delete(agent));
  if (options.waitListening !== false) await agent.waitFor('/v1/health', (r) => r.status === 200);
  return agent;
}

/** Kills every agent a test file started (use in afterAll/afterEach). */
export async function stopAllAgents(): Promise<void> {
  await Promise.all([...running].map((a) => a.stop('SIGKILL')));
}

/** Runs the agent to completion (config errors, --help) and collects its output. */
export async function runAgentToExit(env: Record<string, string | undefined>, args: string[] = [], start: Pick<StartOptions, 'entry' | 'nodeArgs' | 'command'> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const agent = await startAgent({ ...start, env, args, waitListening: false });
  const code = await agent.exited;
  return { code, stdout: agent.stdout, stderr: agent.stderr };
}
