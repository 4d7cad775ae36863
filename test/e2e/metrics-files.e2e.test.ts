/**
 * Secrets as files in the Prometheus metrics (issues 17 and 19) through the real process:
 * CLEF_AGENT_FILES with an on_change action that fails once, CLEF_AGENT_METRICS_ADDRESS.
 * The first render, a rotation, a render that fails (a template names a secret the new
 * revision lacks) and the recovery, the failing then succeeding action and a revocation
 * move the clef_agent_file_* series; every scrape checked passes `promtool check metrics`,
 * and no scrape carries a secret value, key name, output path or the action's command.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { packAge, revocationMarker, type Tree } from '../support/pack';
import { promtoolCheck, sample, Scraper, type MetricFamily } from '../support/prometheus';
import { AGE_KEY_FILE, VECTORS_DIR } from '../support/vectors';
import { actionCommand, actionRuns } from '../support/files/on-change';
import { freePort, startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();
const TOKEN = 'files-metrics-token-0123456789abcdef';
const tree = (n: number, withTemplateKey = true): Tree => ({
  app: {
    DB_PASSWORD: `files-metrics-db-${n}`,
    NUL_VALUE: `nul\u0000inside-${n}`, // a dotenv file cannot hold it: skipped by reason
    ...(withTemplateKey ? { TEMPLATE_ONLY: `files-metrics-template-${n}` } : {}),
  },
});
const revision = (n: number) => `${1800000000000 + n}-${n.toString(16).padStart(8, '0')}`;
const inOneDay = () => new Date(Date.now() + 86_400_000).toISOString();
const count = (f: MetricFamily[], name: string, labels: Record<string, string> = {}) => sample(f, name, labels) ?? 0;

let server: ArtifactServer;
let dir: string;
let agent: AgentProcess;
let metrics: Scraper;
const out = () => path.join(dir, 'out');
const actionLog = () => path.join(dir, 'actions.log');

async function publish(n: number, withTemplateKey = true): Promise<void> {
  server.publish(await packAge(tree(n, withTemplateKey), RECIPIENT, { revision: revision(n), expiresAt: inOneDay() }));
}

beforeAll(async () => {
  server = await ArtifactServer.start();
  dir = mkdtempSync(path.join(tmpdir(), 'clef-files-metrics-'));
  await publish(1);
  const files = path.join(dir, 'files.yaml');
  writeFileSync(
    files,
    `outputs:
  - { path: ${out()}/app.env, format: dotenv, on_change: { command: ${actionCommand(actionLog(), 'fail-once')}, settle: 10ms, backoff: 30ms } }
  - { path: ${out()}/app.conf, template: 'password={{ secret "app" "TEMPLATE_ONLY" }}' }
`,
    { mode: 0o600 },
  );
  const metricsPort = await freePort();
  agent = await startAgent({
    token: TOKEN,
    env: { CLEF_AGENT_SOURCE: server.url, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_POLL_INTERVAL: '0.2', CLEF_AGENT_FILES: files, CLEF_AGENT_METRICS_ADDRESS: `127.0.0.1:${metricsPort}` },
  });
  metrics = new Scraper(metricsPort);
});
afterAll(async () => {
  await stopAllAgents();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

it('first render: one ok render, two changed outputs, a skipped key, the action failing once then ok', async () => {
  const f = await metrics.until((x) => count(x, 'clef_agent_file_actions_total', { outcome: 'ok' }) === 1);
  expect(count(f, 'clef_agent_file_renders_total', { outcome: 'ok' })).toBe(1);
  expect(count(f, 'clef_agent_file_outputs_changed_total')).toBe(2);
  expect(count(f, 'clef_agent_file_keys_skipped_total', { reason: 'nul_in_value' })).toBe(1);
  expect(count(f, 'clef_agent_file_actions_total', { outcome: 'files_action_failed' })).toBe(1);
  expect(Math.abs(sample(f, 'clef_agent_file_last_render_timestamp_seconds')! - Date.now() / 1000)).toBeLessThan(30);
  expect(sample(f, 'clef_agent_file_removals_total')).toBeUndefined();
  expect(f.map((x) => x.name)).toEqual(expect.arrayContaining(['clef_agent_file_render_duration_seconds', 'clef_agent_file_action_duration_seconds']));
  expect(actionRuns(actionLog())).toHaveLength(1); // the failed run logs nothing
  expect(readFileSync(path.join(out(), 'app.conf'), 'utf8')).toBe('password=files-metrics-template-1');
  expect(promtoolCheck(metrics.bodies.at(-1)!)).toEqual({ status: 0, output: '' });
});

it('rotation: a second ok render, both outputs changed again, one more action run', async () => {
  const before = await metrics.scrape();
  const lastRender = sample(before.families, 'clef_agent_file_last_render_timestamp_seconds')!;
  await publish(2);
  const f = await metrics.until((x) => count(x, 'clef_agent_file_renders_total', { outcome: 'ok' }) === 2 && count(x, 'clef_agent_file_actions_total', { outcome: 'ok' }) === 2);
  expect(count(f, 'clef_agent_file_outputs_changed_total')).toBe(4);
  expect(count(f, 'clef_agent_file_actions_total', { outcome: 'files_action_failed' })).toBe(1);
  expect(sample(f, 'clef_agent_file_last_render_timestamp_seconds')).toBeGreaterThanOrEqual(lastRender);
  expect(promtoolCheck(metrics.bodies.at(-1)!).status).toBe(0);
});

it('a revision the template cannot render counts a failure by code (what the render-failure alert watches); the next one renders', async () => {
  await publish(3, false);
  let f = await metrics.until((x) => count(x, 'clef_agent_file_renders_total', { outcome: 'files_missing_secret' }) === 1);
  expect(count(f, 'clef_agent_file_renders_total', { outcome: 'ok' })).toBe(2);
  expect(count(f, 'clef_agent_file_outputs_changed_total')).toBe(4); // the previous files stay
  expect(readFileSync(path.join(out(), 'app.conf'), 'utf8')).toBe('password=files-metrics-template-2');
  // The detail (which output, which name) is in the log, not in a label.
  expect(agent.logLines().find((l) => l.event === 'files.render_failed')).toMatchObject({ code: 'files_missing_secret', revision: revision(3) });
  expect(promtoolCheck(metrics.bodies.at(-1)!).status).toBe(0);

  await publish(4);
  f = await metrics.until((x) => count(x, 'clef_agent_file_renders_total', { outcome: 'ok' }) === 3 && count(x, 'clef_agent_file_actions_total', { outcome: 'ok' }) === 3);
  expect(count(f, 'clef_agent_file_outputs_changed_total')).toBe(6);
  expect(count(f, 'clef_agent_file_renders_total', { outcome: 'files_missing_secret' })).toBe(1);
});

it('revocation: one removal by reason, the files are gone, no render counted', async () => {
  server.publish(revocationMarker());
  const f = await metrics.until((x) => count(x, 'clef_agent_file_removals_total', { reason: 'revoked' }) === 1);
  expect(existsSync(path.join(out(), 'app.env'))).toBe(false);
  expect(existsSync(path.join(out(), 'app.conf'))).toBe(false);
  expect(count(f, 'clef_agent_file_renders_total', { outcome: 'ok' })).toBe(3);
  expect(sample(f, 'clef_agent_ready')).toBe(0);
  expect(promtoolCheck(metrics.bodies.at(-1)!)).toEqual({ status: 0, output: '' });
});

it('no scrape carried a secret value, key name, output path, the action command or the token', () => {
  expect(metrics.bodies.length).toBeGreaterThan(4);
  const forbidden = [
    ...[1, 2, 3, 4].flatMap((n) => Object.values(tree(n).app)),
    'files-metrics-',
    'DB_PASSWORD',
    'NUL_VALUE',
    'TEMPLATE_ONLY',
    dir,
    'app.env',
    'app.conf',
    'action.js',
    'command:',
    TOKEN,
  ];
  for (const body of metrics.bodies) for (const s of forbidden) expect([s, body.includes(s)]).toEqual([s, false]);
});
