/**
 * The built `clef-agent` reading its artifact from S3, through the real AWS SDK and the
 * default credential chain (a loopback ECS container-credentials endpoint), against a
 * loopback S3 that verifies SigV4:
 *   - `s3://bucket/key` with AWS_ENDPOINT_URL_S3 (path-style, plain HTTP to loopback);
 *   - the `https://…amazonaws.com` forms over real TLS: a test-only preload
 *     (test/support/preload/amazonaws-loopback.js, via NODE_OPTIONS) sends TLS connections
 *     for *.amazonaws.com to the fake, whose certificate the child trusts through
 *     NODE_EXTRA_CA_CERTS. The product has no switch for this.
 */
import { hasCachedEntry } from '../support/cache-dir';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AMAZONAWS_TLS } from '../support/fakes/amazonaws-tls';
import { FakeEcsCredentials } from '../support/fakes/ecs-credentials';
import { FakeS3Server } from '../support/fakes/s3-server';
import { startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';
import { AGE_KEY_FILE, loadExpect, vectorText } from '../support/vectors';

type Health = { ready: boolean; servedFrom: string | null; lastError: { code: string } | null; source: { type: string; description: string } };

const VECTOR = 'a-age-basic';
const SECRETS = loadExpect(VECTOR).secrets;
const PRELOAD = path.resolve(__dirname, '../support/preload/amazonaws-loopback.js');
const BUCKET = 'clef-artifacts';
const KEY = 'clef/api/production.json';

let dir: string;
let caFile: string;
let s3: FakeS3Server;
let ecs: FakeEcsCredentials;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'clef-s3-e2e-'));
  caFile = path.join(dir, 'amazonaws-ca.pem');
  writeFileSync(caFile, AMAZONAWS_TLS.cert);
});
beforeEach(async () => {
  ecs = await FakeEcsCredentials.start();
  s3 = await FakeS3Server.start({ credentials: { [ecs.accessKeyId]: ecs.secretAccessKey }, tls: AMAZONAWS_TLS });
  s3.put(BUCKET, KEY, vectorText(VECTOR));
});
afterEach(async () => {
  await stopAllAgents();
  await s3.close();
  await ecs.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An ECS task's environment, nothing from the developer's machine. */
function env(source: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    CLEF_AGENT_SOURCE: source,
    CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE,
    HOME: dir,
    AWS_REGION: 'eu-west-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...ecs.env,
    ...extra,
  };
}

/** Reaches the fake's TLS listener under real AWS host names. */
function viaAmazonaws(): Record<string, string> {
  return { NODE_OPTIONS: `--require ${PRELOAD}`, CLEF_TEST_AMAZONAWS_TLS_PORT: String(s3.tlsPort), NODE_EXTRA_CA_CERTS: caFile };
}

/** Files under the cache directory (it writes one entry per source). */
const health = async (a: AgentProcess) => (await a.get('/v1/health')).json<Health>();

function expectNoCredentialIn(agent: AgentProcess, h: Health): void {
  const text = `${agent.output}\n${JSON.stringify(h)}`;
  for (const secret of [ecs.secretAccessKey, ecs.sessionToken, ecs.authToken, ecs.accessKeyId]) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/Signature=|X-Amz-Security-Token|AWS4-HMAC-SHA256/i);
}

it('serves s3://bucket/key from AWS_ENDPOINT_URL_S3, signed with the ECS container credentials, and polls with If-None-Match', async () => {
  const agent = await startAgent({ env: env(`s3://${BUCKET}/${KEY}`, { AWS_ENDPOINT_URL_S3: s3.endpoint, CLEF_AGENT_POLL_INTERVAL: '0.2' }) });
  await agent.waitReady();
  expect((await agent.authGet('/v1/secrets')).json()).toEqual(SECRETS);
  await agent.waitFor('/v1/health', () => s3.requests.some((r) => r.status === 304));
  const [first, ...polls] = s3.requests;
  expect(first).toMatchObject({ host: '127.0.0.1', bucket: BUCKET, key: KEY, accessKeyId: ecs.accessKeyId, sessionToken: ecs.sessionToken, signatureValid: true, status: 200 });
  expect(polls.find((r) => r.status === 304)).toMatchObject({ ifNoneMatch: expect.stringMatching(/^"/), signatureValid: true });
  const h = await health(agent);
  expect(h.source).toEqual({ type: 's3', description: `s3://${BUCKET}/${KEY}` });
  expect(agent.logLines().filter((l) => l.event === 'source.s3_auth').map((l) => l.mode)).toEqual(['signed']);
  expectNoCredentialIn(agent, h);
});

it.each([
  ['virtual-hosted, regional', `https://${BUCKET}.s3.eu-west-1.amazonaws.com/${KEY}`, BUCKET, `${BUCKET}.s3.eu-west-1.amazonaws.com`, 'eu-west-1'],
  ['virtual-hosted, dotted bucket (sent path-style: no TLS name covers it)', `https://clef.artifacts.s3.eu-west-1.amazonaws.com/${KEY}`, 'clef.artifacts', 's3.eu-west-1.amazonaws.com', 'eu-west-1'],
  ['path-style, global', `https://s3.amazonaws.com/${BUCKET}/${KEY}`, BUCKET, `${BUCKET}.s3.us-east-1.amazonaws.com`, 'us-east-1'],
])('serves the https %s form over TLS, signed for the region in the URL', async (_form, url, bucket, host, region) => {
  s3.put(bucket, KEY, vectorText(VECTOR));
  const agent = await startAgent({ env: env(url, { AWS_REGION: undefined, ...viaAmazonaws() }) });
  await agent.waitReady();
  expect((await agent.authGet('/v1/secrets')).json()).toEqual(SECRETS);
  expect(s3.requests[0]).toMatchObject({ host, bucket, key: KEY, region, accessKeyId: ecs.accessKeyId, signatureValid: true, status: 200 });
  expect((await health(agent)).source.type).toBe('s3');
});

it('a public object keeps working with no AWS credentials at all: unsigned, decided once and said once', async () => {
  s3.publicObjects.add(`${BUCKET}/${KEY}`);
  const url = `https://${BUCKET}.s3.eu-west-1.amazonaws.com/${KEY}`;
  const agent = await startAgent({
    env: env(url, { AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined, AWS_CONTAINER_AUTHORIZATION_TOKEN: undefined, CLEF_AGENT_POLL_INTERVAL: '0.2', ...viaAmazonaws() }),
  });
  await agent.waitReady();
  expect((await agent.authGet('/v1/secrets')).json()).toEqual(SECRETS);
  await agent.waitFor('/v1/health', () => s3.requests.length >= 4);
  expect(s3.requests.every((r) => r.accessKeyId === undefined && r.status !== 403)).toBe(true);
  const decisions = agent.logLines().filter((l) => l.event === 'source.s3_auth');
  expect(decisions.map((l) => l.mode)).toEqual(['unsigned']);
});

it('a presigned https URL stays a plain HTTP source with its query intact', async () => {
  s3.publicObjects.add(`${BUCKET}/${KEY}`);
  const query = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDPRESIGNED%2F20261205%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Signature=presigned0123456789abcdef';
  const agent = await startAgent({ env: env(`https://${BUCKET}.s3.eu-west-1.amazonaws.com/${KEY}?${query}`, viaAmazonaws()) });
  await agent.waitReady();
  expect(s3.requests[0]).toMatchObject({ path: `/${KEY}?${query}`, status: 200 });
  expect(s3.requests[0].accessKeyId).toBeUndefined(); // sent as given: no SigV4 header added
  const h = await health(agent);
  expect(h.source.type).toBe('http');
  expect(`${agent.output}${JSON.stringify(h)}`).not.toContain('presigned0123456789abcdef');
});

it('restarted during an S3 outage (SlowDown), it becomes ready from the disk cache, then recovers', async () => {
  const cache = mkdtempSync(path.join(dir, 'cache-'));
  const vars = env(`s3://${BUCKET}/${KEY}`, { AWS_ENDPOINT_URL_S3: s3.endpoint, CLEF_AGENT_CACHE_PATH: cache, CLEF_AGENT_POLL_INTERVAL: '0.2' });
  const first = await startAgent({ env: vars });
  await first.waitReady();
  // The entry is written after the swap (atomically, via a temp file): wait for it.
  await first.waitFor('/v1/health', () => hasCachedEntry(cache));
  await first.stop();
  s3.fault = { kind: 'error', status: 503, code: 'SlowDown', headers: { 'retry-after': '1' } };
  const agent = await startAgent({ env: vars });
  await agent.waitReady();
  expect(await health(agent)).toMatchObject({ servedFrom: 'cache', lastError: { code: 'source_rate_limited' } });
  expect((await agent.authGet('/v1/secrets')).json()).toEqual(SECRETS);
  s3.fault = null;
  await agent.waitFor('/v1/health', (r) => r.json<Health>().servedFrom === 'source' && r.json<Health>().lastError === null, 20_000);
});

it('denied by S3 (no s3:GetObject), health shows source_auth and nothing is served', async () => {
  s3.denySigned = true;
  const agent = await startAgent({ env: env(`s3://${BUCKET}/${KEY}`, { AWS_ENDPOINT_URL_S3: s3.endpoint }) });
  const r = await agent.waitFor('/v1/health', (x) => x.json<Health>().lastError?.code === 'source_auth');
  expect((await agent.get('/v1/ready')).status).toBe(503);
  expect((await agent.authGet('/v1/secrets')).status).toBe(503);
  // Signed was denied and the object is not public either: both ways were tried, once.
  expect(s3.requests.slice(0, 2).map((x) => [x.accessKeyId ?? 'unsigned', x.status])).toEqual([[ecs.accessKeyId, 403], ['unsigned', 403]]);
  expectNoCredentialIn(agent, r.json<Health>());
});
