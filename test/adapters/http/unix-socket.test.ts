/**
 * Unix socket listening: final mode from the first moment the path exists, stale-socket
 * cleanup only for a dead socket, refusal for live sockets and non-sockets, removal at
 * close only if the path is still ours, and the Host rule for socket connections.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync, existsSync, lstatSync, renameSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHttpApp } from '../../../src/adapters/http/app';
import { StaticTokenAuthenticator } from '../../../src/adapters/http/authenticator';
import { startHttpServer, type RunningServer } from '../../../src/adapters/http/server';
import { clearStaleSocket, socketPathProblem } from '../../../src/adapters/http/unix-socket';
import { AUTH, FakeQuery, TOKEN } from './support';

let dir: string;
const servers: RunningServer[] = [];
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'clef-sock-'))));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close(100)));
  rmSync(dir, { recursive: true, force: true });
});

function app(port = 0) {
  const a = createHttpApp({ query: new FakeQuery(), authenticator: new StaticTokenAuthenticator(TOKEN), port });
  a.silent = true;
  return a;
}

async function listen(socketPath: string, mode?: number, port = 0): Promise<RunningServer> {
  const s = await startHttpServer(app(port), { path: socketPath, mode });
  servers.push(s);
  return s;
}

function overSocket(socketPath: string, urlPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // node sends `Host: localhost` by default for socketPath requests, as curl --unix-socket does.
    const req = request({ socketPath, path: urlPath, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A socket file left behind by a process killed without cleanup. */
async function staleSocket(socketPath: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.stdout.write('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  expect(lstatSync(socketPath).isSocket()).toBe(true);
}

it('serves the same API over the socket, created with the requested mode', async () => {
  const p = path.join(dir, 'agent.sock');
  await listen(p, 0o660);
  expect(lstatSync(p).mode & 0o777).toBe(0o660);
  expect(lstatSync(p).isSocket()).toBe(true);
  const res = await overSocket(p, '/v1/secrets/shared/LOG_LEVEL', { authorization: AUTH });
  expect(res).toEqual({ status: 200, body: '{"value":"debug"}' });
  expect((await overSocket(p, '/v1/secrets')).status).toBe(401);
  // No temporary bind directory is left next to the socket.
  expect(require('node:fs').readdirSync(dir)).toEqual(['agent.sock']);
});

it('checks Host on the socket too: localhost and the loopback names pass, others are 403', async () => {
  const p = path.join(dir, 'agent.sock');
  await listen(p, 0o600, 7779);
  for (const host of ['localhost', '127.0.0.1', 'LOCALHOST', 'localhost:7779']) {
    expect({ host, status: (await overSocket(p, '/v1/health', { host })).status }).toEqual({ host, status: 200 });
  }
  for (const host of ['evil.example', 'localhost:1', 'localhost.evil.example']) {
    const res = await overSocket(p, '/v1/health', { host });
    expect({ host, status: res.status }).toEqual({ host, status: 403 });
    expect(JSON.parse(res.body)).toMatchObject({ code: 'forbidden_host' });
  }
});

it('never lets the path appear with another mode (bound in a private directory, then renamed)', async () => {
  const p = path.join(dir, 'agent.sock');
  const seen: number[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      try {
        seen.push(lstatSync(p).mode & 0o777);
      } catch {
        /* not there yet */
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  const old = process.umask(0); // the worst case: bind() would create a 0777 socket
  try {
    await listen(p, 0o600);
  } finally {
    process.umask(old);
    watching = false;
    await watcher;
  }
  expect(lstatSync(p).mode & 0o777).toBe(0o600);
  expect(new Set(seen)).toEqual(new Set(seen.length ? [0o600] : []));
});

it('replaces a stale socket nobody listens on', async () => {
  const p = path.join(dir, 'agent.sock');
  await staleSocket(p);
  await listen(p);
  expect((await overSocket(p, '/v1/health')).status).toBe(200);
});

it('refuses a socket another process listens on, and leaves it alone', async () => {
  const p = path.join(dir, 'agent.sock');
  const other = createServer((c) => c.end());
  await new Promise<void>((r) => other.listen(p, r));
  try {
    await expect(startHttpServer(app(), { path: p })).rejects.toMatchObject({ code: 'socket_in_use' });
    expect(lstatSync(p).isSocket()).toBe(true);
    expect(require('node:fs').readdirSync(dir)).toEqual(['agent.sock']);
  } finally {
    await new Promise((r) => other.close(r));
  }
});

it('never unlinks a regular file, a directory or a symlink at the path', async () => {
  const file = path.join(dir, 'file.sock');
  writeFileSync(file, 'precious');
  await expect(startHttpServer(app(), { path: file })).rejects.toMatchObject({ code: 'socket_path_conflict' });
  expect(readFileSync(file, 'utf8')).toBe('precious');

  const link = path.join(dir, 'link.sock');
  const stale = path.join(dir, 'stale.sock');
  await staleSocket(stale);
  symlinkSync(stale, link); // even a link to a stale socket: lstat, never followed
  await expect(clearStaleSocket(link)).rejects.toMatchObject({ code: 'socket_path_conflict' });
  expect(lstatSync(link).isSymbolicLink()).toBe(true);
  expect(lstatSync(stale).isSocket()).toBe(true);

  await expect(startHttpServer(app(), { path: dir })).rejects.toMatchObject({ code: 'socket_path_conflict' });
});

it('removes the socket at close, but not a path that is no longer its socket', async () => {
  const p = path.join(dir, 'agent.sock');
  const first = await listen(p);
  await first.close(100);
  expect(existsSync(p)).toBe(false);

  const second = await listen(p);
  renameSync(p, path.join(dir, 'moved.sock'));
  writeFileSync(p, 'someone else'); // a successor's file at the same path
  await second.close(100);
  expect(readFileSync(p, 'utf8')).toBe('someone else');
});

it('validates paths: absolute, and short enough for sun_path', () => {
  expect(socketPathProblem('/run/clef/agent.sock')).toBeNull();
  expect(socketPathProblem('relative.sock')).toMatch(/absolute/);
  expect(socketPathProblem(`/${'d'.repeat(100)}/agent.sock`)).toMatch(/too long/);
});
