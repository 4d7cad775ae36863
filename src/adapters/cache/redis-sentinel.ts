import { createClient } from '@keyv/redis';
import { AgentError } from '../../domain/errors';
import type { RedisTlsMaterial } from './redis-endpoint';
import { redisError } from './redis-errors';
import type { RedisNode, RedisTarget } from './redis-target';

export interface SocketSettings {
  tls: RedisTlsMaterial;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

/**
 * Socket options for one node. With TLS the server certificate is verified against the
 * CA (ours, or node's defaults plus NODE_EXTRA_CA_CERTS) and the host we dial (node's
 * default `checkServerIdentity`): hostname verification stays on.
 */
export function socketFor(tls: boolean, node: RedisNode | undefined, settings: SocketSettings) {
  const material = tls ? { tls: true as const, ...settings.tls } : {};
  return { ...(node ? { host: node.host, port: node.port } : {}), ...material, connectTimeout: settings.connectTimeoutMs };
}

/**
 * Asks the Sentinels, in order, where the primary of `masterName` is now
 * (`SENTINEL GET-MASTER-ADDR-BY-NAME`), one short-lived connection each. This follows
 * redis.io's Sentinel client guidelines; node-redis's own `createSentinel` is not used
 * because it retries without a deadline in the background and prints errors to stdout
 * (the agent's JSON log stream).
 */
export async function resolvePrimary(target: Extract<RedisTarget, { kind: 'sentinel' }>, settings: SocketSettings): Promise<RedisNode> {
  let lastError: unknown;
  for (const sentinel of target.sentinels) {
    const client = createClient({
      ...(target.sentinel.username === undefined ? {} : { username: target.sentinel.username }),
      ...(target.sentinel.password === undefined ? {} : { password: target.sentinel.password }),
      disableOfflineQueue: true,
      commandOptions: { timeout: settings.commandTimeoutMs },
      socket: { ...socketFor(target.tls, sentinel, settings), reconnectStrategy: false },
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const reply = (await client.sendCommand(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', target.masterName])) as unknown;
      if (Array.isArray(reply) && reply.length === 2) {
        const port = Number(reply[1]);
        if (Number.isInteger(port) && port > 0 && port < 65536) return { host: String(reply[0]), port };
      }
      lastError = new AgentError('cache_unavailable', 'a Sentinel does not know the master name in the cache URL');
    } catch (error) {
      lastError = error;
    } finally {
      if (client.isOpen) client.destroy();
    }
  }
  throw redisError(lastError, 'no Sentinel answered');
}
