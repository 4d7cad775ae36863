import type { Counter, Histogram, Meter } from '@opentelemetry/api';
import type { AgentEvent } from '../../domain/ports/telemetry';

export const fileMetricNames = {
  renders: 'clef.file.renders',
  renderDuration: 'clef.file.render.duration',
  lastRender: 'clef.file.last_render_timestamp',
  outputsChanged: 'clef.file.outputs_changed',
  keysSkipped: 'clef.file.keys_skipped',
  removals: 'clef.file.removals',
  actions: 'clef.file.actions',
  actionDuration: 'clef.file.action.duration',
} as const;

/**
 * Secrets as files (docs/FILES.md) as metrics. Labels are bounded and never derived from
 * user data: an outcome (`ok` or the error code), a skip reason or a readiness reason.
 * The events' output paths, key names and action labels (`command:nginx` names a
 * program) stay in the logs.
 */
export class FileMetrics {
  private readonly renders: Counter;
  private readonly renderDuration: Histogram;
  private readonly outputsChanged: Counter;
  private readonly keysSkipped: Counter;
  private readonly removals: Counter;
  private readonly actions: Counter;
  private readonly actionDuration: Histogram;
  private lastRenderMs?: number;

  constructor(meter: Meter, private readonly now: () => number) {
    this.renders = meter.createCounter(fileMetricNames.renders, { description: 'Renders of the outputs by outcome (ok or error code)', unit: '{render}' });
    this.renderDuration = meter.createHistogram(fileMetricNames.renderDuration, { description: 'Render duration (read, render, write) by outcome; only successful renders are timed', unit: 'ms' });
    this.outputsChanged = meter.createCounter(fileMetricNames.outputsChanged, { description: 'Outputs whose content changed on disk', unit: '{output}' });
    this.keysSkipped = meter.createCounter(fileMetricNames.keysSkipped, { description: 'Keys a format could not hold, by reason', unit: '{key}' });
    this.removals = meter.createCounter(fileMetricNames.removals, { description: 'Withdrawals of the outputs by reason (revoked, expired, ...)', unit: '{removal}' });
    this.actions = meter.createCounter(fileMetricNames.actions, { description: 'On-change action runs by outcome (ok or error code)', unit: '{run}' });
    this.actionDuration = meter.createHistogram(fileMetricNames.actionDuration, { description: 'On-change action run duration by outcome; only successful runs are timed', unit: 'ms' });
    meter
      .createObservableGauge(fileMetricNames.lastRender, { description: 'Unix time of the last successful render', unit: 's' })
      .addCallback((result) => {
        if (this.lastRenderMs !== undefined) result.observe(this.lastRenderMs / 1000);
      });
  }

  /** True when the event was a file event (recorded here). */
  record(event: AgentEvent): boolean {
    switch (event.type) {
      case 'files.rendered':
        this.renders.add(1, { outcome: 'ok' });
        if (isCount(event.changed)) this.outputsChanged.add(event.changed);
        if (isCount(event.durationMs)) this.renderDuration.record(event.durationMs, { outcome: 'ok' });
        this.lastRenderMs = this.now();
        return true;
      case 'files.render_failed':
        this.renders.add(1, { outcome: String(event.code) });
        return true;
      case 'files.skipped':
        this.keysSkipped.add(1, { reason: String(event.reason) });
        return true;
      case 'files.removed':
        this.removals.add(1, { reason: String(event.reason) });
        return true;
      case 'files.action_ok':
        this.actions.add(1, { outcome: 'ok' });
        if (isCount(event.durationMs)) this.actionDuration.record(event.durationMs, { outcome: 'ok' });
        return true;
      case 'files.action_failed':
        this.actions.add(1, { outcome: String(event.code) });
        return true;
      case 'files.action_scheduled':
        return true; // the run that follows is counted
      default:
        return false;
    }
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
