import { AgentError, type ErrorCode } from '../../../src/domain/errors';
import { AUTH, healthReport, rawExchange, send, startHarness, statusOf, jsonBodyOf, type Harness } from './support';

describe('routes', () => {
  let h: Harness;
  const get = (path: string, method = 'GET') => send(h.server.port, { path, method, headers: { authorization: AUTH } });

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.server.close(1000));
  beforeEach(() => {
    h.query.readCalls = 0;
    h.query.readImpl = async () => h.query.snapshot;
    h.query.ready = { ready: true };
  });

  describe('GET /v1/secrets and /v1/keys', () => {
    it('serves the prepared snapshot JSON byte for byte', async () => {
      const res = await get('/v1/secrets');
      expect(res.status).toBe(200);
      expect(res.body).toBe(h.query.snapshot.secretsJson);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(h.query.readCalls).toBe(1);
    });

    it('serves the flat key list', async () => {
      const res = await get('/v1/keys');
      expect(res.status).toBe(200);
      expect(res.body).toBe(h.query.snapshot.keysJson);
      expect(JSON.parse(res.body)).toContain('api__DB_URL');
    });

    it('ignores a query string', async () => {
      expect((await get('/v1/secrets?x=1')).body).toBe(h.query.snapshot.secretsJson);
    });
  });

  describe('single secrets', () => {
    it('GET /v1/secrets/:namespace/:key returns {"value"}', async () => {
      const res = await get('/v1/secrets/api/DB_URL');
      expect(res.status).toBe(200);
      expect(res.body).toBe('{"value":"postgres://db"}');
    });

    it('GET /v1/secrets/:key looks up the flat name', async () => {
      const res = await get('/v1/secrets/shared__LOG_LEVEL');
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ value: 'debug' });
    });

    it('decodes a key name once: %2F is part of the name, not a separator', async () => {
      expect(JSON.parse((await get('/v1/secrets/api/a%2Fb')).body)).toEqual({ value: 'slash-key' });
      expect(JSON.parse((await get('/v1/secrets/api__a%2Fb')).body)).toEqual({ value: 'slash-key' });
      expect((await get('/v1/secrets/api/a/b')).status).toBe(404);
      // %252F decodes once to the literal "%2F", which is not a key.
      expect((await get('/v1/secrets/api/a%252Fb')).status).toBe(404);
    });

    it('serves a value that looks like HTML as JSON', async () => {
      const res = await get('/v1/secrets/api/%3Cb%3E');
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(res.body)).toEqual({ value: '<html>' });
    });

    it.each([
      '/v1/secrets/api/__proto__',
      '/v1/secrets/api/constructor',
      '/v1/secrets/api/toString',
      '/v1/secrets/api/hasOwnProperty',
      '/v1/secrets/__proto__/DB_URL',
      '/v1/secrets/constructor/name',
      '/v1/secrets/__proto__',
      '/v1/secrets/constructor',
      '/v1/secrets/api__constructor',
      '/v1/secrets/api__MISSING',
      '/v1/secrets/nope/DB_URL',
    ])('%s is a JSON 404 not_found', async (path) => {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body)).toEqual({ error: expect.any(String), code: 'not_found' });
      expect(res.body).not.toMatch(/__proto__|constructor|DB_URL|MISSING|toString/);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('finds __proto__ and constructor when they really are keys', async () => {
      expect(JSON.parse((await get('/v1/secrets/weird/__proto__')).body)).toEqual({ value: 'proto-value' });
      expect(JSON.parse((await get('/v1/secrets/weird____proto__')).body)).toEqual({ value: 'proto-value' });
      expect(JSON.parse((await get('/v1/secrets/shared/constructor')).body)).toEqual({ value: 'really-present' });
      expect(JSON.parse((await get('/v1/secrets/shared__constructor')).body)).toEqual({ value: 'really-present' });
    });

    it('answers a malformed percent-escape with 400 bad_request', async () => {
      const res = await get('/v1/secrets/api/%E0%A4%A');
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'bad_request' });
    });
  });

  describe('strict paths', () => {
    it.each(['/v1/secrets/', '/v1/keys/', '/V1/secrets', '/v1/Secrets', '/v1/health/', '/v1/secrets/api/DB_URL/', '/v1/secrets//DB_URL', '/v1/secrets/a/b/c', '/', '/v1', '/v2/secrets'])(
      '%s is a JSON 404',
      async (path) => {
        const res = await get(path);
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(JSON.parse(res.body)).toMatchObject({ code: 'not_found' });
      },
    );

    it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('%s on a known path is a JSON 405 with Allow, before auth', async (method) => {
      for (const path of ['/v1/health', '/v1/ready', '/v1/secrets', '/v1/keys', '/v1/secrets/x', '/v1/secrets/api/DB_URL']) {
        const res = await send(h.server.port, { path, method });
        expect({ path, status: res.status }).toEqual({ path, status: 405 });
        expect(res.headers.allow).toBe('GET, HEAD');
        expect(JSON.parse(res.body)).toMatchObject({ code: 'method_not_allowed' });
      }
      expect(h.query.readCalls).toBe(0);
    });

    it('an unknown path with another method is a 404', async () => {
      expect((await send(h.server.port, { path: '/nope', method: 'POST' })).status).toBe(404);
    });

    it('HEAD behaves as GET without a body', async () => {
      const res = await send(h.server.port, { path: '/v1/secrets', method: 'HEAD', headers: { authorization: AUTH } });
      expect(res.status).toBe(200);
      expect(res.body).toBe('');
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(h.query.snapshot.secretsJson));
      expect((await send(h.server.port, { path: '/v1/secrets', method: 'HEAD' })).status).toBe(401);
    });

    it('an absolute-form request target is a 400', async () => {
      const raw = await rawExchange(
        h.server.port,
        `GET http://evil.com/v1/health HTTP/1.1\r\nHost: ${h.host}\r\nConnection: close\r\n\r\n`,
      );
      expect(statusOf(raw)).toBe(400);
      expect(jsonBodyOf(raw)).toMatchObject({ code: 'bad_request' });
    });
  });

  describe('health and ready', () => {
    it('health returns the report as JSON', async () => {
      h.query.report = healthReport({ status: 'degraded', revision: 'rev-9' });
      const res = await send(h.server.port, { path: '/v1/health' });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual(h.query.report);
    });

    it('ready is 200 {"ready":true} or 503 with the reason', async () => {
      expect(await send(h.server.port, { path: '/v1/ready' })).toMatchObject({ status: 200, body: '{"ready":true}' });
      h.query.ready = { ready: false, reason: 'cache_expired' };
      expect(await send(h.server.port, { path: '/v1/ready' })).toMatchObject({
        status: 503,
        body: '{"ready":false,"reason":"cache_expired"}',
      });
      expect(h.query.readCalls).toBe(0);
    });
  });

  describe('read() failures', () => {
    it.each<ErrorCode>(['not_loaded', 'cache_expired', 'expired', 'revoked', 'refresh_failed', 'decrypt', 'kms_access_denied', 'no_age_identity', 'stopped', 'source_timeout', 'integrity'])(
      '%s is a 503 carrying the code',
      async (code) => {
        h.query.readImpl = () => Promise.reject(new AgentError(code, `because ${code}`));
        for (const path of ['/v1/secrets', '/v1/keys', '/v1/secrets/api/DB_URL', '/v1/secrets/api__DB_URL']) {
          const res = await get(path);
          expect(res.status).toBe(503);
          expect(JSON.parse(res.body)).toEqual({ error: `because ${code}`, code });
        }
      },
    );

    it('an unexpected error is a generic 500, without its message or stack', async () => {
      h.query.readImpl = () => Promise.reject(new Error('boom at /secret/path'));
      const res = await get('/v1/secrets');
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body)).toEqual({ error: 'internal error', code: 'unknown' });
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    });
  });
});
