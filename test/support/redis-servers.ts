/**
 * Production-shaped Redis for the fleet tests, from Debian's packages (.ci/redis.sh):
 * a TLS server with an ACL user and a throwaway CA made with the openssl CLI, and a
 * primary/replica pair watched by three redis-sentinel processes. Everything listens on
 * free 127.0.0.1 ports in a private temp directory and is killed by `stop()`.
 * Readiness is the server's own "ready" log line, never a sleep.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './agent-process';

export class RedisProcess {
  output = '';
  readonly exited: Promise<void>;

  constructor(readonly child: ChildProcess, readonly port: number) {
    child.stdout?.on('data', (c: Buffer) => (this.output += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (this.output += c.toString('utf8')));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once the output matches (polled), rejects if the process dies first. */
  async waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (!this.running) throw new Error(`redis process on ${this.port} exited:\n${this.output.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`redis process on ${this.port}: no ${pattern} within ${timeoutMs} ms:\n${this.output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.running) this.child.kill(signal);
    await this.exited;
  }
}

function launch(binary: string, args: string[], port: number): RedisProcess {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.once('error', () => undefined); // surfaces as an early exit in waitForOutput
  return new RedisProcess(child, port);
}

/**
 * Launches on a free port, and again on another one when that port was taken between
 * probing and binding (test files run in parallel and all probe for free ports).
 */
async function launchOnFreePort(binary: string, args: (port: number) => string[], ready: RegExp): Promise<RedisProcess> {
  for (let attempt = 0; ; attempt += 1) {
    const port = await freePort();
    const proc = launch(binary, args(port), port);
    try {
      await proc.waitForOutput(ready);
      return proc;
    } catch (error) {
      await proc.kill();
      if (attempt >= 4 || !/Address already in use/.test(proc.output)) throw error;
    }
  }
}

const READY = /Ready to accept connections/;
const BASE = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'];

// ---------------------------------------------------------------------------------------
// TLS and ACL

export interface TlsFiles {
  dir: string;
  caCert: string;
  /** A CA that signed nothing the server uses ("wrong CA"). */
  otherCaCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A throwaway CA, a server certificate for IP 127.0.0.1 only (so `localhost` fails hostname checks) and a client certificate. */
export function makeTlsFiles(): TlsFiles {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clef-redis-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=clef test CA');
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-days', '2', '-subj', '/CN=some other CA');
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, cn] of [['server', 'redis test server'], ['client', 'clef-agent']] as const) {
    openssl(dir, 'req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  }
  const at = (f: string) => path.join(dir, f);
  return { dir, caCert: at('ca.crt'), otherCaCert: at('other-ca.crt'), serverCert: at('server.crt'), serverKey: at('server.key'), clientCert: at('client.crt'), clientKey: at('client.key') };
}

export interface TlsRedis {
  port: number;
  files: TlsFiles;
  process: RedisProcess;
  stop(): Promise<void>;
}

/**
 * redis-server on TLS only (no plaintext port), requiring a client certificate from the
 * test CA, the `default` user disabled and one ACL user limited to the agent's keys.
 */
export async function startTlsRedis(user: { name: string; password: string }): Promise<TlsRedis> {
  const files = makeTlsFiles();
  // ACL rules go in a config file: on the command line a rule is one quoted argument.
  const conf = path.join(files.dir, 'redis.conf');
  const config = (port: number): string[] => {
    writeFileSync(
      conf,
      [
        'bind 127.0.0.1',
        'save ""',
        'appendonly no',
        'port 0',
        `tls-port ${port}`,
        `tls-cert-file ${files.serverCert}`,
        `tls-key-file ${files.serverKey}`,
        `tls-ca-cert-file ${files.caCert}`,
        'tls-auth-clients yes',
        'user default off',
        // Exactly the commands README "Running a fleet" tells operators to grant.
        `user ${user.name} on >${user.password} ~clef-agent:* +get +set +del +unlink +eval +role`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    return [conf];
  };
  const proc = await launchOnFreePort('redis-server', config, READY);
  return {
    port: proc.port,
    files,
    process: proc,
    async stop() {
      await proc.kill();
      rmSync(files.dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------
// Sentinel

export interface SentinelGroup {
  masterName: string;
  /** redis+sentinel:// URL naming all three Sentinels. */
  url: string;
  servers: RedisProcess[];
  sentinels: RedisProcess[];
  /** The server the Sentinels currently call primary (asks them). */
  primaryPort(): Promise<number>;
  stop(): Promise<void>;
}

async function sentinelCommand(port: number, password: string | undefined, ...args: string[]): Promise<string> {
  const env = { ...process.env, ...(password === undefined ? {} : { REDISCLI_AUTH: password }) };
  return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', env }).trim();
}

/**
 * A primary, one replica and three Sentinels (quorum 2) with a 1 s down-after, so a killed
 * primary is replaced within seconds. The replica is started with `--replicaof` and the
 * test waits until it has synced before returning.
 */
/** Optional passwords: `data` on both servers (requirepass/masterauth), `sentinel` on the Sentinels themselves. */
export interface SentinelAuth {
  data?: string;
  sentinel?: string;
}

function sentinelConfig(dir: string, port: number, masterName: string, primaryPort: number, auth: SentinelAuth): string {
  const conf = path.join(dir, `sentinel-${port}.conf`);
  const lines = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `sentinel monitor ${masterName} 127.0.0.1 ${primaryPort} 2`,
    `sentinel down-after-milliseconds ${masterName} 1000`,
    `sentinel failover-timeout ${masterName} 10000`,
    `sentinel parallel-syncs ${masterName} 1`,
    ...(auth.data === undefined ? [] : [`sentinel auth-pass ${masterName} ${auth.data}`]),
    ...(auth.sentinel === undefined ? [] : [`requirepass ${auth.sentinel}`]),
  ];
  writeFileSync(conf, `${lines.join('\n')}\n`); // Sentinel rewrites its config file: it must be writable
  return conf;
}

export async function startSentinelGroup(masterName = 'clefmaster', auth: SentinelAuth = {}): Promise<SentinelGroup> {
  const dataAuth = auth.data === undefined ? [] : ['--requirepass', auth.data, '--masterauth', auth.data];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clef-redis-sentinel-'));
  const started: RedisProcess[] = [];
  // Each server gets its own directory: a replica's full sync writes an RDB file there.
  const startServer = async (extra: string[], ready: RegExp) => {
    const proc = await launchOnFreePort('redis-server', (port) => [...BASE, '--port', String(port), '--dir', mkdtempSync(path.join(dir, 'server-')), ...dataAuth, ...extra], ready);
    started.push(proc);
    return proc;
  };
  let primary: RedisProcess;
  let replica: RedisProcess;
  const sentinels: RedisProcess[] = [];
  try {
    primary = await startServer([], READY);
    replica = await startServer(['--replicaof', '127.0.0.1', String(primary.port)], /MASTER <-> REPLICA sync: Finished with success/);
    for (let i = 0; i < 3; i += 1) {
      // +monitor is logged right after the listener is up.
      const sentinel = await launchOnFreePort('redis-sentinel', (port) => [sentinelConfig(dir, port, masterName, primary.port, auth)], /\+monitor master/);
      started.push(sentinel);
      sentinels.push(sentinel);
    }
    // Each Sentinel must know the two others (quorum, leader election) and the replica.
    for (const s of sentinels) await s.waitForOutput(/\+sentinel sentinel[\s\S]*\+sentinel sentinel/);
    for (const s of sentinels) await s.waitForOutput(/\+slave slave/);
  } catch (error) {
    await Promise.all(started.map((p) => p.kill()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const group: SentinelGroup = {
    masterName,
    url: `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${masterName}`,
    servers: [primary, replica],
    sentinels,
    async primaryPort() {
      for (const s of sentinels) {
        if (!s.running) continue;
        const reply = await sentinelCommand(s.port, auth.sentinel, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName);
        return Number(reply.split('\n')[1]);
      }
      throw new Error('no Sentinel running');
    },
    async stop() {
      await Promise.all(started.map((p) => p.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return group;
}
