import type { RedisEndpointSettings, RedisTlsMaterial } from '../../adapters/cache/redis-endpoint';
import { parseRedisTarget } from '../../adapters/cache/redis-target';
import { ConfigError } from './config-error';
import type { Env } from './env-schema';
import { readSecretFile } from './secret-files';

/** The files behind the fleet tier's settings; all re-read on SIGHUP. */
export interface CacheFiles {
  urlFile?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

const URL_SHAPE = /^rediss?(\+sentinel)?:\/\/\S+$/;

/** Checks a URL (from the environment or a file) without ever echoing it: it may carry a password. */
function checkedUrl(variable: string, url: string): string {
  if (!URL_SHAPE.test(url)) throw new ConfigError(variable, 'must be a redis://, rediss://, redis+sentinel:// or rediss+sentinel:// URL');
  try {
    parseRedisTarget(url);
  } catch (e) {
    throw new ConfigError(variable, (e as Error).message);
  }
  return url;
}

/**
 * Reads every fleet-tier setting: the URL (inline or from CLEF_AGENT_CACHE_URL_FILE) and
 * the TLS material (CA bundle, client certificate and key). Used at startup (errors are
 * configuration errors, exit 2) and by SIGHUP (errors keep the previous settings).
 */
export async function readCacheSettings(inlineUrl: string | undefined, files: CacheFiles): Promise<RedisEndpointSettings | undefined> {
  const url = files.urlFile === undefined ? inlineUrl : checkedUrl('CLEF_AGENT_CACHE_URL_FILE', readSecretFile('CLEF_AGENT_CACHE_URL_FILE', files.urlFile).trim());
  if (url === undefined) return undefined;
  const tls: RedisTlsMaterial = {};
  if (files.caFile !== undefined) tls.ca = readPem('CLEF_AGENT_CACHE_TLS_CA_FILE', files.caFile, 'CERTIFICATE');
  if (files.certFile !== undefined) tls.cert = readPem('CLEF_AGENT_CACHE_TLS_CERT_FILE', files.certFile, 'CERTIFICATE');
  if (files.keyFile !== undefined) tls.key = readPem('CLEF_AGENT_CACHE_TLS_KEY_FILE', files.keyFile, 'PRIVATE KEY');
  return { url, tls };
}

function readPem(variable: string, file: string, label: string): string {
  const text = readSecretFile(variable, file);
  if (!text.includes('-----BEGIN ') || !text.includes(label)) throw new ConfigError(variable, `points to ${file}, which holds no PEM ${label}`);
  return text;
}

export async function cacheConfig(env: Env): Promise<{ cacheUrl?: string; cacheFiles?: CacheFiles; cacheTls?: RedisTlsMaterial }> {
  const files: CacheFiles = {
    urlFile: env.CLEF_AGENT_CACHE_URL_FILE,
    caFile: env.CLEF_AGENT_CACHE_TLS_CA_FILE,
    certFile: env.CLEF_AGENT_CACHE_TLS_CERT_FILE,
    keyFile: env.CLEF_AGENT_CACHE_TLS_KEY_FILE,
  };
  if (files.urlFile !== undefined && env.CLEF_AGENT_CACHE_URL !== undefined) {
    throw new ConfigError('CLEF_AGENT_CACHE_URL_FILE', 'set either CLEF_AGENT_CACHE_URL or CLEF_AGENT_CACHE_URL_FILE, not both');
  }
  if ((files.certFile === undefined) !== (files.keyFile === undefined)) {
    throw new ConfigError(files.certFile === undefined ? 'CLEF_AGENT_CACHE_TLS_CERT_FILE' : 'CLEF_AGENT_CACHE_TLS_KEY_FILE', 'a Redis client certificate needs both CLEF_AGENT_CACHE_TLS_CERT_FILE and CLEF_AGENT_CACHE_TLS_KEY_FILE');
  }
  const inline = env.CLEF_AGENT_CACHE_URL === undefined ? undefined : checkedUrl('CLEF_AGENT_CACHE_URL', env.CLEF_AGENT_CACHE_URL);
  const settings = await readCacheSettings(inline, files);
  if (settings === undefined) {
    const stray = files.caFile ?? files.certFile;
    if (stray !== undefined) throw new ConfigError(files.caFile !== undefined ? 'CLEF_AGENT_CACHE_TLS_CA_FILE' : 'CLEF_AGENT_CACHE_TLS_CERT_FILE', 'is set but no fleet tier is (CLEF_AGENT_CACHE_URL or CLEF_AGENT_CACHE_URL_FILE)');
    return {};
  }
  return { cacheUrl: settings.url, cacheFiles: files, cacheTls: settings.tls };
}
