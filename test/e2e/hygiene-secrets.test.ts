/**
 * Secret hygiene (issue 9, item 4). For each accept vector, the real agent runs against a
 * loopback HTTP source with the access log on, the most verbose log level and a disk
 * cache; every endpoint is exercised, successes and failures (401, 403, 404, 405, 400,
 * 431, a source outage, then 503 after the source switches to a revocation marker).
 * Afterwards everything the agent produced that is not a successful secrets response is
 * scanned: stdout, stderr, every error body, /v1/health and /v1/ready, and every file
 * under the cache path and the agent's working directory. None may contain a secret
 * value of `allVectorSecretValues()` (raw or JSON-escaped) or the bearer token.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { revocationMarker } from '../support/pack';
import { AGE_KEY_FILE, allVectorSecretValues, loadExpect, vectorText, vectorVerifyKey } from '../support/vectors';
import { httpGet, startAgent, stopAllAgents, type AgentProcess, type HttpReply } from '../support/agent-process';

interface Scenario {
  name: string;
  vector: 'a-age-basic' | 'b-ed25519-signed';
  env: Record<string, string>;
  /** The document the source switches to, to revoke. */
  revocation: () => string;
}

const scenarios: Scenario[] = [
  { name: 'a-age-basic (cached)', vector: 'a-age-basic', env: {}, revocation: () => revocationMarker('vector-svc', 'production') },
  {
    name: 'b-ed25519-signed (cached, verify key)',
    vector: 'b-ed25519-signed',
    env: { CLEF_AGENT_VERIFY_KEY: vectorVerifyKey() },
    revocation: () => vectorText('h2-revoked-signed'),
  },
  { name: 'a-age-basic (JIT)', vector: 'a-age-basic', env: { CLEF_AGENT_CACHE_TTL: '0' }, revocation: () => revocationMarker('vector-svc', 'production') },
];

/** Which secrets (by index, never by value) occur in `text`, raw or JSON-escaped. Purely
 * numeric values (a port such as "5432") are matched as standalone tokens only, so that
 * timestamps, durations and base64 do not raise false alarms. */
function leakedSecrets(text: string): string[] {
  const scrubbed = text.replace(/"pid":\d+/g, '"pid":0');
  const hits: string[] = [];
  allVectorSecretValues().forEach((value, i) => {
    const forms = [value, JSON.stringify(value).slice(1, -1)];
    const found = /^\d+$/.test(value)
      ? new RegExp(`(?<![0-9A-Za-z.+/_-])${value}(?![0-9A-Za-z.+/=_-])`).test(scrubbed)
      : forms.some((f) => scrubbed.includes(f));
    if (found) hits.push(`secret #${i} (${value.length} chars)`);
  });
  return hits;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    // A cache write in flight (temp file, renamed into place a moment later) is scanned as the entry it becomes.
    else if (entry.isFile() && !/\.tmp-[0-9a-f]{16}$/.test(entry.name)) out.push(p);
  }
  return out;
}

/** A raw request (for heads Node's client would refuse to build). */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString('utf8')));
    socket.on('close', () => resolve(data));
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? resolve(data) : reject(e)));
  });
}

afterAll(stopAllAgents);

describe.each(scenarios)('$name', ({ vector, env, revocation }) => {
  const expected = loadExpect(vector);
  const secrets = expected.secrets!;
  const token = `hygiene-${randomBytes(24).toString('hex')}`;
  let root: string;
  let workDir: string;
  let cacheDir: string;
  let server: ArtifactServer;
  let agent: AgentProcess;
  /** Everything that must be clean: error bodies, health, ready, files, output. */
  const scanned: Array<{ what: string; text: string }> = [];
  const scan = (what: string, text: string) => scanned.push({ what, text });
  const record = (what: string, r: HttpReply): HttpReply => {
    scan(`${what} → ${r.status}`, r.body);
    return r;
  };

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'clef-hygiene-'));
    workDir = path.join(root, 'work');
    cacheDir = path.join(root, 'cache');
    mkdirSync(workDir);
    server = await ArtifactServer.start();
    server.publish(vectorText(vector));
    agent = await startAgent({
      token,
      cwd: workDir,
      env: {
        CLEF_AGENT_SOURCE: server.url,
        CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE,
        CLEF_AGENT_ACCESS_LOG: 'true',
        CLEF_AGENT_LOG_LEVEL: 'trace',
        CLEF_AGENT_CACHE_PATH: cacheDir,
        CLEF_AGENT_POLL_INTERVAL: '0.2',
        ...env,
      },
    });
    await agent.waitReady();
  });

  afterAll(async () => {
    await agent?.stop();
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('serves every secret correctly (the bodies that may carry values)', async () => {
    const all = await agent.authGet('/v1/secrets');
    expect(all.status).toBe(200);
    expect(all.json()).toEqual(secrets);
    expect((await agent.authGet('/v1/keys')).json()).toEqual(expected.keys);
    for (const [ns, tree] of Object.entries(secrets)) {
      for (const [key, value] of Object.entries(tree)) {
        const enc = (s: string) => encodeURIComponent(s);
        expect((await agent.authGet(`/v1/secrets/${enc(ns)}/${enc(key)}`)).json()).toEqual({ value });
        expect((await agent.authGet(`/v1/secrets/${enc(`${ns}__${key}`)}`)).json()).toEqual({ value });
      }
    }
    expect((await httpGet(agent.port, '/v1/secrets', { authorization: `Bearer ${token}` }, 'HEAD')).body).toBe('');
    scan('health (loaded)', (await agent.get('/v1/health')).body);
    scan('ready (loaded)', (await agent.get('/v1/ready')).body);
  });

  it('answers every kind of error without a value or the token', async () => {
    const someValue = secrets.app.API_KEY;
    const bad: Array<[string, Record<string, string>]> = [
      ['no header', {}],
      ['wrong token', { authorization: 'Bearer wrong-token' }],
      ['token prefix', { authorization: `Bearer ${token.slice(0, -1)}` }],
      ['token with suffix', { authorization: `Bearer ${token}x` }],
      ['Basic with the token', { authorization: `Basic ${Buffer.from(`user:${token}`).toString('base64')}` }],
      ['token as the scheme', { authorization: token }],
      ['a secret value as the token', { authorization: `Bearer ${someValue}` }],
    ];
    for (const [what, headers] of bad) {
      for (const p of ['/v1/secrets', '/v1/keys', '/v1/secrets/app/API_KEY', '/v1/secrets/app__API_KEY']) {
        expect(record(`401 ${what} ${p}`, await httpGet(agent.port, p, headers)).status).toBe(401);
      }
    }
    // The token in the query string is not a credential, and must not be logged either.
    expect(record('401 token in query', await agent.get(`/v1/secrets?access_token=${token}`)).status).toBe(401);
    // A secret value used as a key name must not be echoed (404) nor logged.
    expect(record('404 value as key', await agent.authGet(`/v1/secrets/app/${encodeURIComponent(someValue)}`)).status).toBe(404);
    expect(record('404 value as flat key', await agent.authGet(`/v1/secrets/${encodeURIComponent(someValue)}`)).status).toBe(404);
    expect(record('404 missing key', await agent.authGet('/v1/secrets/app/NOPE')).status).toBe(404);
    expect(record('404 unknown route', await agent.authGet('/v1/nope')).status).toBe(404);
    expect(record('405', await httpGet(agent.port, '/v1/secrets', { authorization: `Bearer ${token}` }, 'POST')).status).toBe(405);
    expect(record('403 host', await httpGet(agent.port, '/v1/secrets', { host: 'evil.example', authorization: `Bearer ${token}` })).status).toBe(403);
    expect(record('400 forwarded', await httpGet(agent.port, '/v1/secrets', { 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${token}` })).status).toBe(400);
    expect(record('400 bad escape', await agent.authGet('/v1/secrets/app/%zz')).status).toBe(400);
    const huge = await rawRequest(agent.port, `GET /v1/secrets HTTP/1.1\r\nHost: 127.0.0.1:${agent.port}\r\nAuthorization: Bearer ${token}\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    scan('431 raw response', huge);
  });

  it('a source outage is reported without a value', async () => {
    server.http.fault = { kind: 'status', status: 503 };
    scan('health (outage)', (await agent.waitFor('/v1/health', (r) => r.json<{ lastError: { code: string } | null }>().lastError?.code === 'source_unavailable')).body);
    expect((await agent.authGet('/v1/secrets')).status).toBe(200);
    server.http.fault = null;
    await agent.waitFor('/v1/health', (r) => r.json<{ lastError: unknown }>().lastError === null);
  });

  it('the cache holds the artifact (ciphertext only) while loaded', async () => {
    // The file tier is written after each accepted fetch; wait until it exists.
    await agent.waitFor('/v1/health', () => filesUnder(cacheDir).length > 0);
    for (const f of filesUnder(cacheDir)) scan(`cache file (loaded) ${path.relative(root, f)}`, readFileSync(f).toString('utf8'));
    for (const f of filesUnder(workDir)) scan(`work file (loaded) ${path.relative(root, f)}`, readFileSync(f).toString('utf8'));
  });

  it('after revocation every read is a 503 without a value', async () => {
    server.publish(revocation());
    await agent.waitFor('/v1/ready', (r) => r.status === 503);
    for (const p of ['/v1/secrets', '/v1/keys', '/v1/secrets/app/API_KEY', '/v1/secrets/app__API_KEY']) {
      const r = record(`503 ${p}`, await agent.authGet(p));
      expect(r.status).toBe(503);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
    }
    scan('ready (revoked)', (await agent.get('/v1/ready')).body);
    scan('health (revoked)', (await agent.get('/v1/health')).body);
    expect(record('401 after revocation', await agent.get('/v1/secrets')).status).toBe(401);
  });

  it('stdout, stderr, bodies, health and every file written hold no secret value and never the token', async () => {
    expect(await agent.stop('SIGTERM')).toBe(0);
    scan('stdout', agent.stdout);
    scan('stderr', agent.stderr);
    for (const f of filesUnder(root)) {
      expect(statSync(f).size).toBeLessThan(50 * 1024 * 1024);
      scan(`file ${path.relative(root, f)}`, readFileSync(f).toString('utf8'));
      scan(`file (latin1) ${path.relative(root, f)}`, readFileSync(f).toString('latin1'));
    }
    // The scan is not vacuous: the access log saw our requests, the cache had a copy.
    expect(agent.logLines().filter((l) => l.event === 'http.request').length).toBeGreaterThan(20);
    expect(scanned.some((s) => s.what.startsWith('cache file'))).toBe(true);
    const problems: string[] = [];
    for (const { what, text } of scanned) {
      for (const leak of leakedSecrets(text)) problems.push(`${what}: ${leak}`);
      if (text.includes(token)) problems.push(`${what}: the bearer token`);
    }
    expect(problems).toEqual([]);
  });
});
