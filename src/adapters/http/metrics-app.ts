import Koa from 'koa';
import { AgentError } from '../../domain/errors';
import { errorHandler } from './middleware/error-handler';
import { setSecurityHeaders } from './middleware/security-headers';

/** What the metrics listener serves: the Prometheus text, rendered per scrape. */
export interface MetricsSource {
  /** Resolves to undefined while the metrics pipeline is not loaded (answered 503). */
  current(): Promise<{ contentType: string; render(): Promise<string> } | undefined>;
}

export const METRICS_PATH = '/metrics';

/**
 * The metrics listener's whole app: `GET`/`HEAD /metrics` and nothing else. It shares no
 * middleware, route or state with the secrets API (no token, no secret route can exist
 * here), so it may bind beyond loopback for the scraper; no Host check either, since a
 * scraper addresses it by pod IP. Errors are the API's JSON shape, through the same
 * error handler.
 */
export function createMetricsApp(source: MetricsSource): Koa {
  const app = new Koa({ proxy: false });
  app.use(errorHandler());
  app.use(async (ctx) => {
    setSecurityHeaders(ctx.res);
    if (ctx.path !== METRICS_PATH) throw new AgentError('not_found', 'not found: this listener serves only /metrics');
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.set('Allow', 'GET, HEAD');
      throw new AgentError('method_not_allowed', 'method not allowed');
    }
    const metrics = await source.current();
    if (!metrics) throw new AgentError('not_loaded', 'metrics are not loaded yet');
    let text: string;
    try {
      text = await metrics.render();
    } catch {
      throw new AgentError('stopped', 'metrics are not available');
    }
    ctx.status = 200;
    ctx.res.setHeader('Content-Type', metrics.contentType);
    ctx.body = text;
  });
  return app;
}
