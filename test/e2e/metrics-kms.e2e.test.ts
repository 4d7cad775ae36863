/**
 * KMS calls and decrypts by provider and outcome through the built agent (issue 19): a KMS
 * envelope artifact in JIT mode (every read decrypts) against a loopback KMS, allowed then
 * denied. The series count what the KMS saw; nothing of the artifact's keys shows.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FAKE_KEY_ARN, FakeKmsServer } from '../support/fakes/kms-server';
import { packEnvelope } from '../support/pack';
import { sample, Scraper } from '../support/prometheus';
import { freePort, startAgent, stopAllAgents } from '../support/agent-process';
import { awsProcessEnv } from '../support/cloud-kms-env';

const TREE = { app: { KMS_SECRET_NAME: 'kms-metrics-secret-value' } };
let dir: string;
let kms: FakeKmsServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'clef-metrics-kms-'));
  kms = await FakeKmsServer.start();
});
afterAll(async () => {
  await stopAllAgents();
  await kms.close();
  rmSync(dir, { recursive: true, force: true });
});

it('counts KMS calls and decrypts by provider and outcome', async () => {
  const dek = randomBytes(32);
  const artifact = path.join(dir, 'envelope.json');
  writeFileSync(artifact, packEnvelope(TREE, { dek, wrappedKey: kms.wrapDek(dek), keyId: FAKE_KEY_ARN }));
  const metricsPort = await freePort();
  const agent = await startAgent({
    env: {
      CLEF_AGENT_SOURCE: artifact,
      CLEF_AGENT_CACHE_TTL: '0', // JIT: each read unwraps the data key again
      CLEF_AGENT_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      ...awsProcessEnv(kms.endpoint, dir),
      AWS_MAX_ATTEMPTS: '1',
    },
  });
  await agent.waitReady();
  expect((await agent.authGet('/v1/secrets')).status).toBe(200);
  const metrics = new Scraper(metricsPort);
  const ok = kms.calls.length;
  const f = await metrics.until((x) => sample(x, 'clef_agent_kms_calls_total', { provider: 'aws', outcome: 'ok' }) === ok);
  expect(sample(f, 'clef_agent_decrypts_total', { provider: 'aws', outcome: 'ok' })).toBe(ok);

  kms.deny();
  const denied = await agent.authGet('/v1/secrets');
  expect(denied.json()).toMatchObject({ code: 'kms_access_denied' });
  const g = await metrics.until((x) => (sample(x, 'clef_agent_kms_calls_total', { provider: 'aws', outcome: 'kms_access_denied' }) ?? 0) >= 1);
  expect(sample(g, 'clef_agent_decrypts_total', { provider: 'aws', outcome: 'kms_access_denied' })).toBeGreaterThanOrEqual(1);
  for (const body of metrics.bodies) for (const s of ['KMS_SECRET_NAME', 'kms-metrics-secret-value', FAKE_KEY_ARN, agent.token]) expect(body).not.toContain(s);
});
