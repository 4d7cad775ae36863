import { childEnvironment, secretVariables, type SkipReason } from '../../src/app/commands/exec-env';
import type { ExecConfig } from '../../src/app/config/agent-config';
import { SecretsSnapshot } from '../../src/domain/snapshot';

function snapshot(tree: Record<string, Record<string, string>>): SecretsSnapshot {
  return new SecretsSnapshot('rev-1', tree);
}

function run(snap: SecretsSnapshot, exec: Partial<ExecConfig>) {
  const skipped: Array<[string, SkipReason]> = [];
  const vars = secretVariables(snap, { prefix: '', onRotate: { kind: 'none' }, ...exec }, (key, reason) => skipped.push([key, reason]));
  return { vars: { ...vars }, skipped };
}

describe('exec variables', () => {
  const snap = snapshot({
    api: { DB_URL: 'postgres://db', 'bad-name': 'v1', 'with space': 'v2', NUL: 'a\0b' },
    shared: { LOG_LEVEL: 'debug' },
  });

  it('names secrets <namespace>__<key>, case kept, and skips what cannot be a variable (by key, never value)', () => {
    const { vars, skipped } = run(snap, {});
    expect(vars).toEqual({ api__DB_URL: 'postgres://db', shared__LOG_LEVEL: 'debug' });
    expect(skipped).toEqual([
      ['api__bad-name', 'invalid_name'],
      ['api__with space', 'invalid_name'],
      ['api__NUL', 'nul_in_value'],
    ]);
    expect(JSON.stringify(skipped)).not.toMatch(/v1|v2|a\\u0000b/);
  });

  it('applies CLEF_AGENT_EXEC_PREFIX', () => {
    expect(Object.keys(run(snap, { prefix: 'APP_' }).vars)).toEqual(['APP_api__DB_URL', 'APP_shared__LOG_LEVEL']);
  });

  it('with CLEF_AGENT_EXEC_KEYS exports exactly the mapped secrets under their names', () => {
    const keys = new Map([
      ['api__DB_URL', 'DATABASE_URL'],
      ['shared__LOG_LEVEL', 'LOG_LEVEL'],
      ['api__MISSING', 'MISSING'],
    ]);
    const { vars, skipped } = run(snap, { keys });
    expect(vars).toEqual({ DATABASE_URL: 'postgres://db', LOG_LEVEL: 'debug' });
    expect(skipped).toEqual([['api__MISSING', 'not_in_artifact']]);
  });

  it('skips a second secret that maps to a name already taken', () => {
    const colliding = snapshot({ a: { b__c: '1' }, a__b: { c: '2' } });
    const { vars, skipped } = run(colliding, {});
    expect(vars).toEqual({ a__b__c: '1' });
    expect(skipped).toEqual([['a__b__c', 'duplicate_name']]);
  });

  it('gives the child the parent environment minus CLEF_AGENT_*, secrets winning', () => {
    const env = childEnvironment({ PATH: '/bin', HOME: '/root', CLEF_AGENT_AGE_KEY: 'AGE-SECRET-KEY-1...', CLEF_AGENT_TOKEN: 't', api__DB_URL: 'old' }, { api__DB_URL: 'new' });
    expect(env).toEqual({ PATH: '/bin', HOME: '/root', api__DB_URL: 'new' });
  });

  it("strips the agent's OTLP exporter credentials but keeps the other OTEL_* settings", () => {
    const parent = {
      PATH: '/bin',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=agent-secret',
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-api-key=logs-secret',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-api-key=metrics-secret',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-api-key=traces-secret',
      OTEL_EXPORTER_OTLP_CLIENT_KEY: '/keys/otlp.key',
      OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: '/keys/otlp.crt',
      OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY: '/keys/logs.key',
      OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE: '/keys/metrics.crt',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_CERTIFICATE: '/etc/ca.pem',
      OTEL_SERVICE_NAME: 'billing',
      OTEL_RESOURCE_ATTRIBUTES: 'team=payments',
    };
    expect(childEnvironment(parent, {})).toEqual({
      PATH: '/bin',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_CERTIFICATE: '/etc/ca.pem',
      OTEL_SERVICE_NAME: 'billing',
      OTEL_RESOURCE_ATTRIBUTES: 'team=payments',
    });
  });

  it('a secret of the same name is still exported: the artifact is where a child gets its telemetry credentials', () => {
    const env = childEnvironment({ OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=agent' }, { OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=app' });
    expect(env).toEqual({ OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=app' });
  });
});
