import { ContainerModule } from 'inversify';
import type pino from 'pino';
import { createFileArtifactCache } from '../../adapters/cache/file-cache';
import type { CacheWarningListener } from '../../adapters/cache/keyv-artifact-cache';
import { ArtifactCache } from '../../domain/ports';
import type { AgentConfig } from '../config/agent-config';
import { AppTypes } from '../types';

/** Cache warnings (corrupt or unreachable entries) are logged with their code; they never fail a refresh. */
export function cacheWarningsTo(logger: pino.Logger): CacheWarningListener {
  return (code, message) => logger.warn({ event: 'cache.warning', code }, message);
}

/**
 * The artifact cache tier. Bound only when configured: the domain treats the port as
 * optional, so an agent without CLEF_AGENT_CACHE_PATH simply has no outage fallback.
 */
export function cacheModule(config: AgentConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    if (config.cachePath === undefined) return;
    const dir = config.cachePath;
    bind(ArtifactCache)
      .toResolvedValue((logger: pino.Logger) => createFileArtifactCache(dir, { onWarning: cacheWarningsTo(logger) }), [AppTypes.Logger])
      .inSingletonScope();
  });
}
