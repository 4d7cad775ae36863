import type { Container } from 'inversify';
import type pino from 'pino';
import type { RedisEndpoint } from '../../adapters/cache/redis-endpoint';
import type { AgentConfig } from '../config/agent-config';
import { readCacheSettings } from '../config/cache-config';
import { ConfigError } from '../config/config-error';
import { AppTypes } from '../types';

/**
 * SIGHUP for the fleet tier: re-reads CLEF_AGENT_CACHE_URL_FILE and the TLS files as one
 * unit (a rotated password and a rotated client certificate usually go together) and hands
 * them to the shared endpoint, whose connections reconnect with them on their next
 * operation. Anything missing or invalid keeps the previous settings; the log names the
 * variable and file, never the URL.
 */
export async function reloadCacheFiles(container: Container, config: AgentConfig, logger: pino.Logger): Promise<'reloaded' | 'failed' | 'not_configured'> {
  const files = config.cacheFiles;
  if (files === undefined || Object.values(files).every((f) => f === undefined)) return 'not_configured';
  try {
    const settings = await readCacheSettings(config.cacheUrl, files);
    if (settings === undefined) return 'not_configured';
    container.get<RedisEndpoint>(AppTypes.RedisEndpoint).update(settings);
    return 'reloaded';
  } catch (e) {
    const message = e instanceof ConfigError ? e.message : 'the fleet tier settings are not usable';
    logger.warn({ event: 'agent.reload_failed', code: 'config_error', variable: 'CLEF_AGENT_CACHE_*_FILE', error: message }, 'kept the previous fleet tier settings');
    return 'failed';
  }
}
