import {
  OtlpConfigError,
  resolveOtlpConfig,
  telemetryHeadersFromSecrets,
} from '../../../src/adapters/telemetry/otlp-config';

describe('resolveOtlpConfig', () => {
  const cases: Array<[string, Record<string, string>, string | undefined, object | undefined]> = [
    ['nothing configured', {}, undefined, undefined],
    ['blank CLEF_AGENT_TELEMETRY_URL', {}, '  ', undefined],
    [
      'CLEF_AGENT_TELEMETRY_URL only: verbatim logs URL, http/json like the reference',
      {},
      'https://otel.example.com/v1/logs',
      { logsUrl: 'https://otel.example.com/v1/logs', metricsUrl: 'https://otel.example.com/v1/metrics', protocol: 'http/json' },
    ],
    [
      'CLEF URL with a path prefix and query keeps both for metrics',
      {},
      'https://otel.example.com/tenant/v1/logs?team=a',
      { logsUrl: 'https://otel.example.com/tenant/v1/logs?team=a', metricsUrl: 'https://otel.example.com/tenant/v1/metrics?team=a' },
    ],
    [
      'CLEF URL not ending in /v1/logs: metrics at its origin',
      {},
      'https://ingest.example.com/custom/logs',
      { logsUrl: 'https://ingest.example.com/custom/logs', metricsUrl: 'https://ingest.example.com/v1/metrics' },
    ],
    [
      'OTEL_EXPORTER_OTLP_ENDPOINT: signal paths appended, protobuf by default',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' },
      undefined,
      { logsUrl: 'http://localhost:4318/v1/logs', metricsUrl: 'http://localhost:4318/v1/metrics', protocol: 'http/protobuf' },
    ],
    [
      'OTEL_EXPORTER_OTLP_ENDPOINT with a path prefix (trailing slash or not)',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example.com/otlp/' },
      undefined,
      { logsUrl: 'https://gw.example.com/otlp/v1/logs', metricsUrl: 'https://gw.example.com/otlp/v1/metrics' },
    ],
    [
      'signal-specific endpoints are used verbatim and win over the base',
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318',
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:9000/ingest',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://metrics:9001/m',
      },
      undefined,
      { logsUrl: 'http://logs:9000/ingest', metricsUrl: 'http://metrics:9001/m' },
    ],
    [
      'only a logs endpoint: no metrics pipeline',
      { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:9000/v1/logs' },
      undefined,
      { logsUrl: 'http://logs:9000/v1/logs', metricsUrl: undefined },
    ],
    [
      'CLEF_AGENT_TELEMETRY_URL wins for logs (and derived metrics) over OTEL endpoints',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:9000/x' },
      'https://clef.example.com/v1/logs',
      { logsUrl: 'https://clef.example.com/v1/logs', metricsUrl: 'https://clef.example.com/v1/metrics', protocol: 'http/json' },
    ],
    [
      'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT wins over the metrics URL derived from CLEF',
      { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://metrics:9001/v1/metrics' },
      'https://clef.example.com/v1/logs',
      { metricsUrl: 'http://metrics:9001/v1/metrics' },
    ],
    [
      'explicit protocol wins over the CLEF default',
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' },
      'https://clef.example.com/v1/logs',
      { protocol: 'http/protobuf' },
    ],
    [
      'OTEL_EXPORTER_OTLP_HEADERS: comma k=v, trimmed, percent-decoded, malformed skipped',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%20b%3Dc , x-tenant = acme,novalue,=anon,bad%zz=1,x-bad=%zz' },
      undefined,
      { headers: { 'api-key': 'a b=c', 'x-tenant': 'acme' } },
    ],
  ];

  it.each(cases)('%s', (_name, env, clefUrl, expected) => {
    const resolved = resolveOtlpConfig(env, clefUrl);
    if (expected === undefined) expect(resolved).toBeUndefined();
    else expect(resolved).toMatchObject(expected);
  });

  it.each([
    ['grpc', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, /grpc is not supported/],
    ['an unknown protocol', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' }, /must be http\/protobuf or http\/json/],
    ['an unparsable endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: '//user:p4ss@no scheme' }, /OTEL_EXPORTER_OTLP_ENDPOINT is not a valid URL/],
    ['a non-http scheme', { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'ftp://user:p4ss@host/x' }, /must be an http/],
  ])('rejects %s with a config error that quotes no value', (_name, env, message) => {
    let error: unknown;
    try {
      resolveOtlpConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OtlpConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('p4ss');
  });

  it('rejects an unparsable CLEF_AGENT_TELEMETRY_URL', () => {
    expect(() => resolveOtlpConfig({}, 'collector:4318/v1/logs?key=s3cret')).toThrow(OtlpConfigError);
  });
});

describe('telemetryHeadersFromSecrets (AGENT.md §2.3)', () => {
  const lookup = (secrets: Record<string, string>) => (key: string) => secrets[key];

  it('parses CLEF_TELEMETRY_HEADERS: split at the first =, trimmed, percent-decoded', () => {
    const headers = telemetryHeadersFromSecrets(
      lookup({ CLEF_TELEMETRY_HEADERS: ' Authorization = Bearer abc ,X-Scope-OrgID=tenant%2F1,novalue,=anon, k=v=w,x-pct=100%' }),
    );
    expect(headers).toEqual({ Authorization: 'Bearer abc', 'X-Scope-OrgID': 'tenant/1', k: 'v=w', 'x-pct': '100%' });
  });

  it('prefers CLEF_TELEMETRY_HEADERS over CLEF_TELEMETRY_TOKEN', () => {
    expect(telemetryHeadersFromSecrets(lookup({ CLEF_TELEMETRY_HEADERS: 'x-api-key=k1', CLEF_TELEMETRY_TOKEN: 't1' }))).toEqual({ 'x-api-key': 'k1' });
  });

  it('falls back to CLEF_TELEMETRY_TOKEN as a bearer token', () => {
    expect(telemetryHeadersFromSecrets(lookup({ CLEF_TELEMETRY_TOKEN: ' tok-123 ' }))).toEqual({ Authorization: 'Bearer tok-123' });
    expect(telemetryHeadersFromSecrets(lookup({ CLEF_TELEMETRY_HEADERS: '  ', CLEF_TELEMETRY_TOKEN: 'tok' }))).toEqual({ Authorization: 'Bearer tok' });
  });

  it('returns no headers without either secret, and skips unsendable ones', () => {
    expect(telemetryHeadersFromSecrets(lookup({}))).toEqual({});
    expect(telemetryHeadersFromSecrets(lookup({ CLEF_TELEMETRY_HEADERS: 'bad name=x,x-inject=a%0D%0AHost: evil,ok=1' }))).toEqual({ ok: '1' });
    expect(telemetryHeadersFromSecrets(lookup({ CLEF_TELEMETRY_TOKEN: 'a\nb' }))).toEqual({});
  });
});
