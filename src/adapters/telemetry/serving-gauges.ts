import type { Meter } from '@opentelemetry/api';
import type { ServingObservation } from './otlp-config';

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
  meter
    .createObservableGauge('clef.serving.status', { description: 'Serving status (1 for the current status and origin of the served revision)', unit: '1' })
    .addCallback((result) => {
      const s = read();
      if (s) result.observe(1, { status: s.status, served_from: s.servedFrom ?? 'none' });
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
