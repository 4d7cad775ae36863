import { createHttpApp } from '../../../src/adapters/http/app';
import { StaticTokenAuthenticator } from '../../../src/adapters/http/authenticator';
import { startHttpServer, type RunningServer } from '../../../src/adapters/http/server';
import { AUTH, FakeQuery, TOKEN, rawExchange, send, startHarness, statusOf, jsonBodyOf, type Harness } from './support';

const ROUTES = ['/v1/health', '/v1/ready', '/v1/secrets', '/v1/keys', '/v1/secrets/api/DB_URL', '/nope', '/v1/unknown'];

describe('Host allowlist (DNS-rebinding defence)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.server.close(1000));

  const rejected = (port: number) => ['evil.com', '127.0.0.1:1', `evil.com:${port}`, '[::1]', `[::1]:${port}`, '10.0.0.7', '127.0.0.2', 'localhost.evil.com', ''];

  it.each(ROUTES)('rejects foreign Hosts with 403 forbidden_host on %s, before auth and before read()', async (path) => {
    for (const host of rejected(h.server.port)) {
      const res = await send(h.server.port, { path, host, headers: { authorization: AUTH } });
      expect({ host, status: res.status }).toEqual({ host, status: 403 });
      expect(JSON.parse(res.body)).toMatchObject({ code: 'forbidden_host' });
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
    }
    expect(h.query.readCalls).toBe(0);
  });

  it.each(ROUTES)('rejects a request without Host with 403 on %s', async (path) => {
    const res = await send(h.server.port, { path, host: null, headers: { authorization: AUTH } });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'forbidden_host' });
  });

  it('rejects an HTTP/1.0 request without Host (raw socket)', async () => {
    const raw = await rawExchange(h.server.port, 'GET /v1/health HTTP/1.0\r\n\r\n');
    expect(statusOf(raw)).toBe(403);
    expect(jsonBodyOf(raw)).toMatchObject({ code: 'forbidden_host' });
  });

  it('accepts the four loopback forms, host name case-insensitively', async () => {
    const port = h.server.port;
    for (const host of ['127.0.0.1', `127.0.0.1:${port}`, 'localhost', `localhost:${port}`, 'LOCALHOST', `LocalHost:${port}`]) {
      const res = await send(port, { path: '/v1/health', host });
      expect({ host, status: res.status }).toEqual({ host, status: 200 });
    }
  });

  it('treats a duplicated Host header as a bad request', async () => {
    const raw = await rawExchange(
      h.server.port,
      `GET /v1/health HTTP/1.1\r\nHost: ${h.host}\r\nHost: evil.com\r\nConnection: close\r\n\r\n`,
    );
    expect(statusOf(raw)).toBe(400);
    expect(jsonBodyOf(raw)).toMatchObject({ code: 'bad_request' });
  });
});

describe('Host allowlist with a configured port', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const app = createHttpApp({ query: new FakeQuery(), authenticator: new StaticTokenAuthenticator(TOKEN), port: 7779 });
    server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  });
  afterAll(() => server.close(1000));

  it('accepts the configured port and no other', async () => {
    expect((await send(server.port, { path: '/v1/health', host: '127.0.0.1:7779' })).status).toBe(200);
    expect((await send(server.port, { path: '/v1/health', host: 'localhost:7779' })).status).toBe(200);
    expect((await send(server.port, { path: '/v1/health', host: `127.0.0.1:${server.port}` })).status).toBe(403);
    expect((await send(server.port, { path: '/v1/health', host: '127.0.0.1:77790' })).status).toBe(403);
  });
});
