import { ContainerModule } from 'inversify';
import type Koa from 'koa';
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
      (c: AgentConfig, query: SecretsQuery, authenticator: Authenticator, telemetry: Telemetry) =>
        createHttpApp({ query, authenticator, port: c.port, telemetry }),
      [AppTypes.Config, SecretsQuery, AppTypes.Authenticator, Telemetry],
    )
    .inSingletonScope();
});
