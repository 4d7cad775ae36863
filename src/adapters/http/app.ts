import Koa from 'koa';
import { AgentError } from '../../domain/errors';
import type { SecretsQuery } from '../../domain/inbound';
import type { Telemetry } from '../../domain/ports/telemetry';
import type { Authenticator } from './authenticator';
import { errorHandler } from './middleware/error-handler';
import { requestGuard } from './middleware/request-guard';
import { requestTelemetry, type AccessLogLine } from './middleware/request-telemetry';
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
 * handler catches everything below it; the request guard sets the security headers
 * before any check can fail, then runs the Host and proxy checks before routing, so
 * unknown paths are covered too. Without a telemetry sink or access log there is no
 * telemetry middleware at all: it would only add an async hop to every request.
 *
 * 500s are re-emitted as `app.on('error')`: attach a listener, or Koa prints the stack
 * to stderr (never to the client).
 */
export function createHttpApp(deps: HttpAppDeps): Koa {
  const app = new Koa({ proxy: false });
  const router = createRouter({ query: deps.query, authenticator: deps.authenticator });

  if (deps.telemetry || deps.accessLog) app.use(requestTelemetry(deps.telemetry, deps.accessLog));
  app.use(errorHandler());
  app.use(requestGuard(deps.port));
  app.use(dispatchRoutes(router));
  app.use(() => {
    throw new AgentError('not_found', 'not found');
  });
  return app;
}
