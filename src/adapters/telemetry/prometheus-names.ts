import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

/**
 * The OpenTelemetry instrument names (`clef.refresh.duration`, unit `ms`) are the OTLP
 * contract; Prometheus wants `clef_agent_…`, base units with a unit suffix and `_total` on
 * counters. The JS Prometheus exporter only replaces invalid characters and appends
 * `_total` (0.223: no unit suffix, and its `prefix` option would give `clef_agent_clef_…`),
 * and views would rename for the OTLP reader too. So the scrape renames here, once per
 * scrape, from the same collected data: every instrument gets a Prometheus name by rule,
 * and `ms` histograms are rescaled to seconds. A new instrument needs no change here.
 */
const OVERRIDES: Readonly<Record<string, string>> = {
  'clef.refresh.count': 'clef_agent_refreshes',
};

const UNIT_SUFFIX: Readonly<Record<string, { suffix: string; scale: number }>> = {
  s: { suffix: '_seconds', scale: 1 },
  ms: { suffix: '_seconds', scale: 1 / 1000 },
  By: { suffix: '_bytes', scale: 1 },
};

export interface PrometheusNaming {
  name: string;
  /** Multiply values (and histogram bounds) by this to reach the base unit. */
  scale: number;
}

export function prometheusNaming(otelName: string, unit: string): PrometheusNaming {
  const unitInfo = UNIT_SUFFIX[unit] ?? { suffix: '', scale: 1 };
  const base = OVERRIDES[otelName] ?? `clef_agent_${otelName.replace(/^clef\./, '').replace(/[^A-Za-z0-9_]+/g, '_')}`;
  return { name: base.endsWith(unitInfo.suffix) ? base : `${base}${unitInfo.suffix}`, scale: unitInfo.scale };
}

function rescale(metric: MetricData, scale: number): MetricData {
  if (scale === 1) return metric;
  if (metric.dataPointType === DataPointType.HISTOGRAM) {
    return {
      ...metric,
      dataPoints: metric.dataPoints.map((p) => ({
        ...p,
        value: {
          ...p.value,
          sum: p.value.sum === undefined ? undefined : p.value.sum * scale,
          min: p.value.min === undefined ? undefined : p.value.min * scale,
          max: p.value.max === undefined ? undefined : p.value.max * scale,
          buckets: { counts: p.value.buckets.counts, boundaries: p.value.buckets.boundaries.map((b) => b * scale) },
        },
      })),
    };
  }
  if (metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) return metric; // not used by the agent
  return { ...metric, dataPoints: metric.dataPoints.map((p) => ({ ...p, value: p.value * scale })) } as MetricData;
}

/** A renamed copy of what the reader collected; the unit goes into the name, so no
 * `# UNIT` line (not part of the 0.0.4 text format) is written. */
export function toPrometheusNaming(metrics: ResourceMetrics): ResourceMetrics {
  return {
    resource: metrics.resource,
    scopeMetrics: metrics.scopeMetrics.map((scope) => ({
      scope: scope.scope,
      metrics: scope.metrics.map((metric) => {
        const naming = prometheusNaming(metric.descriptor.name, metric.descriptor.unit);
        return rescale({ ...metric, descriptor: { ...metric.descriptor, name: naming.name, unit: '' } } as MetricData, naming.scale);
      }),
    })),
  };
}
