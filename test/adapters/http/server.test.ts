import { Agent } from 'node:http';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { createHttpApp } from '../../../src/adapters/http/app';
import { StaticTokenAuthenticator } from '../../../src/adapters/http/authenticator';
import { startHttpServer } from '../../../src/adapters/http/server';
import type { SecretsSnapshot } from '../../../src/domain/snapshot';
import { AUTH, FakeQuery, TOKEN, deferred, send, startHarness } from './support';

describe('startHttpServer', () => {
  it('binds exactly the host given', async () => {
    const h = await startHarness();
    try {
      expect(h.server.address).toBe('127.0.0.1');
      expect(h.server.port).toBeGreaterThan(0);
    } finally {
      await h.server.close(1000);
    }
  });

  it('refuses to start without an explicit host', async () => {
    const app = createHttpApp({ query: new FakeQuery(), authenticator: new StaticTokenAuthenticator(TOKEN), port: 0 });
    await expect(startHttpServer(app, { host: '', port: 0 })).rejects.toThrow(TypeError);
  });

  it('rejects when the port is taken', async () => {
    const h = await startHarness();
    try {
      const app = createHttpApp({ query: new FakeQuery(), authenticator: new StaticTokenAuthenticator(TOKEN), port: 0 });
      await expect(startHttpServer(app, { host: '127.0.0.1', port: h.server.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await h.server.close(1000);
    }
  });

  it('close() lets an in-flight request finish, then resolves; new connections are refused', async () => {
    const h = await startHarness();
    const readStarted = deferred();
    const release = deferred();
    h.query.readImpl = async (): Promise<SecretsSnapshot> => {
      readStarted.resolve();
      await release.promise;
      return h.query.snapshot;
    };
    // A keep-alive client: the response must tell it not to reuse the connection.
    const agent = new Agent({ keepAlive: true });
    const inFlight = send(h.server.port, { path: '/v1/secrets', headers: { authorization: AUTH }, agent });
    await readStarted.promise;

    let closed = false;
    const closing = h.server.close(30_000).then(() => (closed = true));
    await expect(send(h.server.port, { path: '/v1/health' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(closed).toBe(false);

    release.resolve();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body).toBe(h.query.snapshot.secretsJson);
    expect(res.headers.connection).toBe('close');
    await closing;
    expect(closed).toBe(true);
    agent.destroy();
  });

  it('close() drops idle keep-alive connections instead of waiting for the grace period', async () => {
    const h = await startHarness();
    const agent = new Agent({ keepAlive: true });
    try {
      const res = await send(h.server.port, { path: '/v1/health', agent });
      expect(res.status).toBe(200);
      // The jest timeout (30 s) is far below the grace period: only an idle close passes.
      await h.server.close(10 * 60_000);
    } finally {
      agent.destroy();
    }
  });

  it('close() force-closes a request still running after graceMs', async () => {
    const h = await startHarness();
    const readStarted = deferred();
    h.query.readImpl = async () => {
      readStarted.resolve();
      return new Promise<SecretsSnapshot>(() => {});
    };
    const inFlight = send(h.server.port, { path: '/v1/secrets', headers: { authorization: AUTH } });
    await readStarted.promise;
    await h.server.close(1);
    await expect(inFlight).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('close() is idempotent', async () => {
    const h = await startHarness();
    const first = h.server.close(1000);
    expect(h.server.close(1000)).toBe(first);
    await first;
  });

  it('close() also ends a connection stuck in the middle of a request head', async () => {
    const h = await startHarness();
    const socket = connect(h.server.port, '127.0.0.1');
    socket.on('error', () => {}); // a reset is an acceptable way to be closed
    const socketClosed = new Promise((resolve) => socket.on('close', resolve));
    await once(socket, 'connect');
    socket.write(`GET /v1/health HTTP/1.1\r\nHost: ${h.host}\r\n`);
    await h.server.close(1);
    await socketClosed;
  });

  it('listens on a unix socket with mode 0600', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clef-agent-http-'));
    const path = join(dir, 'agent.sock');
    const app = createHttpApp({ query: new FakeQuery(), authenticator: new StaticTokenAuthenticator(TOKEN), port: 0 });
    const server = await startHttpServer(app, { path });
    try {
      expect(server.address).toBe(path);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ socketPath: path, path: '/v1/health', headers: { host: 'localhost' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
    } finally {
      await server.close(1000);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
