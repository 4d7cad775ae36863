import { ContainerModule } from 'inversify';
import type pino from 'pino';
import { createFileArtifactCache } from '../../adapters/cache/file-cache';
import type { CacheWarningListener } from '../../adapters/cache/keyv-artifact-cache';
import { createRedisArtifactCache } from '../../adapters/cache/redis-cache';
import { RedisLease } from '../../adapters/cache/redis-lease';
import { ArtifactCache, FleetLease } from '../../domain/ports';
import type { AgentConfig } from '../config/agent-config';
import { AppTypes } from '../types';

/** Cache warnings (corrupt or unreachable entries) are logged with their code; they never fail a refresh. */
export function cacheWarningsTo(logger: pino.Logger, tier: string): CacheWarningListener {
  return (code, message) => logger.warn({ event: 'cache.warning', tier, code }, message);
}

/**
 * The cache tiers. Each is bound only when configured (the domain treats both as optional):
 * CLEF_AGENT_CACHE_PATH → the local file tier (outage survival for this agent);
 * CLEF_AGENT_CACHE_URL → the fleet tier on Redis/Valkey (shared entry + fetch lease).
 */
export function cacheModule(config: AgentConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    const { cachePath, cacheUrl } = config;
    if (cachePath !== undefined) {
      bind(ArtifactCache)
        .toResolvedValue((logger: pino.Logger) => createFileArtifactCache(cachePath, { onWarning: cacheWarningsTo(logger, 'file') }), [AppTypes.Logger])
        .inSingletonScope();
    }
    if (cacheUrl !== undefined) {
      bind(AppTypes.FleetCache)
        .toResolvedValue((logger: pino.Logger) => createRedisArtifactCache(cacheUrl, { onWarning: cacheWarningsTo(logger, 'fleet') }), [AppTypes.Logger])
        .inSingletonScope();
      bind(FleetLease).toConstantValue(new RedisLease(cacheUrl));
    }
  });
}
