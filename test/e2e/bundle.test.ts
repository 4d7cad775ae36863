/**
 * The split bundle (scripts/bundle.js): a launcher, lib/main.js with a trained V8 code
 * cache, and the optional SDKs in chunks read only when configured. Run for real: the
 * cache is accepted by this node and ignored when it does not match, and every chunk
 * works through the launcher (KMS via the AWS SDK, GCP Cloud KMS and Azure Key Vault via their
 * SDKs, OTLP export, keyv + Redis fleet tier, YAML tokens file) against loopback fakes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FAKE_KEY_ARN, FakeKmsServer } from '../support/fakes/kms-server';
import { FakeEcsCredentials } from '../support/fakes/ecs-credentials';
import { FakeS3Server } from '../support/fakes/s3-server';
import { FAKE_AZURE_KEY, FakeKeyVault, FakeManagedIdentity } from '../support/fakes/azure-key-vault';
import { FAKE_GCP_KEY, FakeCloudKms, FakeGceMetadata } from '../support/fakes/gcp-kms-server';
import { awsProcessEnv, azureProcessEnv, gcpProcessEnv } from '../support/cloud-kms-env';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { OtlpCollector } from '../support/fakes/otlp-collector';
import { packAge, packEnvelope } from '../support/pack';
import { startRedis } from '../support/redis';
import { freePort, httpGet, startAgent, stopAllAgents } from '../support/agent-process';
import { AGE_KEY_FILE, VECTORS_DIR, loadExpect, vectorPath } from '../support/vectors';

const ROOT = path.resolve(__dirname, '../..');
const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();
const TREE = { app: { KEY: 'bundle-test-value-1' } };

let dir: string;
let launcher: string;
let lib: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'clef-bundle-'));
  launcher = path.join(dir, 'clef-agent');
  lib = path.join(dir, 'clef-agent-lib');
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/bundle.js'), launcher, '--train'], { stdio: 'pipe' });
}, 120_000);
afterAll(async () => {
  await stopAllAgents();
  rmSync(dir, { recursive: true, force: true });
});

/** Whether V8 took lib/main.js.cache, asked in a fresh node with `nodeArgs`. */
function cacheRejected(nodeArgs: string[] = []): boolean {
  const code = `process.stdout.write(String(require(${JSON.stringify(launcher)}).compile().cachedDataRejected))`;
  return execFileSync(process.execPath, [...nodeArgs, '-e', code], { encoding: 'utf8' }) === 'true';
}

it('writes the launcher, the agent, its code cache and one chunk per optional SDK', () => {
  expect(readdirSync(lib).sort()).toEqual(['aws.js', 'azure.js', 'cache.js', 'cloud.js', 'gcp.js', 'kms.js', 'main.js', 'main.js.cache', 'otel.js', 's3.js', 'yaml.js']);
  expect(statSync(launcher).mode & 0o777).toBe(0o755);
  for (const f of readdirSync(lib)) expect([f, statSync(path.join(lib, f)).mode & 0o777]).toEqual([f, 0o644]);
  const text = (f: string) => readFileSync(path.join(lib, f), 'utf8');
  // Each optional SDK is in its chunk and not in main.js: an agent that does not use it never parses it.
  const markers: Array<[string, string]> = [
    ['TrentService', 'kms.js'],
    ['AmazonS3', 's3.js'],
    ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'aws.js'],
    ['computeMetadata', 'gcp.js'],
    ['CryptographyClient.unwrapKey', 'azure.js'],
    ['Proxy-Authorization', 'cloud.js'],
    ['opentelemetry.js.api', 'otel.js'],
    ['KeyvHooks', 'cache.js'],
    ['YAMLParseError', 'yaml.js'],
  ];
  for (const [marker, chunk] of markers) expect([marker, text('main.js').includes(marker), text(chunk).includes(marker)]).toEqual([marker, false, true]);
  // The AWS clients share one copy of the Smithy runtime and credential chain: the KMS and
  // S3 chunks require aws.js and contain none of it themselves (bundle.js fails a build
  // that would put a package in two outputs).
  for (const chunk of ['kms.js', 's3.js']) {
    expect([chunk, text(chunk).includes('require("./aws.js")'), text(chunk).includes('AWS_CONTAINER_CREDENTIALS_FULL_URI')]).toEqual([chunk, true, false]);
  }
});

it('the trained cache is accepted by this node, and rejected under other V8 flags', () => {
  expect(cacheRejected()).toBe(false);
  expect(cacheRejected(['--max-semi-space-size=3'])).toBe(true);
});

it('serves a vector through the launcher, with the cache and with a cache V8 rejects', async () => {
  const run = async () => {
    const agent = await startAgent({ entry: launcher, env: { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE } });
    await agent.waitReady();
    expect((await agent.authGet('/v1/secrets')).json()).toEqual(loadExpect('a-age-basic').secrets);
    await agent.stop();
  };
  await run();
  const cache = path.join(lib, 'main.js.cache');
  const trained = readFileSync(cache);
  try {
    writeFileSync(cache, randomBytes(trained.length)); // garbage: V8 rejects it, the launcher compiles from source
    expect(cacheRejected()).toBe(true);
    await run();
  } finally {
    writeFileSync(cache, trained);
  }
});

it('loads the KMS chunk for an envelope artifact (real AWS SDK, loopback KMS)', async () => {
  const kms = await FakeKmsServer.start();
  try {
    const dek = randomBytes(32);
    const artifact = path.join(dir, 'envelope.json');
    writeFileSync(artifact, packEnvelope(TREE, { dek, wrappedKey: kms.wrapDek(dek), keyId: FAKE_KEY_ARN }));
    const agent = await startAgent({
      entry: launcher,
      env: { CLEF_AGENT_SOURCE: artifact, ...awsProcessEnv(kms.endpoint, dir) },
    });
    await agent.waitReady();
    expect((await agent.authGet('/v1/secrets')).json()).toEqual(TREE);
    expect(kms.calls.map((c) => c.target)).toEqual(['TrentService.Decrypt']);
    await agent.stop();
  } finally {
    await kms.close();
  }
});

it('loads the S3 and KMS chunks over one shared aws.js: an envelope artifact from S3, signed with ECS credentials', async () => {
  const kms = await FakeKmsServer.start();
  const ecs = await FakeEcsCredentials.start();
  const s3 = await FakeS3Server.start({ credentials: { [ecs.accessKeyId]: ecs.secretAccessKey } });
  try {
    const dek = randomBytes(32);
    s3.put('clef-bundle', 'api/production.json', packEnvelope(TREE, { dek, wrappedKey: kms.wrapDek(dek), keyId: FAKE_KEY_ARN }));
    const agent = await startAgent({
      entry: launcher,
      env: {
        CLEF_AGENT_SOURCE: 's3://clef-bundle/api/production.json',
        HOME: dir,
        ...ecs.env,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ENDPOINT_URL_KMS: kms.endpoint,
        AWS_REGION: 'eu-west-1',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    await agent.waitReady();
    expect((await agent.authGet('/v1/secrets')).json()).toEqual(TREE);
    expect(s3.requests.map((r) => [r.accessKeyId, r.signatureValid])).toEqual([[ecs.accessKeyId, true]]);
    expect(kms.calls.map((c) => [c.target, c.signed])).toEqual([['TrentService.Decrypt', true]]);
    await agent.stop();
  } finally {
    await s3.close();
    await ecs.close();
    await kms.close();
  }
});

it('loads the GCP chunk (and the shared cloud chunk) for a gcp envelope: real google-auth-library, loopback metadata server and Cloud KMS', async () => {
  const metadata = await FakeGceMetadata.start();
  const kms = await FakeCloudKms.start(() => metadata.token);
  try {
    const dek = randomBytes(32);
    const artifact = path.join(dir, 'gcp-envelope.json');
    writeFileSync(artifact, packEnvelope(TREE, { dek, wrappedKey: kms.wrapDek(dek), keyId: FAKE_GCP_KEY, provider: 'gcp' }));
    const agent = await startAgent({ entry: launcher, env: { CLEF_AGENT_SOURCE: artifact, ...gcpProcessEnv(kms, metadata, dir) } });
    await agent.waitReady();
    expect((await agent.authGet('/v1/secrets')).json()).toEqual(TREE);
    expect(kms.calls).toEqual([{ name: FAKE_GCP_KEY, authorization: `Bearer ${metadata.token}` }]);
    await agent.stop();
  } finally {
    await kms.close();
    await metadata.close();
  }
});

it('loads the Azure chunk for an azure envelope: real Key Vault SDK and identity, loopback vault over TLS', async () => {
  const identity = await FakeManagedIdentity.start();
  const vault = await FakeKeyVault.start(() => identity.token);
  try {
    const dek = randomBytes(32);
    const artifact = path.join(dir, 'azure-envelope.json');
    writeFileSync(artifact, packEnvelope(TREE, { dek, wrappedKey: vault.wrapDek(dek), keyId: FAKE_AZURE_KEY, provider: 'azure' }).replace('"SYMMETRIC_DEFAULT"', '"RSA-OAEP-256"'));
    const agent = await startAgent({ entry: launcher, env: { CLEF_AGENT_SOURCE: artifact, ...azureProcessEnv(vault, identity, dir) } });
    await agent.waitReady();
    expect((await agent.authGet('/v1/secrets')).json()).toEqual(TREE);
    expect(vault.unwrapCalls).toHaveLength(1);
    await agent.stop();
  } finally {
    await vault.close();
    await identity.close();
  }
});

it('loads the OTLP chunk and exports to a loopback collector', async () => {
  const collector = await OtlpCollector.start();
  try {
    const agent = await startAgent({
      entry: launcher,
      env: { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_TELEMETRY_URL: collector.logsUrl, OTEL_BLRP_SCHEDULE_DELAY: '100' },
    });
    await agent.waitReady();
    const refreshed = await collector.waitFor((c) => c.logs.find((l) => l.type === 'artifact.refreshed'));
    expect(refreshed.resource).toMatchObject({ 'service.name': 'clef-agent' });
    await agent.stop();
  } finally {
    await collector.close();
  }
});

it('loads the OTel chunk for Prometheus metrics alone (no OTLP) and serves a scrape', async () => {
  const metricsPort = await freePort();
  const agent = await startAgent({
    entry: launcher,
    env: { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_METRICS_ADDRESS: `127.0.0.1:${metricsPort}` },
  });
  await agent.waitReady();
  let text = '';
  for (let i = 0; i < 100 && !/^clef_agent_ready 1$/m.test(text); i++) text = (await httpGet(metricsPort, '/metrics')).body;
  expect(text).toMatch(/^clef_agent_ready 1$/m);
  expect(text).toMatch(/^clef_agent_refreshes_total\{outcome="refreshed"\} 1$/m);
  await agent.stop();
});

it('loads the YAML chunk for a scoped tokens file', async () => {
  const token = 'bundle-scoped-token-0123456789';
  const tokens = path.join(dir, 'tokens.yaml');
  const sha256 = createHash('sha256').update(token).digest('hex');
  writeFileSync(tokens, `tokens:\n  - name: app\n    sha256: ${sha256}\n    namespaces: [app]\n`, { mode: 0o600 });
  const artifact = path.join(dir, 'scoped.json');
  writeFileSync(artifact, await packAge({ ...TREE, other: { KEY: 'not-for-app' } }, RECIPIENT));
  const agent = await startAgent({ entry: launcher, env: { CLEF_AGENT_SOURCE: artifact, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_TOKENS_FILE: tokens } });
  await agent.waitReady();
  expect((await agent.get('/v1/secrets', { authorization: `Bearer ${token}` })).json()).toEqual(TREE);
  await agent.stop();
});

it('loads the Redis chunk: a second agent becomes ready from the fleet tier while the source is down', async () => {
  const redis = await startRedis();
  const server = await ArtifactServer.start();
  try {
    server.publish(await packAge(TREE, RECIPIENT, { revision: '1800000000001-0000000b' }));
    const env = { CLEF_AGENT_SOURCE: server.url, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_CACHE_URL: redis.url };
    const first = await startAgent({ entry: launcher, env });
    await first.waitReady();
    // The first agent published to Redis after its refresh (the second one's retries find it
    // there even if that write is still in flight).
    server.http.fault = { kind: 'status', status: 503 };
    const second = await startAgent({ entry: launcher, env });
    await second.waitReady(30_000);
    expect((await second.authGet('/v1/secrets')).json()).toEqual(TREE);
    expect((await second.get('/v1/health')).json<{ servedFrom: string }>().servedFrom).toBe('fleet');
  } finally {
    await stopAllAgents();
    await server.close();
    await redis.stop();
  }
});
