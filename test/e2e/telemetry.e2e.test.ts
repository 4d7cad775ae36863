/**
 * OTLP export from the real process to a loopback collector: events and metrics of a
 * load → rotate → revoke run, resource attributes, auth headers from the packed secrets
 * re-read on rotation, no secret in any received byte, and a hung collector that
 * neither slows serving nor blocks shutdown.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { OtlpCollector } from '../support/fakes/otlp-collector';
import { packAge, revocationMarker } from '../support/pack';
import { AGE_KEY_FILE, VECTORS_DIR } from '../support/vectors';
import { startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();
const tree = (rev: number) => ({
  app: { DB_PASSWORD: `db-password-secret-${rev}xyz` },
  ops: { CLEF_TELEMETRY_TOKEN: `otlp-token-v${rev}` },
});

let collector: OtlpCollector;
let server: ArtifactServer;
let agent: AgentProcess;

beforeAll(async () => {
  collector = await OtlpCollector.start();
  server = await ArtifactServer.start();
  server.publish(await packAge(tree(1), RECIPIENT, { revision: '1800000000001-000000e1' }));
  agent = await startAgent({
    env: {
      CLEF_AGENT_SOURCE: server.url,
      CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE,
      CLEF_AGENT_TELEMETRY_URL: collector.logsUrl,
      CLEF_AGENT_ID: 'agent-e2e-1',
      CLEF_AGENT_IDENTITY: 'vector-svc',
      CLEF_AGENT_ENVIRONMENT: 'production',
      CLEF_AGENT_POLL_INTERVAL: '0.2',
      OTEL_BLRP_SCHEDULE_DELAY: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '300',
    },
  });
  await agent.waitReady();
});
afterAll(async () => {
  await stopAllAgents();
  await server.close();
  await collector.close();
});

const logOf = (type: string, pred: (a: Record<string, unknown>) => boolean = () => true) =>
  collector.waitFor((c) => c.logs.find((l) => l.type === type && pred(l.attributes)));

it('exports lifecycle events with resource attributes and secret-provided auth headers', async () => {
  const refreshed = await logOf('artifact.refreshed');
  expect(refreshed.attributes).toMatchObject({ 'event.name': 'clef.artifact.refreshed', 'clef.revision': '1800000000001-000000e1' });
  expect(refreshed.resource).toMatchObject({
    'service.name': 'clef-agent',
    'clef.agent.id': 'agent-e2e-1',
    'clef.identity': 'vector-svc',
    'clef.environment': 'production',
    'clef.source.type': 'http',
  });
  await collector.waitFor((c) => c.requests.find((r) => r.headers.authorization === 'Bearer otlp-token-v1'));
  await logOf('agent.started');
});

it('re-reads the auth header after a rotation, and reports the rotation and a revocation', async () => {
  server.publish(await packAge(tree(2), RECIPIENT, { revision: '1800000000002-000000e2' }));
  await logOf('artifact.refreshed', (a) => a['clef.revision'] === '1800000000002-000000e2');
  await collector.waitFor((c) => c.requests.find((r) => r.headers.authorization === 'Bearer otlp-token-v2'));
  server.publish(revocationMarker('vector-svc', 'production'));
  await logOf('artifact.revoked');
});

it('exports metrics', async () => {
  const count = await collector.waitFor((c) => c.metric('clef.refresh.count').length > 0 && c.metric('clef.refresh.count'));
  const outcomes = count.flatMap((m) => m.points.map((p) => p.attributes.outcome));
  expect(outcomes).toEqual(expect.arrayContaining(['refreshed']));
  await collector.waitFor((c) => c.metric('clef.http.requests').length > 0);
});

it('sends no secret value and never the agent token', () => {
  const bytes = collector.receivedBytes().toString('utf8');
  for (const v of ['db-password-secret-1xyz', 'db-password-secret-2xyz', agent.token]) expect(bytes).not.toContain(v);
});

it('a hung collector neither blocks serving nor shutdown', async () => {
  server.publish(await packAge(tree(3), RECIPIENT, { revision: '1800000000003-000000e3' }));
  await agent.waitFor('/v1/ready', (r) => r.status === 200);
  collector.hang();
  const replies = await Promise.all(Array.from({ length: 20 }, () => agent.authGet('/v1/secrets')));
  for (const r of replies) expect(r.status).toBe(200);
  expect(await agent.stop('SIGTERM')).toBe(0);
});
