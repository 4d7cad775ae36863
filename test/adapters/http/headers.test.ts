import { AgentError } from '../../../src/domain/errors';
import { AUTH, rawExchange, send, startHarness, statusOf, jsonBodyOf, type Harness } from './support';

const PATHS = ['/v1/health', '/v1/ready', '/v1/secrets', '/v1/keys', '/v1/secrets/api/DB_URL', '/v1/secrets/api__DB_URL', '/v1/secrets/x/y', '/nope'];
/** Issue 10: secrets routes carry a revision-derived ETag (never a body hash, see
 * change-notification.test.ts); everything else, errors included, carries none. */
const TAGGED = new Set(['/v1/secrets', '/v1/keys', '/v1/secrets/api/DB_URL', '/v1/secrets/api__DB_URL']);

function expectHardened(path: string, headers: Record<string, unknown>): void {
  const names = Object.keys(headers);
  const etag = TAGGED.has(path) ? expect.stringMatching(/^"r-[0-9a-f]{32}"$/) : undefined;
  expect({ path, etag: headers.etag, poweredBy: headers['x-powered-by'] }).toEqual({ path, etag, poweredBy: undefined });
  expect(names.filter((n) => n.startsWith('access-control-'))).toEqual([]);
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['cache-control']).toBe('no-store');
  expect(headers['content-type']).toBe('application/json; charset=utf-8');
}

describe('response headers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.server.close(1000));

  it.each(PATHS)('%s: JSON, nosniff, no-store, no body-derived ETag, no X-Powered-By / CORS', async (path) => {
    const res = await send(h.server.port, {
      path,
      headers: { authorization: AUTH, origin: 'https://evil.example', 'if-none-match': '"not-the-current-tag"' },
    });
    expect(res.status).not.toBe(304);
    expectHardened(path, res.headers);
  });

  it('keeps the same headers on errors (401, 403, 503)', async () => {
    expectHardened('401', (await send(h.server.port, { path: '/v1/secrets' })).headers);
    expectHardened('403', (await send(h.server.port, { path: '/v1/secrets', host: 'evil.com' })).headers);
    h.query.readImpl = () => Promise.reject(new AgentError('revoked', 'revoked'));
    expectHardened('503', (await send(h.server.port, { path: '/v1/keys', headers: { authorization: AUTH } })).headers);
    h.query.readImpl = async () => h.query.snapshot;
  });

  it('answers an unparsable request with JSON 400, not Node’s bare response', async () => {
    const raw = await rawExchange(h.server.port, 'GARBAGE\r\n\r\n');
    expect(statusOf(raw)).toBe(400);
    expect(raw).toMatch(/\r\ncontent-type: application\/json; charset=utf-8\r\n/i);
    expect(jsonBodyOf(raw)).toMatchObject({ code: 'bad_request' });
  });

  it('answers an oversized header block with JSON 431', async () => {
    const big = 'x'.repeat(20 * 1024);
    const raw = await rawExchange(h.server.port, `GET /v1/health HTTP/1.1\r\nHost: ${h.host}\r\nX-Big: ${big}\r\n\r\n`);
    expect(statusOf(raw)).toBe(431);
    expect(jsonBodyOf(raw)).toMatchObject({ code: 'bad_request' });
  });
});

describe('proxied requests', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.server.close(1000));

  it.each([
    ['x-forwarded-for', '203.0.113.9'],
    ['forwarded', 'for=203.0.113.9'],
    ['X-Forwarded-For', ''],
  ])('%s → 400 forwarded_request on every route, before auth and read()', async (name, value) => {
    for (const path of ['/v1/health', '/v1/ready', '/v1/secrets', '/v1/keys', '/nope']) {
      const res = await send(h.server.port, { path, headers: { [name]: value, authorization: AUTH } });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(JSON.parse(res.body)).toMatchObject({ code: 'forwarded_request' });
    }
    expect(h.query.readCalls).toBe(0);
  });
});
