import { isIP } from 'node:net';
import { ConfigError } from './config-error';
import type { Env } from './env-schema';

export const DEFAULT_MAX_CONNECTIONS = 256;

export interface MetricsListenConfig {
  /** Literal IP to bind (IPv6 without brackets); may be a wildcard: no secret route is served there. */
  host: string;
  port: number;
}

/**
 * CLEF_AGENT_METRICS_ADDRESS: `host:port` with an IP literal (`0.0.0.0:9779`,
 * `127.0.0.1:9779`, `[::]:9779`) or `localhost`. Names other than localhost are refused
 * rather than resolved: what the listener binds must be what the operator wrote.
 */
export function metricsListenConfig(env: Env): MetricsListenConfig | undefined {
  const raw = env.CLEF_AGENT_METRICS_ADDRESS;
  if (raw === undefined) return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(raw);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || host === undefined || port > 65535) {
    throw new ConfigError('CLEF_AGENT_METRICS_ADDRESS', 'must be host:port, e.g. 0.0.0.0:9779, 127.0.0.1:9779 or [::]:9779');
  }
  if (host === 'localhost') return { host: '127.0.0.1', port };
  if (isIP(host) === 0 || (match[1] !== undefined) !== (isIP(host) === 6)) {
    throw new ConfigError('CLEF_AGENT_METRICS_ADDRESS', 'needs an IP address (IPv6 in brackets, e.g. [::]:9779) or localhost');
  }
  return { host, port };
}
