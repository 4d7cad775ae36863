/** The HTTP security rules, checked against the real process. */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { AGE_KEY_FILE, vectorPath } from '../support/vectors';
import { httpGet, startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

let agent: AgentProcess;
beforeAll(async () => {
  agent = await startAgent({ env: { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE } });
  await agent.waitReady();
});
afterAll(stopAllAgents);

/** Local addresses of LISTEN sockets on `port` from /proc/net/tcp{,6} (Linux). */
function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A = LISTEN
      const [addr, hexPort] = cols[1].split(':');
      if (parseInt(hexPort, 16) === port) out.push(addr);
    }
  }
  return out;
}

it('listens on 127.0.0.1 only', () => {
  expect(listeningAddresses(agent.port)).toEqual(['0100007F']);
});

it.each(['evil.example', '127.0.0.1:1', '[::1]', '10.0.0.5:7779', 'localhost.evil.example'])('rejects Host %j with 403 on every route', async (host) => {
  for (const p of ['/v1/health', '/v1/ready', '/v1/secrets', '/v1/keys', '/nope']) {
    const r = await httpGet(agent.port, p, { host, authorization: `Bearer ${agent.token}` });
    expect(r.status).toBe(403);
    expect(r.json()).toMatchObject({ code: 'forbidden_host' });
  }
});

it('rejects a request without a Host header (HTTP/1.0) with 403', async () => {
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(agent.port, '127.0.0.1', () => socket.end('GET /v1/health HTTP/1.0\r\n\r\n'));
    let data = '';
    socket.on('data', (c) => (data += c.toString()));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
  expect(reply).toMatch(/^HTTP\/1\.[01] 403/);
  expect(reply).toContain('forbidden_host');
});

it('accepts 127.0.0.1 and localhost, with or without the port', async () => {
  for (const host of ['127.0.0.1', `127.0.0.1:${agent.port}`, 'localhost', `localhost:${agent.port}`]) {
    expect((await httpGet(agent.port, '/v1/health', { host })).status).toBe(200);
  }
});

it.each([
  ['no header', {}],
  ['wrong scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
  ['wrong token', { authorization: 'Bearer nope' }],
  ['token prefix', { authorization: 'Bearer test-token' }],
  ['token with suffix', { authorization: 'Bearer test-token-0123456789abcdefX' }],
  ['two spaces', { authorization: 'Bearer  test-token-0123456789abcdef' }],
  ['empty bearer', { authorization: 'Bearer ' }],
])('401 JSON with no-store for %s', async (_n, headers) => {
  for (const p of ['/v1/secrets', '/v1/keys', '/v1/secrets/app__API_KEY', '/v1/secrets/app/API_KEY']) {
    const r = await httpGet(agent.port, p, headers as Record<string, string>);
    expect(r.status).toBe(401);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.json()).toMatchObject({ code: 'unauthorized' });
  }
});

it('answers errors as JSON (404, 405) and sends no framework or cache headers', async () => {
  const nf = await agent.authGet('/v1/nope');
  expect(nf.status).toBe(404);
  expect(nf.json()).toMatchObject({ code: 'not_found' });
  const missing = await agent.authGet('/v1/secrets/app/NOPE');
  expect(missing.status).toBe(404);
  const post = await httpGet(agent.port, '/v1/secrets', { authorization: `Bearer ${agent.token}` }, 'POST');
  expect(post.status).toBe(405);
  expect(post.json()).toMatchObject({ code: 'method_not_allowed' });
  const ok = await agent.authGet('/v1/secrets');
  for (const h of ['x-powered-by', 'access-control-allow-origin']) expect(ok.headers[h]).toBeUndefined();
  // Issue 10: the only validator is the revision-derived tag (never a body hash), and no-store stays.
  expect(ok.headers.etag).toMatch(/^"r-[0-9a-f]{32}"$/);
  expect(ok.headers['cache-control']).toBe('no-store');
});

it('refuses proxied requests (X-Forwarded-For / Forwarded)', async () => {
  const r = await httpGet(agent.port, '/v1/secrets', { authorization: `Bearer ${agent.token}`, 'x-forwarded-for': '1.2.3.4' });
  expect(r.status).toBe(400);
  expect(r.json()).toMatchObject({ code: 'forwarded_request' });
});

it('SIGTERM drains and exits 0, dropping the listener', async () => {
  const other = await startAgent({ env: { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE } });
  await other.waitReady();
  expect(await other.stop('SIGTERM')).toBe(0);
  await expect(httpGet(other.port, '/v1/health')).rejects.toThrow();
  expect(other.logLines().some((l) => l.event === 'agent.stopped')).toBe(true);
});
