import { ContainerModule } from 'inversify';
import type Koa from 'koa';
import type pino from 'pino';
import { createHttpApp } from '../../adapters/http/app';
import { type Authenticator, StaticTokenAuthenticator } from '../../adapters/http/authenticator';
import { SecretsQuery } from '../../domain/inbound';
import { Telemetry } from '../../domain/ports';
import type { AgentConfig } from '../config/agent-config';
import { AppTypes } from '../types';

/** The inbound Koa adapter and its authenticator. */
export const httpModule = new ContainerModule(({ bind }) => {
  bind<Authenticator>(AppTypes.Authenticator)
    .toResolvedValue((c: AgentConfig) => new StaticTokenAuthenticator(c.token), [AppTypes.Config])
    .inSingletonScope();
  bind<Koa>(AppTypes.HttpApp)
    .toResolvedValue(
      (c: AgentConfig, query: SecretsQuery, authenticator: Authenticator, telemetry: Telemetry, logger: pino.Logger) => {
        const app = createHttpApp({ query, authenticator, port: c.port, telemetry });
        // Unexpected errors already became a generic 500; log only what kind of error it was.
        app.on('error', (err: unknown) => logger.error({ event: 'http.error', error: err instanceof Error ? err.name : 'error' }, 'unexpected error while serving a request'));
        return app;
      },
      [AppTypes.Config, SecretsQuery, AppTypes.Authenticator, Telemetry, AppTypes.Logger],
    )
    .inSingletonScope();
});
