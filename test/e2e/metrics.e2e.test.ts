/**
 * Prometheus metrics through the real process (issue 19): the metrics listener on 0.0.0.0,
 * OTLP off. Every scrape passes `promtool check metrics` and a real text-format parser;
 * load, rotation, an outage and a revocation move the expected series; no scrape ever
 * carries a secret value, key name or token; the listener serves /metrics and nothing else,
 * and the secrets API stays on 127.0.0.1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { packAge, revocationMarker } from '../support/pack';
import { promtoolCheck, sample, Scraper, type MetricFamily } from '../support/prometheus';
import { AGE_KEY_FILE, VECTORS_DIR } from '../support/vectors';
import { freePort, startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();
const V1 = { app: { DB_PASSWORD: 'metrics-secret-value-111' }, ops: { STRIPE_API_KEY: 'sk-metrics-secret-222' } };
const V2 = { app: { DB_PASSWORD: 'metrics-secret-value-333' }, ops: { STRIPE_API_KEY: 'sk-metrics-secret-444' } };
const FORBIDDEN = ['metrics-secret-value-111', 'sk-metrics-secret-222', 'metrics-secret-value-333', 'sk-metrics-secret-444', 'DB_PASSWORD', 'STRIPE_API_KEY'];
const TOKEN = 'metrics-test-token-0123456789abcdef';
const inOneDay = () => new Date(Date.now() + 86_400_000).toISOString();

let server: ArtifactServer;
let cacheDir: string;
let agent: AgentProcess;
let metrics: Scraper;

const agentEnv = () => ({
  CLEF_AGENT_SOURCE: server.url,
  CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE,
  CLEF_AGENT_CACHE_PATH: cacheDir,
  CLEF_AGENT_POLL_INTERVAL: '0.2',
  CLEF_AGENT_IDENTITY: 'vector-svc',
  CLEF_AGENT_ENVIRONMENT: 'production',
});
const count = (f: MetricFamily[], name: string, labels: Record<string, string> = {}) => sample(f, name, labels) ?? 0;

beforeAll(async () => {
  server = await ArtifactServer.start();
  cacheDir = path.join(mkdtempSync(path.join(tmpdir(), 'clef-metrics-')), 'cache');
  server.publish(await packAge(V1, RECIPIENT, { revision: '1800000000001-00000001', expiresAt: inOneDay() }));
  const metricsPort = await freePort();
  agent = await startAgent({ token: TOKEN, env: { ...agentEnv(), CLEF_AGENT_METRICS_ADDRESS: `0.0.0.0:${metricsPort}` } });
  metrics = new Scraper(metricsPort);
  await agent.waitReady();
});
afterAll(async () => {
  await stopAllAgents();
  await server.close();
  rmSync(path.dirname(cacheDir), { recursive: true, force: true });
});

it('serves a scrape that promtool and a Prometheus text parser accept, with Prometheus names', async () => {
  await agent.authGet('/v1/secrets');
  const { text, families, reply } = await metrics.scrape();
  expect(reply.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
  const names = families.map((f) => f.name);
  expect(names.filter((n) => n !== 'target_info').every((n) => n.startsWith('clef_agent_'))).toBe(true);
  for (const f of families.filter((x) => x.type === 'COUNTER')) expect(f.name).toMatch(/_total$/);
  expect(names).toEqual(
    expect.arrayContaining([
      'clef_agent_ready',
      'clef_agent_serving_status',
      'clef_agent_served_from',
      'clef_agent_artifact_age_seconds',
      'clef_agent_artifact_expires_in_seconds',
      'clef_agent_refresh_last_success_timestamp_seconds',
      'clef_agent_poll_interval_seconds',
      'clef_agent_refreshes_total',
      'clef_agent_source_requests_total',
      'clef_agent_decrypts_total',
      'clef_agent_http_requests_total',
      'clef_agent_refresh_duration_seconds',
      'clef_agent_decrypt_duration_seconds',
    ]),
  );
  // `ms` histograms are rescaled to seconds: the default 10 000 ms bound becomes le="10".
  const histogram = families.find((f) => f.name === 'clef_agent_refresh_duration_seconds');
  expect(Object.keys(histogram!.metrics[0].buckets!)).toEqual(expect.arrayContaining(['0.005', '10', '+Inf']));
});

it('after load: ready, served from the source, one decrypt, source 200 then 304s, request counts by route pattern', async () => {
  const f = await metrics.until((x) => count(x, 'clef_agent_source_requests_total', { outcome: '304' }) >= 2);
  expect(sample(f, 'clef_agent_ready')).toBe(1);
  expect(sample(f, 'clef_agent_serving_status', { status: 'ok' })).toBe(1);
  expect(sample(f, 'clef_agent_serving_status', { status: 'degraded' })).toBe(0);
  expect(sample(f, 'clef_agent_served_from', { origin: 'source' })).toBe(1);
  expect(sample(f, 'clef_agent_served_from', { origin: 'cache' })).toBe(0);
  expect(sample(f, 'clef_agent_poll_interval_seconds')).toBe(0.2);
  expect(count(f, 'clef_agent_source_requests_total', { outcome: '200' })).toBe(1);
  expect(count(f, 'clef_agent_refreshes_total', { outcome: 'refreshed' })).toBe(1);
  expect(count(f, 'clef_agent_decrypts_total', { provider: 'age', outcome: 'ok' })).toBe(1);
  expect(sample(f, 'clef_agent_kms_calls_total')).toBeUndefined(); // an age artifact asks no KMS
  expect(sample(f, 'clef_agent_artifact_expires_in_seconds')).toBeGreaterThan(86_000);
  expect(Math.abs(sample(f, 'clef_agent_refresh_last_success_timestamp_seconds')! - Date.now() / 1000)).toBeLessThan(30);

  const before = count(f, 'clef_agent_http_requests_total', { http_route: '/v1/secrets/:namespace/:key', http_response_status_code: '200' });
  expect((await agent.authGet('/v1/secrets/app/DB_PASSWORD')).status).toBe(200);
  expect((await agent.get('/v1/secrets')).status).toBe(401);
  const g = await metrics.until((x) => count(x, 'clef_agent_http_requests_total', { http_route: '/v1/secrets/:namespace/:key', http_response_status_code: '200' }) === before + 1);
  expect(count(g, 'clef_agent_http_requests_total', { http_route: '/v1/secrets', http_response_status_code: '401' })).toBeGreaterThanOrEqual(1);
});

it('rotation: a second refresh and decrypt, the age follows the new packedAt', async () => {
  const packedAt = new Date(Date.now() - 3_600_000).toISOString(); // packed an hour ago
  server.publish(await packAge(V2, RECIPIENT, { revision: '1800000000002-00000002', packedAt, expiresAt: inOneDay() }));
  await agent.waitFor('/v1/health', (r) => r.json<{ revision: string }>().revision === '1800000000002-00000002');
  const f = await metrics.until((x) => count(x, 'clef_agent_refreshes_total', { outcome: 'refreshed' }) === 2);
  expect(count(f, 'clef_agent_source_requests_total', { outcome: '200' })).toBe(2);
  expect(count(f, 'clef_agent_decrypts_total', { provider: 'age', outcome: 'ok' })).toBe(2);
  expect(sample(f, 'clef_agent_artifact_age_seconds')).toBeGreaterThanOrEqual(3_600);
});

it('outage: refresh errors and source request errors by code, degraded but ready; back to ok after', async () => {
  const errorsBefore = count((await metrics.scrape()).families, 'clef_agent_refresh_errors_total', { code: 'source_unavailable' });
  server.http.fault = { kind: 'status', status: 503 };
  // A poll already under way when the fault was set may still succeed: wait for a failure after it.
  const f = await metrics.until((x) => count(x, 'clef_agent_refresh_errors_total', { code: 'source_unavailable' }) > errorsBefore && sample(x, 'clef_agent_serving_status', { status: 'degraded' }) === 1);
  expect(count(f, 'clef_agent_source_requests_total', { outcome: 'source_unavailable' })).toBeGreaterThanOrEqual(1);
  expect(count(f, 'clef_agent_refreshes_total', { outcome: 'fetch_failed' })).toBeGreaterThanOrEqual(1);
  expect(sample(f, 'clef_agent_ready')).toBe(1);
  expect(sample(f, 'clef_agent_serving_status', { status: 'degraded' })).toBe(1);
  expect(sample(f, 'clef_agent_serving_status', { status: 'ok' })).toBe(0);

  // A second agent started during the outage serves from the disk cache: a disk hit, served from cache.
  const port2 = await freePort();
  const second = await startAgent({ token: TOKEN, env: { ...agentEnv(), CLEF_AGENT_METRICS_ADDRESS: `127.0.0.1:${port2}` } });
  await second.waitReady();
  // Serving from the cache comes first, the failed source refresh after it (a request error
  // is counted before the refresh settles): wait for both, as for the first agent above.
  const g = await new Scraper(port2).until((x) => sample(x, 'clef_agent_served_from', { origin: 'cache' }) === 1 && sample(x, 'clef_agent_serving_status', { status: 'degraded' }) === 1);
  expect(count(g, 'clef_agent_cache_lookups_total', { tier: 'disk', outcome: 'hit' })).toBeGreaterThanOrEqual(1);
  expect(count(g, 'clef_agent_source_requests_total', { outcome: 'source_unavailable' })).toBeGreaterThanOrEqual(1);
  expect(sample(g, 'clef_agent_serving_status', { status: 'degraded' })).toBe(1);
  await second.stop();

  server.http.fault = null;
  await metrics.until((x) => sample(x, 'clef_agent_serving_status', { status: 'ok' }) === 1);
});

it('revocation: not ready, unavailable, a revoked refresh, no age or expiry for wiped data', async () => {
  server.publish(revocationMarker('vector-svc', 'production'));
  // The state is read at scrape time, the refresh counters move when the refresh settles
  // (after its cache write): wait for the counted outcome too.
  const f = await metrics.until((x) => sample(x, 'clef_agent_ready') === 0 && count(x, 'clef_agent_refreshes_total', { outcome: 'revoked' }) === 1);
  expect(count(f, 'clef_agent_refreshes_total', { outcome: 'revoked' })).toBe(1);
  expect(sample(f, 'clef_agent_serving_status', { status: 'unavailable' })).toBe(1);
  expect(sample(f, 'clef_agent_served_from', { origin: 'none' })).toBe(1);
  expect(sample(f, 'clef_agent_artifact_age_seconds')).toBeUndefined();
  expect(sample(f, 'clef_agent_artifact_expires_in_seconds')).toBeUndefined();
  expect(promtoolCheck(metrics.bodies.at(-1)!).status).toBe(0);
});

it('no scrape ever carried a secret value, key name or the token', () => {
  expect(metrics.bodies.length).toBeGreaterThan(5);
  for (const body of metrics.bodies) for (const s of [...FORBIDDEN, TOKEN]) expect(body.includes(s)).toBe(false);
});

it('the metrics listener serves GET/HEAD /metrics only: every other path or method is refused, the API is not there', async () => {
  const head = await metrics.raw('/metrics', 'HEAD');
  expect([head.status, head.body]).toEqual([200, '']);
  for (const p of ['/v1/secrets', '/v1/keys', '/v1/health', '/v1/ready', '/', '/metrics/', '/metrics/x', '/METRICS']) {
    const r = await metrics.raw(p, 'GET', { authorization: `Bearer ${TOKEN}` });
    expect([p, r.status, r.json()]).toEqual([p, 404, expect.objectContaining({ code: 'not_found' })]);
    for (const s of FORBIDDEN) expect(r.body.includes(s)).toBe(false);
  }
  for (const m of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
    const r = await metrics.raw('/metrics', m);
    expect([m, r.status, r.headers.allow, r.json()]).toEqual([m, 405, 'GET, HEAD', expect.objectContaining({ code: 'method_not_allowed' })]);
  }
  const big = await metrics.raw('/metrics', 'GET', { 'x-big': 'a'.repeat(20 * 1024) });
  expect(big.status).toBe(431);
});

/** Local addresses of LISTEN sockets on `port` from /proc/net/tcp{,6} (Linux). */
function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A = LISTEN
      const [addr, hexPort] = cols[1].split(':');
      if (parseInt(hexPort, 16) === port) out.push(addr);
    }
  }
  return out;
}

it('metrics bind 0.0.0.0 while the secrets API stays on 127.0.0.1 only', () => {
  expect(listeningAddresses(metrics.port)).toEqual(['00000000']);
  expect(listeningAddresses(agent.port)).toEqual(['0100007F']);
});
