/**
 * A private redis-server per test file: loopback only, no persistence, on a free
 * port. `stop()`/`start()` let tests take Redis away and bring it back on the same
 * port (clients reconnect to the same URL). Requires `redis-server` (.ci/redis.sh).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, createConnection } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export interface RedisTestServer {
  readonly port: number;
  readonly url: string;
  /** Kills the server and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
  /** Starts it again on the same port and waits until it answers PING. */
  start(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** One PING over a raw socket; true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

function spawnServer(port: number): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  return new Promise((resolve, reject) => {
    let exited = false;
    child.once('error', (error: NodeJS.ErrnoException) => {
      exited = true;
      reject(
        error.code === 'ENOENT'
          ? new Error('redis-server not found: run .ci/redis.sh to install it (the Redis cache tests need it)')
          : error,
      );
    });
    child.once('exit', (code) => {
      exited = true;
      reject(new Error(`redis-server exited early (code ${code}):\n${output.slice(-2000)}`));
    });
    // Poll PING until it answers (or the process dies); the deadline is only a safety net.
    void (async () => {
      const deadline = Date.now() + 10_000;
      while (!exited && Date.now() < deadline) {
        if (await ping(port)) return resolve(child);
        await delay(20);
      }
      if (!exited) {
        child.kill('SIGKILL');
        reject(new Error('redis-server did not answer PING within 10 s'));
      }
    })();
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

export async function startRedis(): Promise<RedisTestServer> {
  let port = 0;
  let child: ChildProcess | undefined;
  // A free port can be taken between probing and binding; retry a few times.
  for (let attempt = 0; child === undefined; attempt += 1) {
    port = await freePort();
    try {
      child = await spawnServer(port);
    } catch (error) {
      if (attempt >= 2 || String(error).includes('not found')) throw error;
    }
  }
  const server: RedisTestServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child) await kill(child);
      child = undefined;
    },
    async start() {
      if (child === undefined) child = await spawnServer(port);
    },
  };
  return server;
}
