import type { Container } from 'inversify';
import type { BufferedTelemetry } from '../../adapters/telemetry/buffered-telemetry';
import { loadOtlpTelemetry, type LoadedTelemetry } from '../../adapters/telemetry/load-otlp-telemetry';
import { telemetryHeadersFromSecrets } from '../../adapters/telemetry/otlp-config';
import type { AgentState } from '../../domain/agent-state';
import { type AgentPolicy, pollIntervalMs } from '../../domain/policy';
import type { SecretsService } from '../../domain/secrets-service';
import type { AgentConfig } from '../config/agent-config';
import { AppTypes } from '../types';
import { AGENT_VERSION } from '../version';

/** Standard OTel SDK variables for the batch and export intervals (milliseconds). */
function intervalEnv(name: string): number | undefined {
  const raw = process.env[name];
  return raw !== undefined && /^\d{1,9}$/.test(raw) && Number(raw) > 0 ? Number(raw) : undefined;
}

/** The effective poll interval (the policy resolves CLEF_AGENT_POLL_INTERVAL's default). */
function pollSeconds(container: Container): number {
  return pollIntervalMs(container.get<AgentPolicy>(AppTypes.Policy)) / 1000;
}

/** `s3` for S3 URLs (the reference reports them as http/file, W13). */
function sourceType(config: AgentConfig): string {
  const s = config.source;
  if (s.kind !== 'http') return s.kind;
  return /(^|\.)s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/i.test(new URL(s.url).hostname) ? 's3' : 'http';
}

/**
 * Starts loading the OpenTelemetry SDK (only now, and only when OTLP or the Prometheus
 * listener is configured: nothing OTel is loaded otherwise) and attaches it to the
 * startup buffer once `firstRefresh` settles (at once without OTLP: a scrape needs no
 * secret-provided header). Auth headers are read at every export from the served secrets
 * (`CLEF_TELEMETRY_HEADERS` / `CLEF_TELEMETRY_TOKEN`, first namespace that has the key),
 * so rotations are picked up (W13).
 */
export function startOtlpExport(
  container: Container,
  firstRefresh: Promise<unknown>,
  onLoaded?: (telemetry: LoadedTelemetry) => void,
): Promise<LoadedTelemetry | undefined> {
  const config = container.get<AgentConfig>(AppTypes.Config);
  if (!config.otlp && !config.metrics) return Promise.resolve(undefined);
  const otlp = config.otlp ?? { protocol: 'http/protobuf' as const, headers: {} };
  const secrets = container.get<SecretsService>(AppTypes.SecretsService);
  const buffer = container.get<BufferedTelemetry>(AppTypes.TelemetryBuffer);
  const state = container.get<AgentState>(AppTypes.AgentState);
  const lookup = (key: string): string | undefined => {
    const snapshot = state.snapshot;
    if (!snapshot) return undefined;
    for (const ns of snapshot.namespaces) {
      const value = snapshot.get(ns, key);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const loading = loadOtlpTelemetry({
    logsUrl: otlp.logsUrl,
    metricsUrl: otlp.metricsUrl,
    protocol: otlp.protocol,
    headers: () => ({ ...otlp.headers, ...telemetryHeadersFromSecrets(lookup) }),
    accessLog: config.accessLog,
    logBatchDelayMs: intervalEnv('OTEL_BLRP_SCHEDULE_DELAY'),
    exportIntervalMs: intervalEnv('OTEL_METRIC_EXPORT_INTERVAL'),
    prometheus: config.metrics !== undefined,
    serving: () => {
      const health = secrets.health();
      return { ready: health.ready, status: health.status, servedFrom: health.servedFrom, lastRefreshAt: health.lastRefreshAt, pollIntervalSeconds: pollSeconds(container) };
    },
    resource: {
      serviceVersion: AGENT_VERSION,
      agentId: config.agentId,
      identity: config.expectedIdentity ?? 'unknown',
      environment: config.expectedEnvironment ?? 'unknown',
      sourceType: sourceType(config),
    },
  });
  void loading.then(onLoaded, () => undefined);
  const gate = config.otlp ? firstRefresh.catch(() => undefined) : undefined;
  return Promise.all([loading, gate]).then(([telemetry]) => {
    buffer.attach(telemetry);
    return telemetry;
  });
}
