import { sampleEvents } from '../../contracts/telemetry.contract';
import { loadOtlpTelemetry } from '../../../src/adapters/telemetry/load-otlp-telemetry';
import { OtlpCollector } from '../../support/fakes/otlp-collector';
import { useRequireBasedOtlpTransport } from './support/jest-otlp-transport';
import { startOtlp, type OtlpFixture } from './support/otlp-harness';

useRequireBasedOtlpTransport();

/** A bad collector must cost the agent nothing: emit stays synchronous, memory stays
 * bounded, and flush/shutdown resolve within their bound (jest's timeout is the failure
 * bound; there are no timing assertions).
 * Export timeouts here stay under the SDK's first retry backoff (0.8 s at least), so an
 * abandoned export never schedules a retry that would outlive the test. */
describe('OtlpTelemetry against a misbehaving collector', () => {
  let fx: OtlpFixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  it('does not block emit and still shuts down when the collector hangs', async () => {
    // every batch hangs for 700 ms, so shutting down with 200 events queued takes
    // longer than the 500 ms bound: only the adapter's own timer can end it in time
    fx = await startOtlp({ timeoutMs: 700 });
    fx.collector.hang();
    for (let i = 0; i < 200; i++) {
      // emit returns nothing to await: the loop completing is the proof it did not block
      expect(fx.telemetry.emit({ ...sampleEvents['artifact.unchanged'], revision: `r${i}` })).toBeUndefined();
      fx.telemetry.emit(sampleEvents['fetch.failed']);
    }
    // the first full batch (50) went out at once and is now stuck at the collector
    await fx.collector.waitFor((c) => c.requests.some((r) => r.path === '/v1/logs'));
    await expect(fx.telemetry.flush(300)).resolves.toBeUndefined();
    await expect(fx.telemetry.shutdown(500)).resolves.toBeUndefined();
  });

  it('drops beyond its queue bound instead of growing while the collector is stuck', async () => {
    fx = await startOtlp({ timeoutMs: 700, maxQueueSize: 100, metricsUrl: undefined });
    fx.collector.hang();
    for (let i = 0; i < 5000; i++) fx.telemetry.emit(sampleEvents['fetch.failed']);
    await fx.collector.waitFor((c) => c.requests.length > 0);
    fx.collector.ok();
    // waits for the hung export to time out, then sends what the queue kept
    await fx.telemetry.flush(10_000);
    const delivered = fx.collector.logs.length;
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThanOrEqual(100 + 50); // queue + the one in-flight batch
  });

  it('ignores 500s: flush and shutdown resolve, later exports still happen', async () => {
    fx = await startOtlp({ timeoutMs: 300 });
    fx.collector.fail(500);
    fx.telemetry.emit(sampleEvents['artifact.invalid']);
    await expect(fx.telemetry.flush(1000)).resolves.toBeUndefined();
    expect(fx.collector.requests.length).toBeGreaterThan(0);
    fx.collector.ok();
    fx.telemetry.emit(sampleEvents['artifact.revoked']);
    await fx.telemetry.flush(2000);
    expect(fx.collector.logs.map((l) => l.type)).toContain('artifact.revoked');
    await expect(fx.telemetry.shutdown(500)).resolves.toBeUndefined();
  });

  it('shuts down within its bound when nothing listens at all', async () => {
    const gone = await OtlpCollector.start();
    const url = gone.url; // a loopback port that is closed again before use
    await gone.close();
    const telemetry = await loadOtlpTelemetry({
      logsUrl: `${url}/v1/logs`,
      metricsUrl: `${url}/v1/metrics`,
      protocol: 'http/protobuf',
      headers: () => ({}),
      timeoutMs: 200,
      resource: { serviceVersion: '1', agentId: 'a', identity: 'unknown', environment: 'unknown', sourceType: 'file' },
    });
    telemetry.emit(sampleEvents['agent.stopped']);
    await expect(telemetry.flush(500)).resolves.toBeUndefined();
    await expect(telemetry.shutdown(500)).resolves.toBeUndefined();
  });
});
