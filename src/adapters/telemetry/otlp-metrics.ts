import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import type { AgentEvent, ServingMode } from '../../domain/ports/telemetry';
import type { ServingObservation } from './otlp-config';
import { FileMetrics } from './file-metrics';
import { registerServingGauges } from './serving-gauges';

/** `clef.refresh.count` outcomes, one per refresh-ending event. */
export type RefreshOutcome = 'refreshed' | 'unchanged' | 'invalid' | 'fetch_failed' | 'revoked' | 'expired';

const outcomes: Partial<Record<AgentEvent['type'], RefreshOutcome>> = {
  'artifact.refreshed': 'refreshed',
  'artifact.unchanged': 'unchanged',
  'artifact.invalid': 'invalid',
  'fetch.failed': 'fetch_failed',
  'artifact.revoked': 'revoked',
  'artifact.expired': 'expired',
};

export const metricNames = {
  refreshCount: 'clef.refresh.count',
  refreshDuration: 'clef.refresh.duration',
  decryptDuration: 'clef.decrypt.duration',
  artifactAge: 'clef.artifact.age',
  artifactExpiresIn: 'clef.artifact.expires_in',
  httpRequests: 'clef.http.requests',
  servingMode: 'clef.serving.mode',
  refreshErrors: 'clef.refresh.errors',
  sourceRequests: 'clef.source.requests',
  decrypts: 'clef.decrypts',
  kmsCalls: 'clef.kms.calls',
  cacheLookups: 'clef.cache.lookups',
} as const;

/**
 * What the observable gauges report, kept from events because the adapter must not reach
 * into the domain: the served revision's packedAt/expiresAt (cleared when the served
 * artifact is wiped) and the serving mode.
 */
export class ServingState {
  packedAtMs?: number;
  expiresAtMs?: number;
  mode?: ServingMode;

  apply(event: AgentEvent): void {
    switch (event.type) {
      case 'agent.started':
        this.mode = event.mode;
        break;
      case 'artifact.refreshed':
        this.packedAtMs = parseTime(event.packedAt);
        this.expiresAtMs = parseTime(event.expiresAt);
        break;
      case 'artifact.revoked':
      case 'artifact.expired':
      case 'cache.expired':
        this.packedAtMs = undefined;
        this.expiresAtMs = undefined;
        break;
      default:
        break;
    }
  }
}

function parseTime(iso: string | undefined): number | undefined {
  if (typeof iso !== 'string') return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The agent's metrics. Durations come from the events themselves; `decrypt.completed` is
 * the only source for decrypt timing (the refreshed event's `decryptMs` would count the
 * same decrypt twice).
 */
export class OtlpMetrics {
  private readonly state = new ServingState();
  private readonly refreshCount: Counter;
  private readonly refreshDuration: Histogram;
  private readonly decryptDuration: Histogram;
  private readonly httpRequests: Counter;
  private readonly refreshErrors: Counter;
  private readonly sourceRequests: Counter;
  private readonly decrypts: Counter;
  private readonly kmsCalls: Counter;
  private readonly cacheLookups: Counter;
  private readonly files: FileMetrics;

  constructor(meter: Meter, private readonly now: () => number = Date.now, serving?: () => ServingObservation) {
    this.refreshCount = meter.createCounter(metricNames.refreshCount, { description: 'Refresh attempts by outcome', unit: '{refresh}' });
    this.refreshDuration = meter.createHistogram(metricNames.refreshDuration, { description: 'Refresh duration by outcome', unit: 'ms' });
    this.decryptDuration = meter.createHistogram(metricNames.decryptDuration, { description: 'Payload decrypt duration', unit: 'ms' });
    this.httpRequests = meter.createCounter(metricNames.httpRequests, { description: 'HTTP requests served', unit: '{request}' });
    this.refreshErrors = meter.createCounter(metricNames.refreshErrors, { description: 'Failed refreshes by error code', unit: '{refresh}' });
    this.sourceRequests = meter.createCounter(metricNames.sourceRequests, { description: 'Source requests by outcome (200, 304 or error code)', unit: '{request}' });
    this.decrypts = meter.createCounter(metricNames.decrypts, { description: 'Payload decrypts by provider and outcome', unit: '{decrypt}' });
    this.kmsCalls = meter.createCounter(metricNames.kmsCalls, { description: 'KMS Decrypt calls by provider and outcome', unit: '{call}' });
    this.cacheLookups = meter.createCounter(metricNames.cacheLookups, { description: 'Cache reads by tier and outcome (hit, miss, error)', unit: '{lookup}' });
    this.files = new FileMetrics(meter, now);
    if (serving) registerServingGauges(meter, serving);

    meter
      .createObservableGauge(metricNames.artifactAge, { description: 'Seconds since the served revision was packed', unit: 's' })
      .addCallback((result) => {
        if (this.state.packedAtMs !== undefined) result.observe((this.now() - this.state.packedAtMs) / 1000);
      });
    meter
      .createObservableGauge(metricNames.artifactExpiresIn, { description: 'Seconds until the served revision expires', unit: 's' })
      .addCallback((result) => {
        if (this.state.expiresAtMs !== undefined) result.observe((this.state.expiresAtMs - this.now()) / 1000);
      });
    meter
      .createObservableGauge(metricNames.servingMode, { description: 'Serving mode (1 for the active mode)', unit: '1' })
      .addCallback((result) => {
        if (this.state.mode !== undefined) result.observe(1, { mode: this.state.mode });
      });
  }

  record(event: AgentEvent): void {
    this.state.apply(event);
    if (this.files.record(event)) return;
    const outcome = outcomes[event.type];
    if (outcome !== undefined) {
      const attributes: Attributes = { outcome };
      this.refreshCount.add(1, attributes);
      if ('durationMs' in event && isDuration(event.durationMs)) this.refreshDuration.record(event.durationMs, attributes);
      if (event.type === 'artifact.invalid') this.refreshErrors.add(1, { code: String(event.reason) });
      else if (event.type === 'fetch.failed') this.refreshErrors.add(1, { code: String(event.code) });
      return;
    }
    if (event.type === 'source.request') this.sourceRequests.add(1, { outcome: String(event.outcome) });
    else if (event.type === 'cache.lookup') this.cacheLookups.add(1, { tier: event.tier, outcome: event.outcome });
    else if (event.type === 'decrypt.result') {
      this.decrypts.add(1, { provider: String(event.provider), outcome: String(event.outcome) });
      if (event.kmsCall) this.kmsCalls.add(1, { provider: String(event.provider), outcome: String(event.outcome).startsWith('kms_') ? String(event.outcome) : 'ok' });
    }
    if (event.type === 'decrypt.completed' && isDuration(event.durationMs)) {
      this.decryptDuration.record(event.durationMs, { kms_envelope: event.kmsEnvelope === true });
    } else if (event.type === 'http.request') {
      this.httpRequests.add(1, {
        'http.route': String(event.route),
        'http.request.method': String(event.method),
        'http.response.status_code': Number(event.status),
      });
    }
  }
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
