import { AUTH, TOKEN, send, startHarness, type Harness } from './support';

describe('request telemetry and access log', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.server.close(1000));
  beforeEach(() => {
    h.telemetry.events.length = 0;
    h.accessLog.length = 0;
  });

  it('emits http.request with the route pattern, never the key names', async () => {
    await send(h.server.port, { path: '/v1/secrets/api/STRIPE_KEY', headers: { authorization: AUTH } });
    await send(h.server.port, { path: '/v1/secrets/api__STRIPE_KEY', headers: { authorization: AUTH } });
    expect(h.telemetry.events).toEqual([
      { type: 'http.request', route: '/v1/secrets/:namespace/:key', method: 'GET', status: 200, durationMs: expect.any(Number) },
      { type: 'http.request', route: '/v1/secrets/:key', method: 'GET', status: 200, durationMs: expect.any(Number) },
    ]);
    expect(JSON.stringify(h.telemetry.events)).not.toContain('STRIPE_KEY');
  });

  it('records the final status of rejected and unmatched requests', async () => {
    await send(h.server.port, { path: '/v1/secrets' });
    await send(h.server.port, { path: '/v1/health', host: 'evil.com' });
    await send(h.server.port, { path: '/v1/health', method: 'DELETE' });
    await send(h.server.port, { path: '/nope/SECRET_NAME' });
    expect(h.accessLog.map(({ route, status, method }) => ({ route, status, method }))).toEqual([
      { route: '/v1/secrets', status: 401, method: 'GET' },
      { route: 'unmatched', status: 403, method: 'GET' },
      { route: '/v1/health', status: 405, method: 'DELETE' },
      { route: 'unmatched', status: 404, method: 'GET' },
    ]);
  });

  it('never logs the Authorization header, token or raw path', async () => {
    await send(h.server.port, { path: '/v1/secrets/api/DB_URL', headers: { authorization: AUTH } });
    await send(h.server.port, { path: '/v1/secrets/api/DB_URL', headers: { authorization: 'Bearer wrong-guess' } });
    expect(h.accessLog).toHaveLength(2);
    for (const line of h.accessLog) {
      expect(Object.keys(line).sort()).toEqual(['durationMs', 'method', 'route', 'status']);
      const text = JSON.stringify(line);
      for (const leak of [TOKEN, 'wrong-guess', 'Bearer', 'DB_URL', 'authorization']) expect(text).not.toContain(leak);
    }
  });

  it('a throwing sink does not break the response', async () => {
    const broken = await startHarness({
      accessLog: () => {
        throw new Error('sink down');
      },
    });
    try {
      expect((await send(broken.server.port, { path: '/v1/health' })).status).toBe(200);
    } finally {
      await broken.server.close(1000);
    }
  });
});
