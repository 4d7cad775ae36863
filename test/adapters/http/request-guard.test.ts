import type { Context, Next } from 'koa';
import { isAgentError, type ErrorCode } from '../../../src/domain/errors';
import { httpMappingFor } from '../../../src/adapters/http/error-status';
import { requestGuard } from '../../../src/adapters/http/middleware/request-guard';

/**
 * The pre-routing checks, merged into one middleware (issue 8), each checked on its own:
 * removing any of them fails a test here. End-to-end coverage (every route, raw sockets)
 * is in host-allowlist.test.ts, headers.test.ts and routes.test.ts.
 */

const PORT = 7779;

interface FakeRequest {
  host?: string;
  /** Extra raw header lines, as [name, value] pairs; Host is added from `host` unless `raw` is given. */
  headers?: Record<string, string>;
  raw?: string[];
  url?: string;
  localPort?: number;
}

function fakeCtx(opts: FakeRequest = {}): { ctx: Context; sent: Map<string, string> } {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.host !== undefined) headers.host = opts.host;
  const rawHeaders = opts.raw ?? Object.entries(headers).flatMap(([k, v]) => [k === 'host' ? 'Host' : k, v]);
  const sent = new Map<string, string>();
  const req = { headers, rawHeaders, url: opts.url ?? '/v1/secrets', socket: { localPort: opts.localPort } };
  const res = { setHeader: (name: string, value: string) => sent.set(name.toLowerCase(), value) };
  return { ctx: { req, res } as unknown as Context, sent };
}

/** Runs the guard; returns the error code it threw, or 'passed' if it called next. */
function run(guard: ReturnType<typeof requestGuard>, ctx: Context): ErrorCode | 'passed' {
  let passed = false;
  try {
    void guard(ctx, (() => {
      passed = true;
      return Promise.resolve();
    }) as Next);
  } catch (err) {
    if (!isAgentError(err)) throw err;
    expect(passed).toBe(false);
    return err.code;
  }
  expect(passed).toBe(true);
  return 'passed';
}

const statusOf = (code: ErrorCode | 'passed') => (code === 'passed' ? 'passed' : httpMappingFor(code).status);

describe('request guard', () => {
  const guard = requestGuard(PORT);

  it('passes a loopback request on to next and returns what next returns', () => {
    const { ctx } = fakeCtx({ host: `127.0.0.1:${PORT}` });
    const downstream = Promise.resolve('done');
    expect(guard(ctx, () => downstream)).toBe(downstream);
  });

  describe('security headers', () => {
    it('sets no-store and nosniff on a request that passes', () => {
      const { ctx, sent } = fakeCtx({ host: 'localhost' });
      expect(run(guard, ctx)).toBe('passed');
      expect(sent.get('cache-control')).toBe('no-store');
      expect(sent.get('x-content-type-options')).toBe('nosniff');
    });

    it.each<[string, FakeRequest]>([
      ['a foreign Host', { host: 'evil.com' }],
      ['a duplicated Host', { raw: ['Host', 'localhost', 'Host', 'evil.com'], host: 'localhost' }],
      ['X-Forwarded-For', { host: 'localhost', headers: { 'x-forwarded-for': '203.0.113.9' } }],
      ['an absolute-form target', { host: 'localhost', url: 'http://evil.com/v1/health' }],
    ])('sets them before a check fails (%s)', (_name, request) => {
      const { ctx, sent } = fakeCtx(request);
      expect(run(guard, ctx)).not.toBe('passed');
      expect(sent.get('cache-control')).toBe('no-store');
      expect(sent.get('x-content-type-options')).toBe('nosniff');
    });
  });

  describe('Host allowlist', () => {
    it.each(['127.0.0.1', `127.0.0.1:${PORT}`, 'localhost', `localhost:${PORT}`, 'LOCALHOST', `LocalHost:${PORT}`])('accepts %s', (host) => {
      expect(run(guard, fakeCtx({ host }).ctx)).toBe('passed');
    });

    it.each(['evil.com', `evil.com:${PORT}`, '127.0.0.1:1', `127.0.0.1:${PORT}0`, '[::1]', `[::1]:${PORT}`, '127.0.0.2', 'localhost.evil.com', ''])(
      'refuses %j with 403 forbidden_host',
      (host) => {
        const code = run(guard, fakeCtx({ host }).ctx);
        expect({ code, status: statusOf(code) }).toEqual({ code: 'forbidden_host', status: 403 });
      },
    );

    it('refuses a request without Host with 403 forbidden_host', () => {
      expect(run(guard, fakeCtx({}).ctx)).toBe('forbidden_host');
    });

    it.each([
      ['Host', 'Host'],
      ['host', 'HOST'],
      ['hOsT', 'host'],
    ])('refuses a duplicated Host (%s + %s) with 400 bad_request', (first, second) => {
      const { ctx } = fakeCtx({ host: 'localhost', raw: [first, 'localhost', 'Accept', '*/*', second, 'localhost'] });
      const code = run(guard, ctx);
      expect({ code, status: statusOf(code) }).toEqual({ code: 'bad_request', status: 400 });
    });

    it('does not count other four-letter fields as Host', () => {
      const { ctx } = fakeCtx({ host: 'localhost', raw: ['Host', 'localhost', 'Hosx', 'a', 'Date', 'b', 'HOSTS', 'c'] });
      expect(run(guard, ctx)).toBe('passed');
    });

    it('with port 0, accepts the port the connection arrived on and no other', () => {
      const anyPort = requestGuard(0);
      expect(run(anyPort, fakeCtx({ host: '127.0.0.1:4242', localPort: 4242 }).ctx)).toBe('passed');
      expect(run(anyPort, fakeCtx({ host: '127.0.0.1:4243', localPort: 4242 }).ctx)).toBe('forbidden_host');
      expect(run(anyPort, fakeCtx({ host: 'localhost:5151', localPort: 5151 }).ctx)).toBe('passed');
      expect(run(anyPort, fakeCtx({ host: 'localhost:4242', localPort: 5151 }).ctx)).toBe('forbidden_host');
    });

    it('with port 0, a connection without a local port (unix socket) gets the bare names', () => {
      const anyPort = requestGuard(0);
      expect(run(anyPort, fakeCtx({ host: 'localhost' }).ctx)).toBe('passed');
      expect(run(anyPort, fakeCtx({ host: 'evil.com' }).ctx)).toBe('forbidden_host');
    });
  });

  describe('proxied requests', () => {
    it.each([
      ['x-forwarded-for', '203.0.113.9'],
      ['x-forwarded-for', ''],
      ['forwarded', 'for=203.0.113.9'],
      ['forwarded', ''],
    ])('refuses %s: %j with 400 forwarded_request', (name, value) => {
      const code = run(guard, fakeCtx({ host: 'localhost', headers: { [name]: value } }).ctx);
      expect({ code, status: statusOf(code) }).toEqual({ code: 'forwarded_request', status: 400 });
    });

    it.each(['http://127.0.0.1/v1/secrets', '*', 'v1/secrets', ''])('refuses the non-origin-form target %j with 400 bad_request', (url) => {
      const code = run(guard, fakeCtx({ host: 'localhost', url }).ctx);
      expect({ code, status: statusOf(code) }).toEqual({ code: 'bad_request', status: 400 });
    });
  });

  it('checks the Host before the proxy headers', () => {
    expect(run(guard, fakeCtx({ host: 'evil.com', headers: { 'x-forwarded-for': '1.2.3.4' } }).ctx)).toBe('forbidden_host');
  });
});
