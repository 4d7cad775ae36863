/**
 * The per-listener connection bound (issue 15): beyond `max` open connections a request is
 * answered 503 `too_many_connections` at once and its connection closed; probes are still
 * served on the reserve; beyond `max + reserve` the 503 is written without reading; held
 * connections keep working (no stall); over-limit idle connections are dropped quickly.
 */
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { startHttpServer, type RunningServer } from '../../../src/adapters/http/server';

const MAX = 4;
const RESERVE = 2;

function app(): Koa {
  const a = new Koa();
  a.use((ctx) => {
    ctx.body = { path: ctx.path };
  });
  return a;
}

const isProbe = (req: { url?: string }) => req.url === '/v1/health';

interface Reply {
  status: number;
  headers: string;
  body: string;
}

type Target = { port: number } | { path: string };

function connect(target: Target): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = 'port' in target ? net.connect(target.port, '127.0.0.1') : net.connect(target.path);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Reads one complete response (Content-Length framed) from the socket. */
function readReply(socket: net.Socket): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let data = '';
    const onData = (chunk: Buffer) => {
      data += chunk.toString('utf8');
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = data.slice(0, end);
      const length = Number(/content-length: (\d+)/i.exec(headers)?.[1] ?? 0);
      if (data.length - end - 4 < length) return;
      socket.off('data', onData);
      resolve({ status: Number(headers.split(' ')[1]), headers: headers.toLowerCase(), body: data.slice(end + 4, end + 4 + length) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

function request(socket: net.Socket, urlPath: string): Promise<Reply> {
  const reply = readReply(socket);
  socket.write(`GET ${urlPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  return reply;
}

const closed = (socket: net.Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

describe.each([
  ['TCP', false],
  ['unix socket', true],
])('connection bound on %s', (_name, unix) => {
  let server: RunningServer;
  let target: Target;
  let dir: string;
  const sockets: net.Socket[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'clef-connlimit-'));
    const connectionLimit = { max: MAX, reserve: RESERVE, isPriority: isProbe, overflowHeadTimeoutMs: 60_000 };
    server = unix
      ? await startHttpServer(app(), { path: path.join(dir, 'agent.sock'), connectionLimit })
      : await startHttpServer(app(), { host: '127.0.0.1', port: 0, connectionLimit });
    target = unix ? { path: server.address } : { port: server.port };
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await server.close(100);
    rmSync(dir, { recursive: true, force: true });
  });

  /** `n` connections that each completed a request and are kept open. */
  async function hold(n: number): Promise<net.Socket[]> {
    const held: net.Socket[] = [];
    for (let i = 0; i < n; i++) {
      const s = await connect(target);
      sockets.push(s);
      expect((await request(s, '/v1/secrets')).status).toBe(200);
      held.push(s);
    }
    return held;
  }

  it('answers 503 too_many_connections at once beyond the bound, still serves probes and the held connections', async () => {
    const held = await hold(MAX);

    const extra = await connect(target);
    sockets.push(extra);
    const rejected = await request(extra, '/v1/secrets');
    expect(rejected.status).toBe(503);
    expect(JSON.parse(rejected.body)).toMatchObject({ code: 'too_many_connections' });
    expect(rejected.headers).toContain('connection: close');
    expect(rejected.headers).toContain('retry-after: 1');
    await closed(extra);

    const probe = await connect(target);
    sockets.push(probe);
    const health = await request(probe, '/v1/health');
    expect([health.status, JSON.parse(health.body)]).toEqual([200, { path: '/v1/health' }]);
    expect(health.headers).toContain('connection: close'); // a probe does not keep a reserve slot
    await closed(probe);

    // The held connections are not stalled by the pressure.
    for (const s of held) expect((await request(s, '/v1/secrets')).status).toBe(200);

    // Once connections close, new ones are served again.
    for (const s of held) {
      s.destroy();
      await closed(s);
    }
    // The server may see the closes a moment after the client does: poll (bounded).
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
      const later = await connect(target);
      sockets.push(later);
      status = (await request(later, '/v1/secrets')).status;
      if (status !== 200) await closed(later);
    }
    expect(status).toBe(200);
  });

  it('beyond the probe reserve writes the 503 without reading the request', async () => {
    await hold(MAX);
    for (let i = 0; i < RESERVE; i++) sockets.push(await connect(target)); // idle, in the reserve
    const overflow = await connect(target);
    sockets.push(overflow);
    const reply = await readReply(overflow); // nothing was sent
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.body)).toMatchObject({ code: 'too_many_connections' });
    await closed(overflow);
  });
});

it('drops an over-limit connection that sends no request, so idle clients cannot hold the probe reserve', async () => {
  const server = await startHttpServer(app(), { host: '127.0.0.1', port: 0, connectionLimit: { max: 1, reserve: 1, overflowHeadTimeoutMs: 50 } });
  const first = await connect({ port: server.port });
  expect((await request(first, '/x')).status).toBe(200);
  const idle = await connect({ port: server.port });
  await closed(idle); // closed by the server: no request head arrived in time
  first.destroy();
  await server.close(100);
});
