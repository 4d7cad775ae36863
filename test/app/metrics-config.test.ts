import { loadConfig } from '../../src/app/config/load-config';
import { prometheusNaming } from '../../src/adapters/telemetry/prometheus-names';
import { BASE_ENV, configError } from '../support/config-env';


describe('CLEF_AGENT_METRICS_ADDRESS and CLEF_AGENT_MAX_CONNECTIONS', () => {
  it('defaults: no metrics listener, 256 connections per listener', async () => {
    expect(await loadConfig(BASE_ENV)).toMatchObject({ metrics: undefined, maxConnections: 256 });
    expect((await loadConfig({ ...BASE_ENV, CLEF_AGENT_MAX_CONNECTIONS: '32' })).maxConnections).toBe(32);
  });

  it.each([
    ['0.0.0.0:9779', { host: '0.0.0.0', port: 9779 }],
    ['127.0.0.1:9779', { host: '127.0.0.1', port: 9779 }],
    ['[::]:9779', { host: '::', port: 9779 }],
    ['[::1]:0', { host: '::1', port: 0 }],
    ['localhost:9779', { host: '127.0.0.1', port: 9779 }],
  ])('parses %s', async (address, expected) => {
    expect((await loadConfig({ ...BASE_ENV, CLEF_AGENT_METRICS_ADDRESS: address })).metrics).toEqual(expected);
  });

  it.each(['9779', ':9779', 'example.com:9779', '0.0.0.0:70000', '::1:9779', '[0.0.0.0]:9779', '0.0.0.0:97x'])('refuses %s naming the variable', async (address) => {
    const e = await configError({ CLEF_AGENT_METRICS_ADDRESS: address });
    expect(e.variable).toBe('CLEF_AGENT_METRICS_ADDRESS');
  });

  it.each(['0', '-1', 'many', '70000'])('refuses CLEF_AGENT_MAX_CONNECTIONS=%s', async (value) => {
    expect((await configError({ CLEF_AGENT_MAX_CONNECTIONS: value })).variable).toBe('CLEF_AGENT_MAX_CONNECTIONS');
  });
});

describe('Prometheus names of the OpenTelemetry instruments', () => {
  it.each([
    ['clef.refresh.count', '{refresh}', 'clef_agent_refreshes', 1],
    ['clef.refresh.duration', 'ms', 'clef_agent_refresh_duration_seconds', 1 / 1000],
    ['clef.artifact.age', 's', 'clef_agent_artifact_age_seconds', 1],
    ['clef.source.requests', '{request}', 'clef_agent_source_requests', 1],
    ['clef.ready', '1', 'clef_agent_ready', 1],
    ['clef.files.rendered', 'By', 'clef_agent_files_rendered_bytes', 1],
    ['clef.refresh.last_success_timestamp', 's', 'clef_agent_refresh_last_success_timestamp_seconds', 1],
  ])('%s (%s) → %s', (name, unit, expected, scale) => {
    expect(prometheusNaming(name, unit)).toEqual({ name: expected, scale });
  });
});
