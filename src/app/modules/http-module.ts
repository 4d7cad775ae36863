import { ContainerModule } from 'inversify';
import type Koa from 'koa';
import type pino from 'pino';
import { createHttpApp } from '../../adapters/http/app';
import { type Authenticator, StaticTokenAuthenticator } from '../../adapters/http/authenticator';
import { ScopedTokenAuthenticator } from '../../adapters/http/scoped-token-authenticator';
import { SecretsQuery } from '../../domain/inbound';
import { Telemetry } from '../../domain/ports';
import type { AgentConfig } from '../config/agent-config';
import { AppTypes } from '../types';

/** The inbound Koa adapter and its authenticator. */
export const httpModule = new ContainerModule(({ bind }) => {
  bind<Authenticator>(AppTypes.Authenticator)
    .toResolvedValue((c: AgentConfig) => new StaticTokenAuthenticator(c.token), [AppTypes.Config])
    .inSingletonScope();
  // The static token (all namespaces) is asked first, then the scoped entries; reloads
  // swap each table in place, so the app keeps one authenticator for its lifetime.
  bind<ScopedTokenAuthenticator>(AppTypes.ScopedTokens)
    .toResolvedValue((c: AgentConfig, fallback: Authenticator) => new ScopedTokenAuthenticator(c.scopedTokens, fallback), [AppTypes.Config, AppTypes.Authenticator])
    .inSingletonScope();
  bind<Koa>(AppTypes.HttpApp)
    .toResolvedValue(
      (c: AgentConfig, query: SecretsQuery, authenticator: Authenticator, scoped: ScopedTokenAuthenticator, telemetry: Telemetry, logger: pino.Logger) => {
        // Port 0 with TCP off: only socket connections arrive, checked against the bare names.
        // Per-request events feed only the access log and OTLP metrics: without either, the
        // request path skips them entirely.
        const observed = c.accessLog || c.otlp !== undefined || c.metrics !== undefined;
        const app = createHttpApp({ query, authenticator: c.tokensFile ? scoped : authenticator, port: c.tcp ? c.port : 0, telemetry: observed ? telemetry : undefined });
        // Unexpected errors already became a generic 500; log only what kind of error it was.
        app.on('error', (err: unknown) => logger.error({ event: 'http.error', error: err instanceof Error ? err.name : 'error' }, 'unexpected error while serving a request'));
        return app;
      },
      [AppTypes.Config, SecretsQuery, AppTypes.Authenticator, AppTypes.ScopedTokens, Telemetry, AppTypes.Logger],
    )
    .inSingletonScope();
});
