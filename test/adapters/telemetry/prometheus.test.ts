/**
 * The Prometheus reader of the SDK adapter, alone (no OTLP URL), and the port decorators
 * that feed it: names by rule, `ms` → seconds, the text passes promtool, error messages
 * never become labels, gauges report only the current state.
 */
import { loadOtlpTelemetry, type LoadedTelemetry } from '../../../src/adapters/telemetry/load-otlp-telemetry';
import type { ServingObservation } from '../../../src/adapters/telemetry/otlp-config';
import { instrumentCache, instrumentDecryptor, instrumentSource } from '../../../src/adapters/telemetry/instrumented-ports';
import { MemorySource } from '../../../src/adapters/memory/memory-source';
import { MemoryArtifactCache } from '../../../src/adapters/memory/memory-cache';
import { MemoryTelemetry } from '../../../src/adapters/memory/memory-telemetry';
import { AgentError } from '../../../src/domain/errors';
import type { Decryptor } from '../../../src/domain/ports/decryptor';
import type { PackedArtifact } from '../../../src/domain/artifact/types';
import { sampleEvents } from '../../contracts/telemetry.contract';
import { parseMetrics, promtoolCheck, sample } from '../../support/prometheus';

let telemetry: LoadedTelemetry | undefined;
afterEach(async () => {
  await telemetry?.shutdown(1000);
  telemetry = undefined;
});

async function start(serving: () => ServingObservation): Promise<LoadedTelemetry> {
  telemetry = await loadOtlpTelemetry({
    protocol: 'http/protobuf',
    headers: () => ({}),
    prometheus: true,
    serving,
    resource: { serviceVersion: '0.1.0', agentId: 'agent-1', identity: 'api', environment: 'prod', sourceType: 'http' },
  });
  return telemetry;
}

it('renders every event as clef_agent_* series that promtool accepts, with no message text', async () => {
  const t = await start(() => ({ ready: true, status: 'ok', servedFrom: 'fleet', lastRefreshAt: 1_700_000_000_000, pollIntervalSeconds: 30 }));
  for (const event of Object.values(sampleEvents)) t.emit(event);
  const text = await t.prometheus!.render();
  expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
  const f = parseMetrics(text);
  expect(f.filter((x) => x.name !== 'target_info').every((x) => x.name.startsWith('clef_agent_'))).toBe(true);
  expect(sample(f, 'clef_agent_refresh_errors_total', { code: 'integrity' })).toBe(1);
  expect(sample(f, 'clef_agent_refresh_errors_total', { code: 'source_timeout' })).toBe(1);
  expect(sample(f, 'clef_agent_source_requests_total', { outcome: '304' })).toBe(1);
  expect(sample(f, 'clef_agent_decrypts_total', { provider: 'aws', outcome: 'kms_throttled' })).toBe(1);
  expect(sample(f, 'clef_agent_kms_calls_total', { provider: 'aws', outcome: 'kms_throttled' })).toBe(1);
  expect(sample(f, 'clef_agent_cache_lookups_total', { tier: 'fleet', outcome: 'hit' })).toBe(1);
  expect(sample(f, 'clef_agent_served_from', { origin: 'fleet' })).toBe(1);
  expect(sample(f, 'clef_agent_refresh_last_success_timestamp_seconds')).toBe(1_700_000_000);
  expect(sample(f, 'clef_agent_poll_interval_seconds')).toBe(30);
  // The 5000 ms fetch.failed refresh lands in the 5-second bucket, not the 5000 one.
  expect(text).toMatch(/clef_agent_refresh_duration_seconds_sum\{outcome="fetch_failed"\} 5\n/);
  expect(text).not.toContain('ciphertext hash mismatch'); // event messages never become labels
  expect(text).not.toContain('source timed out');
});

it('maps the files events onto bounded series: no output path, key name or action label', async () => {
  const t = await start(() => ({ ready: true, status: 'ok', servedFrom: 'source', lastRefreshAt: null }));
  for (const type of ['files.rendered', 'files.render_failed', 'files.skipped', 'files.removed', 'files.action_scheduled', 'files.action_ok', 'files.action_failed'] as const) t.emit(sampleEvents[type]);
  t.emit(sampleEvents['files.rendered']);
  const text = await t.prometheus!.render();
  expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
  const f = parseMetrics(text);
  expect(sample(f, 'clef_agent_file_renders_total', { outcome: 'ok' })).toBe(2);
  expect(sample(f, 'clef_agent_file_renders_total', { outcome: 'files_missing_secret' })).toBe(1);
  expect(sample(f, 'clef_agent_file_outputs_changed_total')).toBe(2); // one changed output per sample render
  expect(sample(f, 'clef_agent_file_keys_skipped_total', { reason: 'invalid_name' })).toBe(1);
  expect(sample(f, 'clef_agent_file_removals_total', { reason: 'revoked' })).toBe(1);
  expect(sample(f, 'clef_agent_file_actions_total', { outcome: 'ok' })).toBe(1);
  expect(sample(f, 'clef_agent_file_actions_total', { outcome: 'files_action_failed' })).toBe(1);
  expect(Math.abs(sample(f, 'clef_agent_file_last_render_timestamp_seconds')! - Date.now() / 1000)).toBeLessThan(60);
  // 4 ms renders and a 30 ms action, in seconds
  expect(text).toMatch(/clef_agent_file_render_duration_seconds_sum\{outcome="ok"\} 0\.008\n/);
  expect(text).toMatch(/clef_agent_file_action_duration_seconds_sum\{outcome="ok"\} 0\.03\n/);
  for (const s of ['/run/', 'app__not-a-name', 'nginx', 'tls/KEY', 'exited with status']) expect(text).not.toContain(s);
});

it('reports only the current serving state: no stale series once the status changes', async () => {
  let state: ServingObservation = { ready: true, status: 'degraded', servedFrom: 'cache', lastRefreshAt: null };
  const t = await start(() => state);
  t.emit(sampleEvents['artifact.refreshed']);
  let f = parseMetrics(await t.prometheus!.render());
  expect(sample(f, 'clef_agent_artifact_age_seconds')).toBeGreaterThan(0);
  expect(sample(f, 'clef_agent_refresh_last_success_timestamp_seconds')).toBeUndefined();
  state = { ready: false, status: 'unavailable', servedFrom: null, lastRefreshAt: null };
  t.emit(sampleEvents['artifact.revoked']);
  f = parseMetrics(await t.prometheus!.render());
  expect(sample(f, 'clef_agent_ready')).toBe(0);
  expect([sample(f, 'clef_agent_serving_status', { status: 'degraded' }), sample(f, 'clef_agent_serving_status', { status: 'unavailable' })]).toEqual([0, 1]);
  expect(sample(f, 'clef_agent_served_from', { origin: 'none' })).toBe(1);
  expect(sample(f, 'clef_agent_artifact_age_seconds')).toBeUndefined();
});

it('rejects a scrape after shutdown (the listener answers 503)', async () => {
  const t = await start(() => ({ ready: true, status: 'ok', servedFrom: 'source', lastRefreshAt: null }));
  await t.shutdown(1000);
  await expect(t.prometheus!.render()).rejects.toThrow();
});

describe('port decorators', () => {
  it('source: 200, 304 and the failure code; other members pass through', async () => {
    const events = new MemoryTelemetry();
    const memory = new MemorySource({ document: 'doc' });
    const source = instrumentSource(memory, events);
    expect([source.type, source.cacheKey, source.capabilities]).toEqual(['memory', memory.cacheKey, { conditional: true }]);
    const first = await source.fetch({ signal: new AbortController().signal });
    await source.fetch({ signal: new AbortController().signal, previous: first.kind === 'fetched' ? first.validator ?? { contentId: first.contentId } : undefined });
    memory.fail(new AgentError('source_auth', 'denied'));
    await expect(source.fetch({ signal: new AbortController().signal })).rejects.toMatchObject({ code: 'source_auth' });
    expect(events.ofType('source.request').map((e) => e.outcome)).toEqual(['200', '304', 'source_auth']);
  });

  it('decryptor: provider and outcome; a KMS call only for envelopes that reached the KMS; unknown providers bounded', async () => {
    const events = new MemoryTelemetry();
    let failure: AgentError | undefined;
    const inner: Decryptor = {
      capabilities: { age: true, envelopeProviders: ['aws'] },
      decrypt: async () => {
        if (failure) throw failure;
        return new Uint8Array([1]);
      },
    };
    const decryptor = instrumentDecryptor(inner, events);
    const age = {} as PackedArtifact;
    const aws = { envelope: { provider: 'aws' } } as unknown as PackedArtifact;
    const odd = { envelope: { provider: 'DB_PASSWORD=hunter2' } } as unknown as PackedArtifact;
    await decryptor.decrypt(age);
    await decryptor.decrypt(aws);
    failure = new AgentError('kms_access_denied', 'denied');
    await expect(decryptor.decrypt(aws)).rejects.toBeInstanceOf(AgentError);
    failure = new AgentError('unsupported_kms_provider', 'no');
    await expect(decryptor.decrypt(odd)).rejects.toBeInstanceOf(AgentError);
    expect(events.ofType('decrypt.result').map(({ provider, outcome, kmsCall }) => [provider, outcome, kmsCall])).toEqual([
      ['age', 'ok', false],
      ['aws', 'ok', true],
      ['aws', 'kms_access_denied', true],
      ['other', 'unsupported_kms_provider', false],
    ]);
  });

  it('cache: hit, miss and error by tier', async () => {
    const events = new MemoryTelemetry();
    const memory = new MemoryArtifactCache();
    const cache = instrumentCache(memory, 'disk', events);
    await cache.set('k', { document: 'd', revision: 'r', confirmedAt: 1 });
    await cache.get('k');
    await cache.get('absent');
    const broken = instrumentCache({ ...memory, capabilities: memory.capabilities, get: async () => Promise.reject(new Error('down')) } as never, 'fleet', events);
    await expect(broken.get('k')).rejects.toThrow('down');
    expect(events.ofType('cache.lookup').map((e) => [e.tier, e.outcome])).toEqual([
      ['disk', 'hit'],
      ['disk', 'miss'],
      ['fleet', 'error'],
    ]);
  });
});
