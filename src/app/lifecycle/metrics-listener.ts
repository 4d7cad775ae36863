import type pino from 'pino';
import { createMetricsApp, type MetricsSource } from '../../adapters/http/metrics-app';
import { startHttpServer, type RunningServer } from '../../adapters/http/server';
import type { MetricsText } from '../../adapters/telemetry/otlp-config';
import type { AgentConfig } from '../config/agent-config';

/** A scrape that arrives before the SDK has loaded waits at most this long, then gets 503. */
const LOAD_WAIT_MS = 5_000;

/**
 * Where the scrape handler finds the Prometheus text: set once the OpenTelemetry SDK has
 * loaded (lazily, after the listeners are up), never before.
 */
export class PendingMetrics implements MetricsSource {
  private resolve: (m: MetricsText | undefined) => void = () => undefined;
  private readonly loaded = new Promise<MetricsText | undefined>((r) => (this.resolve = r));

  provide(metrics: MetricsText | undefined): void {
    this.resolve(metrics);
  }

  current(): Promise<MetricsText | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), LOAD_WAIT_MS)));
    return Promise.race([this.loaded, timeout]).finally(() => clearTimeout(timer));
  }
}

/**
 * CLEF_AGENT_METRICS_ADDRESS: the `/metrics` listener. It is a separate server on its own
 * address (it may be 0.0.0.0 for the scraper) with its own Koa app, the same request
 * limits as the API, and its own connection bound.
 */
export async function startMetricsListener(config: AgentConfig, source: MetricsSource, logger: pino.Logger): Promise<RunningServer | undefined> {
  if (!config.metrics) return undefined;
  const server = await startHttpServer(createMetricsApp(source), {
    host: config.metrics.host,
    port: config.metrics.port,
    connectionLimit: { max: config.maxConnections, reserve: 0 },
  });
  const host = server.address.includes(':') ? `[${server.address}]` : server.address;
  logger.info({ event: 'agent.listening_metrics', url: `http://${host}:${server.port}/metrics`, port: server.port }, 'serving Prometheus metrics');
  return server;
}
