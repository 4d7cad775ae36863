import Koa from 'koa';
import { AgentError } from '../../domain/errors';
import type { SecretsQuery } from '../../domain/inbound';
import type { Telemetry } from '../../domain/ports/telemetry';
import type { Authenticator } from './authenticator';
import { errorHandler } from './middleware/error-handler';
import { hostAllowlist } from './middleware/host-allowlist';
import { rejectProxied } from './middleware/reject-proxied';
import { requestTelemetry, type AccessLogLine } from './middleware/request-telemetry';
import { securityHeaders } from './middleware/security-headers';
import { createRouter } from './routes';
import { dispatchRoutes } from './static-dispatch';

export interface HttpAppDeps {
  query: SecretsQuery;
  authenticator: Authenticator;
  /** Port accepted in the Host header; 0 accepts the port each connection arrived on. */
  port: number;
  telemetry?: Telemetry;
  /** Called once per request, after the response status is final. */
  accessLog?: (line: AccessLogLine) => void;
}

/**
 * The inbound HTTP adapter. Order matters: telemetry sees the final status; the error
 * handler catches everything below it; security headers are on before any check can
 * fail; Host and proxy checks run before routing, so unknown paths are covered too.
 *
 * 500s are re-emitted as `app.on('error')`: attach a listener, or Koa prints the stack
 * to stderr (never to the client).
 */
export function createHttpApp(deps: HttpAppDeps): Koa {
  const app = new Koa({ proxy: false });
  const router = createRouter({ query: deps.query, authenticator: deps.authenticator });

  app.use(requestTelemetry(deps.telemetry, deps.accessLog));
  app.use(errorHandler());
  app.use(securityHeaders());
  app.use(hostAllowlist(deps.port));
  app.use(rejectProxied());
  app.use(dispatchRoutes(router));
  app.use(() => {
    throw new AgentError('not_found', 'not found');
  });
  return app;
}
