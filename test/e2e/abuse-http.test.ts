/**
 * HTTP abuse against the real agent (issue 9, item 3), mostly over raw sockets so the
 * bytes on the wire are exactly the hostile ones: slowloris, idle-connection floods, huge
 * heads, malformed request lines, pipelining, absolute-form targets, proxied requests,
 * wrong methods and path tricks. Every answer must be a correct status with a JSON body,
 * must never carry another key's value (or any value, unless it is the one asked for),
 * and the agent must keep serving everybody else.
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { AGE_KEY_FILE, loadExpect, vectorPath } from '../support/vectors';
import { startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

const SECRETS = loadExpect('a-age-basic').secrets!;
/** Every non-trivial value, raw and JSON-escaped (as it would appear inside a body). */
const VALUE_FORMS: string[] = Object.values(SECRETS)
  .flatMap((ns) => Object.values(ns))
  .filter((v) => v.trim().length >= 4 && !/^\d+$/.test(v))
  .flatMap((v) => [v, JSON.stringify(v).slice(1, -1)]);

let agent: AgentProcess;

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Parses consecutive HTTP/1.1 responses (all agent responses carry Content-Length).
 * `headMethods[i]` true means response i answers a HEAD (no body despite the length). */
function parseResponses(buf: Buffer, headMethods: boolean[] = []): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  while (at < buf.length) {
    const end = buf.indexOf('\r\n\r\n', at);
    if (end < 0) throw new Error(`incomplete response head: ${JSON.stringify(buf.subarray(at, at + 200).toString('latin1'))}`);
    const lines = buf.subarray(at, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3}) /.exec(lines[0]);
    if (!m) throw new Error(`not a status line: ${JSON.stringify(lines[0])}`);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const length = headMethods[out.length] ? 0 : Number(headers['content-length'] ?? 0);
    const body = buf.subarray(end + 4, end + 4 + length);
    if (body.length < length) throw new Error('truncated response body');
    out.push({ status: Number(m[1]), headers, body: body.toString('utf8') });
    at = end + 4 + length;
  }
  return out;
}

/** Writes `data` in one go and collects what comes back: until `count` complete responses
 * have arrived (then we hang up), or otherwise until the server closes. `closedByServer`
 * is false if we had to give up after `idleMs` of silence. */
function exchange(data: string | Buffer, opts: { count?: number; head?: boolean[]; idleMs?: number } = {}): Promise<{ raw: Buffer; closedByServer: boolean }> {
  const { count, head = [], idleMs = 3000 } = opts;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(agent.port, '127.0.0.1', () => socket.write(data));
    let closedByUs = false;
    const hangUp = (): void => {
      closedByUs = true;
      socket.destroy();
    };
    let idle = setTimeout(hangUp, idleMs);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      clearTimeout(idle);
      idle = setTimeout(hangUp, idleMs);
      if (count !== undefined) {
        try {
          if (parseResponses(Buffer.concat(chunks), head).length >= count) hangUp();
        } catch {
          // incomplete so far
        }
      }
    });
    socket.on('close', () => {
      clearTimeout(idle);
      resolve({ raw: Buffer.concat(chunks), closedByServer: !closedByUs });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      // A reset after the server answered and closed is fine; anything else is not.
      if (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') reject(e);
    });
  });
}

const host = () => `Host: 127.0.0.1:${agent.port}\r\n`;
const auth = () => `Authorization: Bearer ${agent.token}\r\n`;
function req(target: string, opts: { method?: string; headers?: string; close?: boolean; withAuth?: boolean } = {}): string {
  const { method = 'GET', headers = '', close = false, withAuth = true } = opts;
  return `${method} ${target} HTTP/1.1\r\n${host()}${withAuth ? auth() : ''}${headers}${close ? 'Connection: close\r\n' : ''}\r\n`;
}

/** One request over a fresh connection; we hang up once its response is complete. */
async function one(request: string, head = false): Promise<RawResponse> {
  const { raw } = await exchange(request, { count: 1, head: [head] });
  const responses = parseResponses(raw, [head]);
  expect(responses).toHaveLength(1);
  return responses[0];
}

function expectJsonError(r: RawResponse, status: number, code: string): void {
  expect(r.status).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(r.body)).toMatchObject({ code });
  expectNoSecretIn(r.body);
}

function expectNoSecretIn(text: string): void {
  for (const v of VALUE_FORMS) expect(text).not.toContain(v);
  expect(text).not.toContain(agent.token);
}

/** The agent still answers a normal client correctly. */
async function expectServing(): Promise<void> {
  const r = await agent.authGet('/v1/secrets');
  expect(r.status).toBe(200);
  expect(r.json()).toEqual(SECRETS);
}

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

beforeAll(async () => {
  agent = await startAgent({ env: { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE } });
  await agent.waitReady();
});
afterAll(stopAllAgents);

describe('slow and idle clients', () => {
  it('slowloris: heads dribbled byte by byte are dropped by the headers timeout (408 JSON) while others are served', async () => {
    const N = 20;
    const payload = `GET /v1/secrets HTTP/1.1\r\n${host()}${auth()}X-Slow: ${'a'.repeat(1_000_000)}`;
    const slow = Array.from({ length: N }, () => {
      const socket = net.connect(agent.port, '127.0.0.1');
      const state = { sent: 0, data: '', closed: false };
      const timer = setInterval(() => {
        if (!socket.destroyed && socket.writable) socket.write(payload[state.sent++]);
      }, 100);
      socket.on('data', (c: Buffer) => (state.data += c.toString('utf8')));
      socket.on('error', () => undefined);
      const closed = new Promise<void>((resolve) =>
        socket.on('close', () => {
          clearInterval(timer);
          state.closed = true;
          resolve();
        }),
      );
      return { socket, state, closed, timer };
    });
    try {
      // While the dribblers hold their sockets, normal clients keep being served.
      let served = 0;
      while (slow.some((s) => !s.state.closed)) {
        await expectServing();
        expect((await agent.get('/v1/health')).status).toBe(200);
        served++;
        await Promise.race([Promise.all(slow.map((s) => s.closed)), new Promise((r) => setTimeout(r, 250))]);
      }
      expect(served).toBeGreaterThan(1);
      for (const s of slow) {
        // Cut by the server long before the head could complete (1 MB at 10 bytes/s).
        expect(s.state.sent).toBeLessThan(payload.length);
        const [r] = parseResponses(Buffer.from(s.state.data, 'utf8'));
        expectJsonError(r, 408, 'bad_request');
        expect(r.headers.connection).toBe('close');
      }
    } finally {
      for (const s of slow) {
        clearInterval(s.timer);
        s.socket.destroy();
      }
    }
    await expectServing();
  }, 90_000);

  it('500 idle connections do not starve a normal request', async () => {
    const sockets: net.Socket[] = [];
    try {
      await Promise.all(
        Array.from({ length: 500 }, () => new Promise<void>((resolve, reject) => {
          const s = net.connect(agent.port, '127.0.0.1', () => resolve());
          s.on('error', reject);
          sockets.push(s);
        })),
      );
      // Half of them also started a request and stalled mid-head.
      sockets.slice(0, 250).forEach((s) => s.write(`GET /v1/secrets HTTP/1.1\r\n${host()}`));
      await expectServing();
      const keys = await agent.authGet('/v1/keys');
      expect(keys.status).toBe(200);
      expect((await agent.get('/v1/ready')).status).toBe(200);
      expect(sockets.every((s) => !s.destroyed)).toBe(true); // still held open while we were served
    } finally {
      sockets.forEach((s) => s.destroy());
    }
    expect(rssBytes(agent.child.pid!)).toBeLessThan(200 * 1024 * 1024);
  });
});

describe('oversized heads', () => {
  it('a single header over 16 KiB → 431 JSON', async () => {
    expectJsonError(await one(req('/v1/secrets', { headers: `X-Big: ${'b'.repeat(17 * 1024)}\r\n` })), 431, 'bad_request');
  });

  it('many headers adding up to over 16 KiB → 431 JSON', async () => {
    const many = Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'c'.repeat(50)}\r\n`).join('');
    expectJsonError(await one(req('/v1/secrets', { headers: many })), 431, 'bad_request');
  });

  it('a huge Authorization header → 431 JSON, the token is not echoed', async () => {
    const r = await one(`GET /v1/secrets HTTP/1.1\r\n${host()}Authorization: Bearer ${agent.token}${'x'.repeat(20_000)}\r\n\r\n`);
    expectJsonError(r, 431, 'bad_request');
  });

  it('a huge URL (> 16 KiB) → 431 JSON; a long one under the limit → 404 JSON', async () => {
    expectJsonError(await one(req(`/v1/secrets/app/${'k'.repeat(20 * 1024)}`)), 431, 'bad_request');
    expectJsonError(await one(req(`/v1/secrets/app/${'k'.repeat(8 * 1024)}`)), 404, 'not_found');
    expectJsonError(await one(req(`/v1/secrets?${'q=1&'.repeat(5000)}`)), 431, 'bad_request');
  });

  it('a long but valid bearer header that is wrong → 401 JSON', async () => {
    expectJsonError(await one(`GET /v1/secrets HTTP/1.1\r\n${host()}Authorization: Bearer ${'t'.repeat(12_000)}\r\n\r\n`), 401, 'unauthorized');
  });

  afterAll(expectServing);
});

describe('malformed requests', () => {
  const cases: Array<[string, () => string]> = [
    ['unknown method', () => `FOO /v1/secrets HTTP/1.1\r\n${host()}\r\n`],
    ['lower-case method', () => `get /v1/secrets HTTP/1.1\r\n${host()}\r\n`],
    ['HTTP/9.9', () => `GET /v1/secrets HTTP/9.9\r\n${host()}\r\n`],
    ['no version digits', () => `GET /v1/secrets HTTP/\r\n${host()}\r\n`],
    ['space inside the target', () => `GET /v1/sec rets HTTP/1.1\r\n${host()}${auth()}\r\n`],
    ['NUL in the target', () => `GET /v1/secrets\x00 HTTP/1.1\r\n${host()}${auth()}\r\n`],
    ['raw UTF-8 in the target', () => `GET /v1/secrets/\u00fc HTTP/1.1\r\n${host()}${auth()}\r\n`],
    ['header without a colon', () => `GET /v1/secrets HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n`],
    ['space in a header name', () => `GET /v1/secrets HTTP/1.1\r\n${host()}Bad Header: x\r\n\r\n`],
    ['control character in a header value', () => `GET /v1/secrets HTTP/1.1\r\n${host()}X-A: a\x01b\r\n\r\n`],
    ['obsolete line folding', () => `GET /v1/secrets HTTP/1.1\r\n${host()}X-A: a\r\n folded\r\n\r\n`],
    ['bare LF line endings', () => `GET /v1/secrets HTTP/1.1\n${host().trimEnd()}\n\n`],
    ['Content-Length and Transfer-Encoding (smuggling)', () => `GET /v1/secrets HTTP/1.1\r\n${host()}${auth()}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ['two different Content-Lengths', () => `GET /v1/secrets HTTP/1.1\r\n${host()}${auth()}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`],
    ['unknown Transfer-Encoding', () => `GET /v1/secrets HTTP/1.1\r\n${host()}${auth()}Transfer-Encoding: gzip\r\n\r\n`],
    ['binary garbage', () => '\x00\x01\x02\x03\xff\xfe garbage\r\n\r\n'],
    ['a TLS ClientHello', () => '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + 'r'.repeat(32)],
  ];

  it.each(cases)('%s → 400 JSON and the connection is closed', async (_name, build) => {
    const { raw, closedByServer } = await exchange(Buffer.from(build(), 'latin1'));
    const responses = parseResponses(raw);
    expect(responses).toHaveLength(1);
    expectJsonError(responses[0], 400, 'bad_request');
    expect(closedByServer).toBe(true);
  });

  it('a duplicate Host header → 400 JSON', async () => {
    expectJsonError(await one(`GET /v1/secrets HTTP/1.1\r\n${host()}${host()}${auth()}\r\n`), 400, 'bad_request');
  });

  it('a Host for another name → 403 JSON, whatever X-Forwarded-Host says', async () => {
    expectJsonError(await one(`GET /v1/secrets HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: 127.0.0.1:${agent.port}\r\n${auth()}\r\n`), 403, 'forbidden_host');
  });

  it('CONNECT is never tunnelled nor answered with data', async () => {
    const { raw } = await exchange(`CONNECT 127.0.0.1:${agent.port} HTTP/1.1\r\n${host()}${auth()}\r\n`);
    const text = raw.toString('utf8');
    expect(text).not.toMatch(/^HTTP\/1\.1 2/);
    expectNoSecretIn(text);
  });

  afterAll(expectServing);
});

describe('pipelining', () => {
  it('three requests in one write get three correct responses, in order', async () => {
    const { raw } = await exchange(req('/v1/health') + req('/v1/secrets') + req('/v1/keys', { close: true }));
    const [health, secrets, keys] = parseResponses(raw);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ ready: true, revision: loadExpect('a-age-basic').revision });
    expect(secrets.status).toBe(200);
    expect(JSON.parse(secrets.body)).toEqual(SECRETS);
    expect(keys.status).toBe(200);
    expect(JSON.parse(keys.body)).toEqual(loadExpect('a-age-basic').keys);
  });

  it('a failing request in the middle does not leak into its neighbours', async () => {
    const { raw } = await exchange(
      req('/v1/secrets/app/API_KEY') +
        req('/v1/secrets/database/PASSWORD', { withAuth: false }) +
        req('/v1/secrets/database/PASSWORD', { method: 'HEAD' }) +
        req('/v1/secrets/payments/STRIPE_SECRET_KEY', { close: true }),
    );
    const [a, b, c, d] = parseResponses(raw, [false, false, true, false]);
    expect(JSON.parse(a.body)).toEqual({ value: SECRETS.app.API_KEY });
    expectJsonError(b, 401, 'unauthorized');
    expect(c.status).toBe(200);
    expect(c.body).toBe('');
    expect(JSON.parse(d.body)).toEqual({ value: SECRETS.payments.STRIPE_SECRET_KEY });
  });

  it('garbage pipelined behind a good request: a clean 400 and close, never a mixed-up stream', async () => {
    // Node parses both at once; the 400 may pre-empt the still-pending first response
    // (RFC 9112 §9.3.2: the client must retry unanswered pipelined requests). Whatever
    // arrives must parse cleanly and be right.
    const { raw, closedByServer } = await exchange(req('/v1/secrets/app/API_KEY') + 'GARBAGE\r\n\r\n' + req('/v1/secrets'));
    const responses = parseResponses(raw);
    expect(responses.length).toBeGreaterThanOrEqual(1);
    expect(responses.length).toBeLessThanOrEqual(2);
    expectJsonError(responses[responses.length - 1], 400, 'bad_request');
    if (responses.length === 2) expect(JSON.parse(responses[0].body)).toEqual({ value: SECRETS.app.API_KEY });
    expect(closedByServer).toBe(true);
  });

  it('garbage after an answered request on the same connection: the answer stands, then 400 and close', async () => {
    const chunks: Buffer[] = [];
    const socket = net.connect(agent.port, '127.0.0.1', () => socket.write(req('/v1/secrets/app/API_KEY')));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) =>
      socket.on('data', (c: Buffer) => {
        chunks.push(c);
        try {
          if (parseResponses(Buffer.concat(chunks)).length === 1) resolve();
        } catch {
          // incomplete
        }
      }),
    );
    socket.write('GARBAGE\r\n\r\n');
    await closed;
    const [first, second] = parseResponses(Buffer.concat(chunks));
    expect(JSON.parse(first.body)).toEqual({ value: SECRETS.app.API_KEY });
    expectJsonError(second, 400, 'bad_request');
  });

  it('100 pipelined requests on one connection are all answered in order', async () => {
    const names = Object.keys(SECRETS.database);
    const batch = Array.from({ length: 100 }, (_, i) => req(`/v1/secrets/database/${names[i % names.length]}`, { close: i === 99 })).join('');
    const responses = parseResponses((await exchange(batch)).raw);
    expect(responses).toHaveLength(100);
    responses.forEach((r, i) => expect(JSON.parse(r.body)).toEqual({ value: SECRETS.database[names[i % names.length]] }));
  });
});

describe('proxy syntax and proxied requests', () => {
  it.each([
    ['absolute-form for this agent', () => `http://127.0.0.1:${agent.port}/v1/secrets`],
    ['absolute-form for another host', () => 'http://evil.example/v1/secrets'],
    ['absolute-form https', () => `https://127.0.0.1:${agent.port}/v1/secrets/app/API_KEY`],
    ['asterisk-form', () => '*'],
  ])('%s → 400 JSON', async (_name, target) => {
    expectJsonError(await one(req(target())), 400, 'bad_request');
    expectJsonError(await one(req(target(), { method: 'OPTIONS' })), 400, 'bad_request');
  });

  it.each([
    ['X-Forwarded-For', 'X-Forwarded-For: 203.0.113.7\r\n'],
    ['X-Forwarded-For: 127.0.0.1', 'X-Forwarded-For: 127.0.0.1\r\n'],
    ['Forwarded', 'Forwarded: for=203.0.113.7;proto=http\r\n'],
    ['empty Forwarded', 'Forwarded: \r\n'],
  ])('%s → 400 forwarded_request on every route (documented decision)', async (_name, header) => {
    for (const p of ['/v1/health', '/v1/ready', '/v1/secrets', '/v1/keys', '/v1/secrets/app/API_KEY', '/nope']) {
      expectJsonError(await one(req(p, { headers: header })), 400, 'forwarded_request');
    }
  });

  afterAll(expectServing);
});

describe('methods', () => {
  const routes = ['/v1/health', '/v1/ready', '/v1/secrets', '/v1/keys', '/v1/secrets/app__API_KEY', '/v1/secrets/app/API_KEY'];
  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'])('%s → 405 JSON with Allow, with or without a token', async (method) => {
    for (const p of routes) {
      for (const withAuth of [true, false]) {
        const r = await one(req(p, { method, withAuth, headers: method === 'GET' ? '' : 'Content-Length: 0\r\n' }));
        expectJsonError(r, 405, 'method_not_allowed');
        expect(r.headers.allow).toBe('GET, HEAD');
      }
    }
  });

  it('a POST with a body to /v1/secrets is refused without being read as anything', async () => {
    const body = JSON.stringify({ app: { API_KEY: 'overwritten' } });
    expectJsonError(await one(req('/v1/secrets', { method: 'POST', headers: `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n` }) + body), 405, 'method_not_allowed');
    await expectServing();
  });

  it('HEAD is GET without a body', async () => {
    const r = await one(req('/v1/secrets', { method: 'HEAD' }), true);
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expect(Number(r.headers['content-length'])).toBeGreaterThan(0);
  });
});

describe('path tricks', () => {
  // [target, status, code] — every one is answered as JSON and none yields a value.
  const misses: Array<[string, number, string]> = [
    ['/v1/secrets/..', 404, 'not_found'],
    ['/v1/secrets/../keys', 404, 'not_found'],
    ['/v1/secrets/%2e%2e/keys', 404, 'not_found'],
    ['/v1/secrets/%2E%2E/%2E%2E/v1/keys', 404, 'not_found'],
    ['/v1/health/../secrets', 404, 'not_found'],
    ['/v1/keys/../secrets', 404, 'not_found'],
    ['/v1/ready/..%2fsecrets', 404, 'not_found'],
    ['/v1/secrets/app%2FAPI_KEY', 404, 'not_found'],
    ['/v1/secrets/app%2fAPI_KEY', 404, 'not_found'],
    ['/v1/secrets/app%252FAPI_KEY', 404, 'not_found'],
    ['/v1/secrets/app%25%32%46API_KEY', 404, 'not_found'],
    ['/v1/secrets/app/API_KEY%00', 404, 'not_found'],
    ['/v1/secrets/app/API_KEY%20', 404, 'not_found'],
    ['/v1/secrets/app/API_KEY/', 404, 'not_found'],
    ['/v1/secrets/app/API_KEY/extra', 404, 'not_found'],
    ['/v1/secrets/', 404, 'not_found'],
    ['/v1/keys/', 404, 'not_found'],
    ['/v1/health/', 404, 'not_found'],
    ['/V1/SECRETS', 404, 'not_found'],
    ['/v1/Secrets', 404, 'not_found'],
    ['/V1/secrets/app/API_KEY', 404, 'not_found'],
    ['/v1/secrets/APP/API_KEY', 404, 'not_found'],
    ['/v1/secrets/app/api_key', 404, 'not_found'],
    ['/v1/secrets/APP__API_KEY', 404, 'not_found'],
    ['//v1/secrets', 404, 'not_found'],
    ['/v1//secrets', 404, 'not_found'],
    ['/./v1/secrets', 404, 'not_found'],
    ['/v1/./secrets', 404, 'not_found'],
    ['/v1/secrets/app/.', 404, 'not_found'],
    ['/v1/secrets;/app/API_KEY', 404, 'not_found'],
    ['/v1/secrets/app;x/API_KEY', 404, 'not_found'],
    ['/v1/secrets/__proto__', 404, 'not_found'],
    ['/v1/secrets/__proto__/x', 404, 'not_found'],
    ['/v1/secrets/app/__proto__', 404, 'not_found'],
    ['/v1/secrets/constructor', 404, 'not_found'],
    ['/v1/secrets/app/constructor', 404, 'not_found'],
    ['/v1/secrets/app/hasOwnProperty', 404, 'not_found'],
    ['/v1/secrets/toString/x', 404, 'not_found'],
    ['/v1/secrets/app__', 404, 'not_found'],
    ['/v1/secrets/__API_KEY', 404, 'not_found'],
    ['/v1/secrets/%zz', 400, 'bad_request'],
    ['/v1/secrets/app/%E0%A4%A', 400, 'bad_request'],
    ['/v1/secrets/app/%C0%AF', 400, 'bad_request'],
    ['/v1/secrets/%', 400, 'bad_request'],
  ];

  it.each(misses)('%s → %d %s (JSON, no value)', async (target, status, code) => {
    expectJsonError(await one(req(target)), status, code);
  });

  /** Targets that match a secrets route shape (one or two segments after /v1/secrets/). */
  const routed = misses.filter(([t]) => {
    if (!t.startsWith('/v1/secrets/')) return false;
    const rest = t.slice('/v1/secrets/'.length).split('?')[0];
    const segs = rest.split('/');
    return segs.length <= 2 && segs.every((x) => x.length > 0);
  });

  it.each(routed)('without a token %s → 401 (auth comes before any lookup)', async (target) => {
    expectJsonError(await one(req(target, { withAuth: false })), 401, 'unauthorized');
  });

  it('encodings of a real key decode exactly once, to that key only', async () => {
    const hits: Array<[string, string]> = [
      ['/v1/secrets/%61pp/API_KEY', SECRETS.app.API_KEY],
      ['/v1/secrets/app/%41PI_KEY', SECRETS.app.API_KEY],
      ['/v1/secrets/app__API%5FKEY', SECRETS.app.API_KEY],
      ['/v1/secrets/database/PASSWORD?x=../app/API_KEY', SECRETS.database.PASSWORD],
      ['/v1/secrets/payments__WEBHOOK_SECRET', SECRETS.payments.WEBHOOK_SECRET],
    ];
    for (const [target, value] of hits) {
      const r = await one(req(target));
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ value });
      // …and nothing but that value.
      for (const v of VALUE_FORMS) if (v !== value && !value.includes(v) && v !== JSON.stringify(value).slice(1, -1)) expect(r.body).not.toContain(v);
    }
  });

  afterAll(expectServing);
});

it('the agent survived all of it', async () => {
  expect(agent.child.exitCode).toBeNull();
  expect(agent.child.signalCode).toBeNull();
  await expectServing();
  expect(rssBytes(agent.child.pid!)).toBeLessThan(200 * 1024 * 1024);
  expectNoSecretIn(agent.output);
});
