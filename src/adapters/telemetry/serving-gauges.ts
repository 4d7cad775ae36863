import type { Meter } from '@opentelemetry/api';
import type { ServingObservation } from './otlp-config';

const STATUSES = ['ok', 'degraded', 'unavailable'] as const;
const ORIGINS = ['source', 'cache', 'fleet', 'none'] as const;

/**
 * Gauges read from the agent's health at each collection (not kept from events), so a
 * scrape always shows the state the health endpoint would: ready or not, ok / degraded /
 * unavailable and where the served revision came from, when the source last answered.
 */
export function registerServingGauges(meter: Meter, serving: () => ServingObservation): void {
  const read = (): ServingObservation | undefined => {
    try {
      return serving();
    } catch {
      return undefined; // a collection must never fail because the agent is stopping
    }
  };
  meter.createObservableGauge('clef.ready', { description: 'Whether the agent serves secrets (1) or not (0)', unit: '1' }).addCallback((result) => {
    const s = read();
    if (s) result.observe(s.ready ? 1 : 0);
  });
  // State sets (1 for the current value, 0 for the others): every series always exists, so
  // a query never sees a stale one and `== 1` alerts work on any reader.
  meter.createObservableGauge('clef.serving.status', { description: 'Serving status: ok, degraded (serving, last refresh failed) or unavailable', unit: '1' }).addCallback((result) => {
    const s = read();
    if (s) for (const status of STATUSES) result.observe(s.status === status ? 1 : 0, { status });
  });
  meter.createObservableGauge('clef.served_from', { description: 'Where the served revision came from: source, cache, fleet or none', unit: '1' }).addCallback((result) => {
    const s = read();
    if (s) for (const origin of ORIGINS) result.observe((s.servedFrom ?? 'none') === origin ? 1 : 0, { origin });
  });
  meter
    .createObservableGauge('clef.refresh.last_success_timestamp', { description: 'Unix time of the last successful refresh from the source, cache or fleet', unit: 's' })
    .addCallback((result) => {
      const s = read();
      if (s?.lastRefreshAt != null) result.observe(s.lastRefreshAt / 1000);
    });
  meter.createObservableGauge('clef.poll.interval', { description: 'Configured interval between polls of the source', unit: 's' }).addCallback((result) => {
    const s = read();
    if (s?.pollIntervalSeconds !== undefined) result.observe(s.pollIntervalSeconds);
  });
}
