import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { OtlpCollector } from '../../support/fakes/otlp-collector';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../..');

/**
 * The OTLP adapter as production runs it: plain node, the SDK's own HTTP transport
 * (jest tests replace it, see support/jest-otlp-transport.ts). The driver is bundled with
 * esbuild (packages left external, resolved from the project's node_modules).
 */
describe('OtlpTelemetry in plain node', () => {
  let dir: string;
  let bundle: string;
  let collector: OtlpCollector;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'clef-otlp-e2e-'));
    bundle = path.join(dir, 'driver.js');
    const esbuild = path.join(root, 'node_modules', '.bin', 'esbuild');
    const entry = path.join(__dirname, 'fixtures', 'otlp-driver.ts');
    await run(esbuild, [entry, '--bundle', '--platform=node', '--format=cjs', '--packages=external', `--outfile=${bundle}`, '--log-level=error']);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    collector = await OtlpCollector.start();
  });
  afterEach(async () => {
    await collector.close();
  });

  it.each(['http/json', 'http/protobuf'])('exports logs and metrics over %s, loading the SDK lazily', async (protocol) => {
    const { stdout } = await run(process.execPath, [bundle, collector.logsUrl, collector.metricsUrl, protocol], {
      env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') },
    });
    expect(JSON.parse(stdout)).toEqual({ before: 0, after: expect.any(Number) });
    expect(JSON.parse(stdout).after).toBeGreaterThan(0);

    expect(collector.logs.map((l) => [l.type, l.attributes['clef.reason']])).toEqual([
      ['agent.started', undefined],
      ['artifact.invalid', 'signature_invalid'],
    ]);
    expect(collector.metric('clef.refresh.count').at(-1)?.points).toEqual([{ attributes: { outcome: 'invalid' }, value: 1 }]);
    const logsRequest = collector.requests.find((r) => r.path === '/v1/logs');
    expect(logsRequest?.headers.authorization).toBe('Bearer e2e-token');
    expect(logsRequest?.contentType).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
  });
});
