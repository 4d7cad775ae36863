import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { AggregationTemporality, InstrumentType } from '@opentelemetry/sdk-metrics';
import type { MetricsText } from './otlp-config';
import { toPrometheusNaming } from './prometheus-names';

/** The Prometheus text exposition format this renders (what `promtool check metrics` reads). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Gauges are collected with delta temporality: a cumulative reader keeps reporting every
 * attribute set ever observed, so a wiped artifact's age (or a past serving state) would
 * stay in every scrape. Counters and histograms stay cumulative, as Prometheus needs.
 */
class CurrentGaugesExporter extends PrometheusExporter {
  override selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return instrumentType === InstrumentType.OBSERVABLE_GAUGE || instrumentType === InstrumentType.GAUGE
      ? AggregationTemporality.DELTA
      : AggregationTemporality.CUMULATIVE;
  }
}

/**
 * The OpenTelemetry Prometheus exporter as a second MetricReader of the agent's
 * MeterProvider (beside the OTLP periodic reader, or alone). Its own HTTP server is never
 * started (`preventServerStart`): the agent serves the text on its own metrics listener,
 * with the same request limits as the secrets API.
 */
export class PrometheusScrape implements MetricsText {
  /** Give this to the MeterProvider's `readers`. */
  readonly reader = new CurrentGaugesExporter({ preventServerStart: true, withoutScopeInfo: true });
  // (prefix, appendTimestamp, resource labels, withoutTargetInfo, withoutScopeInfo)
  private readonly serializer = new PrometheusSerializer(undefined, false, undefined, false, true);

  readonly contentType = PROMETHEUS_CONTENT_TYPE;

  async render(): Promise<string> {
    const { resourceMetrics } = await this.reader.collect();
    return this.serializer.serialize(toPrometheusNaming(resourceMetrics));
  }
}
