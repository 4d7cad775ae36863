import type { AgentEvent } from '../../../src/domain/ports/telemetry';
import { sampleEvents } from '../../contracts/telemetry.contract';
import { startOtlp, testResource, type OtlpFixture } from './support/otlp-harness';

describe('OtlpTelemetry', () => {
  let fx: OtlpFixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  it('sends log records in the reference shape (AGENT.md §11)', async () => {
    fx = await startOtlp();
    fx.telemetry.emit(sampleEvents['artifact.refreshed']);
    fx.telemetry.emit(sampleEvents['artifact.revoked']);
    fx.telemetry.emit(sampleEvents['artifact.invalid']);
    await fx.telemetry.flush(2000);

    const logsRequest = fx.collector.requests.find((r) => r.path === '/v1/logs');
    expect(logsRequest?.contentType).toBe('application/json');
    const [refreshed, revoked, invalid] = fx.collector.logs;
    expect(refreshed).toMatchObject({
      type: 'artifact.refreshed',
      severityNumber: 9,
      severityText: 'INFO',
      scope: { name: 'clef.runtime', version: '9.9.9' },
      resource: {
        'service.name': 'clef-agent',
        'service.version': testResource.serviceVersion,
        'clef.agent.id': testResource.agentId,
        'clef.identity': testResource.identity,
        'clef.environment': testResource.environment,
        'clef.source.type': testResource.sourceType,
      },
    });
    expect(Object.keys(refreshed.attributes)[0]).toBe('event.name');
    expect(refreshed.attributes).toMatchObject({
      'event.name': 'clef.artifact.refreshed',
      'clef.revision': '1700000000000-abcd',
      'clef.keyCount': 3,
      'clef.kmsEnvelope': false,
    });
    expect(revoked).toMatchObject({ severityNumber: 13, attributes: { 'clef.revokedAt': '2024-02-01T00:00:00.000Z' } });
    expect(invalid).toMatchObject({ severityNumber: 17, attributes: { 'clef.reason': 'integrity', 'clef.error': 'ciphertext hash mismatch' } });
  });

  it('keeps routine and access events out of the logs unless asked, but counts them', async () => {
    fx = await startOtlp();
    fx.telemetry.emit(sampleEvents['artifact.unchanged']);
    fx.telemetry.emit(sampleEvents['http.request']);
    fx.telemetry.emit(sampleEvents['decrypt.completed']);
    fx.telemetry.emit(sampleEvents['agent.started']);
    await fx.telemetry.flush(2000);
    expect(fx.collector.logs.map((l) => l.type)).toEqual(['agent.started']);
    expect(fx.collector.metric('clef.http.requests')).not.toHaveLength(0);
    expect(fx.collector.metric('clef.refresh.count').at(-1)?.points.map((p) => p.attributes.outcome)).toEqual(['unchanged']);
  });

  it('asks for headers at every export, so a rotated credential is used without restart', async () => {
    let token = 'first-token';
    let calls = 0;
    fx = await startOtlp({
      metricsUrl: undefined,
      headers: () => {
        calls++;
        if (calls === 1) throw new Error('a broken headers source must not stop exports');
        return { Authorization: `Bearer ${token}`, 'bad name': 'dropped', 'X-Injected': 'a\r\nb', 'X-Tenant': 'acme' };
      },
    });
    fx.telemetry.emit(sampleEvents['agent.started']);
    await fx.telemetry.flush(2000); // headers() threw: sent without them
    fx.telemetry.emit(sampleEvents['artifact.refreshed']);
    await fx.telemetry.flush(2000);
    token = 'rotated-token';
    fx.telemetry.emit(sampleEvents['artifact.revoked']);
    await fx.telemetry.flush(2000);

    const sent = fx.collector.requests.map((r) => r.headers);
    expect(sent.map((h) => h.authorization)).toEqual([undefined, 'Bearer first-token', 'Bearer rotated-token']);
    expect(sent[2]).toMatchObject({ 'x-tenant': 'acme', 'content-type': 'application/json' });
    expect(sent[2]).not.toHaveProperty('x-injected');
    expect(fx.collector.logs.map((l) => l.type)).toEqual(['agent.started', 'artifact.refreshed', 'artifact.revoked']);
  });

  it('exports the agent metrics with their names and attributes', async () => {
    fx = await startOtlp({ logsUrl: undefined });
    const now = Date.now();
    const events: AgentEvent[] = [
      { type: 'agent.started', version: '9.9.9', mode: 'jit' },
      { ...sampleEvents['artifact.refreshed'], packedAt: new Date(now - 60_000).toISOString(), expiresAt: new Date(now + 3_600_000).toISOString() },
      sampleEvents['artifact.unchanged'],
      sampleEvents['fetch.failed'],
      sampleEvents['artifact.invalid'],
      sampleEvents['decrypt.completed'],
      sampleEvents['http.request'],
      { type: 'http.request', route: '/v1/health', method: 'GET', status: 503, durationMs: 2 },
    ];
    for (const e of events) fx.telemetry.emit(e);
    await fx.telemetry.flush(2000);

    const latest = (name: string) => fx!.collector.metric(name).at(-1);
    expect(new Set(fx.collector.metrics.map((m) => m.name))).toEqual(
      new Set(['clef.refresh.count', 'clef.refresh.duration', 'clef.decrypt.duration', 'clef.artifact.age', 'clef.artifact.expires_in', 'clef.http.requests', 'clef.serving.mode', 'clef.refresh.errors']),
    );
    expect(latest('clef.refresh.errors')?.points.map((p) => [p.attributes.code, p.value]).sort()).toEqual([
      ['integrity', 1],
      ['source_timeout', 1],
    ]);
    expect(latest('clef.refresh.count')?.points.map((p) => [p.attributes.outcome, p.value]).sort()).toEqual([
      ['fetch_failed', 1],
      ['invalid', 1],
      ['refreshed', 1],
      ['unchanged', 1],
    ]);
    expect(latest('clef.refresh.duration')).toMatchObject({ kind: 'histogram', unit: 'ms' });
    expect(latest('clef.decrypt.duration')?.points[0]).toMatchObject({ count: 1, sum: 7 });
    expect(latest('clef.http.requests')?.points.map((p) => p.attributes)).toContainEqual({
      'http.route': '/v1/health',
      'http.request.method': 'GET',
      'http.response.status_code': 503,
    });
    expect(latest('clef.serving.mode')?.points).toEqual([{ attributes: { mode: 'jit' }, value: 1 }]);
    expect(latest('clef.artifact.age')?.points[0].value).toBeGreaterThanOrEqual(60);
    expect(latest('clef.artifact.expires_in')?.points[0].value).toBeGreaterThan(0);
    expect(latest('clef.artifact.age')?.resource['service.name']).toBe('clef-agent');
  });

  it('stops reporting the artifact age once the served artifact is wiped', async () => {
    fx = await startOtlp({ logsUrl: undefined });
    fx.telemetry.emit(sampleEvents['artifact.refreshed']);
    fx.telemetry.emit(sampleEvents['artifact.revoked']);
    await fx.telemetry.flush(2000);
    expect(fx.collector.metric('clef.artifact.age').flatMap((m) => m.points)).toEqual([]);
  });

  it('speaks http/protobuf too', async () => {
    fx = await startOtlp({ protocol: 'http/protobuf' });
    fx.telemetry.emit(sampleEvents['fetch.failed']);
    await fx.telemetry.flush(2000);
    expect(fx.collector.requests.map((r) => r.contentType)).toEqual(expect.arrayContaining(['application/x-protobuf']));
    expect(fx.collector.logs[0]).toMatchObject({
      type: 'fetch.failed',
      severityNumber: 13,
      attributes: { 'event.name': 'clef.fetch.failed', 'clef.code': 'source_timeout', 'clef.diskCacheAvailable': true, 'clef.durationMs': 5000 },
      resource: { 'clef.agent.id': 'agent-123' },
    });
    expect(fx.collector.metric('clef.refresh.count').at(-1)?.points).toEqual([{ attributes: { outcome: 'fetch_failed' }, value: 1 }]);
  });

  it('never sends URL credentials quoted in an error message', async () => {
    fx = await startOtlp();
    fx.telemetry.emit({
      ...sampleEvents['fetch.failed'],
      error: 'GET https://deploy:hunter2@git.example.com/org/repo?access_token=sekrit123&x=1 failed',
    });
    await fx.telemetry.flush(2000);
    const bytes = fx.collector.receivedBytes().toString('latin1');
    expect(fx.collector.logs[0].attributes['clef.error']).toBe('GET https://***@git.example.com/org/repo?*** failed');
    expect(bytes).not.toContain('hunter2');
    expect(bytes).not.toContain('sekrit123');
  });
});
