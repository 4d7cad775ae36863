/**
 * The behaviour every Telemetry adapter must share, checked against what reached its
 * backend.
 *
 *   testTelemetry(runner, 'my-telemetry', async () => ({ telemetry, received, close }));
 */
import assert from 'node:assert/strict';
import type { AgentEvent, AgentEventType, Telemetry } from '../domain/ports/telemetry';
import type { TestRunner } from './runner';

/**
 * `received()` flushes and returns the records, with attributes keyed by the event's
 * field names (a runner strips its own prefix, e.g. OTLP's `clef.`).
 */
export interface TelemetryHarness {
  telemetry: Telemetry;
  received(): Promise<Array<{ type: string; attributes: Record<string, unknown> }>>;
  close(): Promise<void>;
}

/** One sample of every event type; `satisfies` makes a new AgentEvent type a compile error here. */
export const sampleEvents = {
  'agent.started': { type: 'agent.started', version: '0.1.0', mode: 'cached' },
  'agent.stopped': { type: 'agent.stopped', reason: 'signal', uptimeSeconds: 42 },
  'artifact.refreshed': {
    type: 'artifact.refreshed',
    revision: '1700000000000-abcd',
    keyCount: 3,
    kmsEnvelope: false,
    origin: 'source',
    durationMs: 12,
    decryptMs: 4,
    expiresAt: '2030-01-01T00:00:00.000Z',
    packedAt: '2024-01-01T00:00:00.000Z',
  },
  'artifact.unchanged': { type: 'artifact.unchanged', revision: '1700000000000-abcd', durationMs: 3 },
  'artifact.revoked': { type: 'artifact.revoked', revokedAt: '2024-02-01T00:00:00.000Z' },
  'artifact.expired': { type: 'artifact.expired', expiresAt: '2024-03-01T00:00:00.000Z' },
  'artifact.invalid': { type: 'artifact.invalid', reason: 'integrity', error: 'ciphertext hash mismatch', origin: 'source' },
  'fetch.failed': { type: 'fetch.failed', code: 'source_timeout', error: 'source timed out', diskCacheAvailable: true, durationMs: 5000 },
  'cache.served': { type: 'cache.served', revision: '1700000000000-abcd' },
  'cache.expired': { type: 'cache.expired', cacheTtlSeconds: 300, diskCachePurged: false },
  'kms.denied': { type: 'kms.denied', code: 'kms_access_denied' },
  'decrypt.completed': { type: 'decrypt.completed', durationMs: 7, kmsEnvelope: true },
  'http.request': { type: 'http.request', route: '/v1/secrets', method: 'GET', status: 200, durationMs: 1 },
  'files.rendered': { type: 'files.rendered', revision: '1700000000000-abcd', outputs: 3, changed: 1, durationMs: 4 },
  'files.render_failed': { type: 'files.render_failed', revision: '1700000000000-abcd', code: 'files_missing_secret', error: 'output /run/x names tls/KEY, which is not in the artifact' },
  'files.removed': { type: 'files.removed', reason: 'revoked', outputs: 3 },
  'files.skipped': { type: 'files.skipped', output: '/run/app.env', key: 'app__not-a-name', reason: 'invalid_name' },
  'files.action_scheduled': { type: 'files.action_scheduled', action: 'command:nginx', delayMs: 1000, splayMs: 250, attempt: 1 },
  'files.action_ok': { type: 'files.action_ok', action: 'command:nginx', attempt: 1, durationMs: 30 },
  'files.action_failed': { type: 'files.action_failed', action: 'command:nginx', attempt: 1, code: 'files_action_failed', error: 'exited with status 1', retryInMs: 2000 },
  'source.request': { type: 'source.request', outcome: '304', durationMs: 2 },
  'decrypt.result': { type: 'decrypt.result', provider: 'aws', outcome: 'kms_throttled', kmsCall: true },
  'cache.lookup': { type: 'cache.lookup', tier: 'fleet', outcome: 'hit' },
} as const satisfies { [T in AgentEventType]: Extract<AgentEvent, { type: T }> };

const allSamples: AgentEvent[] = Object.values(sampleEvents);

/** Values no well-behaved domain sends, but that must still never make emit throw. */
function oddEvents(): AgentEvent[] {
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const hostile = { toString: () => { throw new Error('boom'); } };
  const odd: unknown[] = [
    { type: 'artifact.unchanged', revision: 'r', durationMs: Number.NaN },
    { type: 'fetch.failed', code: 'unknown', error: 'x'.repeat(100_000), diskCacheAvailable: false, durationMs: Infinity },
    { type: 'artifact.invalid', reason: undefined, error: null, origin: 'cache' },
    { type: 'http.request', route: circular, method: Object.create(null), status: -1, durationMs: -5 },
    { type: 'kms.denied', code: hostile },
    { type: 'no.such.event', anything: Symbol('s') },
    { type: 'artifact.refreshed', revision: 'r', kmsEnvelope: false, origin: 'source', durationMs: 1, packedAt: 'not a date' },
    {},
  ];
  return odd as AgentEvent[];
}

export function testTelemetry(runner: TestRunner, name: string, factory: () => Promise<TelemetryHarness>): void {
  const { describe, test, beforeEach, afterEach } = runner;
  describe(`Telemetry contract: ${name}`, () => {
    let harness: TelemetryHarness;

    beforeEach(async () => {
      harness = await factory();
    });
    afterEach(async () => {
      await harness.close();
    });

    test('delivers every event type with its type and fields (reason/code included)', async () => {
      for (const event of allSamples) harness.telemetry.emit(event);
      const received = await harness.received();
      for (const event of allSamples) {
        const record = received.find((r) => r.type === event.type);
        assert.ok(record !== undefined, `no ${event.type} record received`);
        for (const [field, value] of Object.entries(event)) {
          if (field === 'type') continue;
          assert.equal(String(record.attributes[field]), String(value), `${event.type}.${field}`);
        }
      }
    });

    test('never throws from emit, whatever the values, and keeps working afterwards', async () => {
      for (const event of oddEvents()) harness.telemetry.emit(event);
      harness.telemetry.emit(sampleEvents['artifact.invalid']);
      const received = await harness.received();
      assert.ok(received.some((r) => r.type === 'artifact.invalid' && r.attributes.reason === 'integrity'), 'the event after the odd ones was lost');
    });

    test('resolves flush, also with nothing buffered', async () => {
      assert.equal(await harness.telemetry.flush(1000), undefined);
      harness.telemetry.emit(sampleEvents['agent.started']);
      assert.equal(await harness.telemetry.flush(1000), undefined);
    });

    test('resolves shutdown within its bound, and a second shutdown too', async () => {
      harness.telemetry.emit(sampleEvents['agent.stopped']);
      assert.equal(await harness.telemetry.shutdown(1000), undefined);
      assert.equal(await harness.telemetry.shutdown(1000), undefined);
    });

    test('ignores emit after shutdown without throwing', async () => {
      harness.telemetry.emit(sampleEvents['agent.started']);
      await harness.telemetry.shutdown(1000);
      harness.telemetry.emit(sampleEvents['cache.expired']);
      const types = (await harness.received()).map((r) => r.type);
      assert.ok(types.includes('agent.started'), 'agent.started emitted before shutdown was lost');
      assert.ok(!types.includes('cache.expired'), 'an event emitted after shutdown was delivered');
    });
  });
}
