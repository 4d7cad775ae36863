import { ContainerModule } from 'inversify';
import type pino from 'pino';
import type { CacheWarningListener } from '../../adapters/cache/keyv-artifact-cache';
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
    // Required only when configured: the Redis client alone is ~400 modules of startup
    // time and memory that agents without a fleet tier should not pay for.
    if (cachePath !== undefined) {
      const { createFileArtifactCache } = require('../../adapters/cache/file-cache') as typeof import('../../adapters/cache/file-cache');
      bind(ArtifactCache)
        .toResolvedValue((logger: pino.Logger) => createFileArtifactCache(cachePath, { onWarning: cacheWarningsTo(logger, 'file') }), [AppTypes.Logger])
        .inSingletonScope();
    }
    if (cacheUrl !== undefined) {
      const { createRedisArtifactCache } = require('../../adapters/cache/redis-cache') as typeof import('../../adapters/cache/redis-cache');
      const { RedisLease } = require('../../adapters/cache/redis-lease') as typeof import('../../adapters/cache/redis-lease');
      const { RedisEndpoint } = require('../../adapters/cache/redis-endpoint') as typeof import('../../adapters/cache/redis-endpoint');
      // One endpoint for the cache's and the lease's connections: SIGHUP updates both.
      const endpoint = new RedisEndpoint({ url: cacheUrl, tls: config.cacheTls });
      bind(AppTypes.RedisEndpoint).toConstantValue(endpoint);
      bind(AppTypes.FleetCache)
        .toResolvedValue((logger: pino.Logger) => createRedisArtifactCache(endpoint, { onWarning: cacheWarningsTo(logger, 'fleet') }), [AppTypes.Logger])
        .inSingletonScope();
      bind(FleetLease).toConstantValue(new RedisLease(endpoint));
    }
  });
}
