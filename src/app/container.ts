import 'reflect-metadata';
import { Container } from 'inversify';
import type pino from 'pino';
import type { AgentConfig } from './config/agent-config';
import { cacheModule } from './modules/cache-module';
import { coreModule } from './modules/core-module';
import { cryptoModule } from './modules/crypto-module';
import { filesModule } from './modules/files-module';
import { httpModule } from './modules/http-module';
import { metricsModule } from './modules/metrics-module';
import { sourceModule } from './modules/source-module';
import { telemetryModule } from './modules/telemetry-module';
import { type AdapterOverrides, overridesModule } from './modules/overrides-module';
import { AppTypes } from './types';

/**
 * The single composition root: one ContainerModule per area, bound to the adapters the
 * configuration selects. Nothing else in the codebase constructs adapters for the agent.
 * An embedder's adapters (createAgent) are rebound over those bindings, last.
 * `logDestination` replaces stderr as where the log lines go (the snapshot warm-up's sink).
 */
export async function createContainer(config: AgentConfig, overrides: AdapterOverrides = {}, logDestination?: pino.DestinationStream): Promise<Container> {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(AppTypes.Config).toConstantValue(config);
  await container.load(telemetryModule(config, logDestination), cryptoModule, sourceModule, cacheModule(config), coreModule, httpModule, filesModule(config), metricsModule(config), overridesModule(overrides));
  return container;
}
