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
 * Asks every Sentinel at once where the primary of `masterName` is now
 * (`SENTINEL GET-MASTER-ADDR-BY-NAME`, one short-lived connection each) and takes the first
 * answer, so one dead or blackholed Sentinel costs nothing; the caller checks the node's
 * `ROLE`, which catches a Sentinel that has not yet heard of a failover. This follows
 * redis.io's Sentinel client guidelines; node-redis's own `createSentinel` is not used
 * because it retries without a deadline in the background and prints errors with
 * `console.log`, outside the agent's logs.
 */
export async function resolvePrimary(target: Extract<RedisTarget, { kind: 'sentinel' }>, settings: SocketSettings): Promise<RedisNode> {
  const clients = target.sentinels.map((sentinel) => {
    const client = createClient({
      ...(target.sentinel.username === undefined ? {} : { username: target.sentinel.username }),
      ...(target.sentinel.password === undefined ? {} : { password: target.sentinel.password }),
      disableOfflineQueue: true,
      commandOptions: { timeout: settings.commandTimeoutMs },
      socket: { ...socketFor(target.tls, sentinel, settings), reconnectStrategy: false },
    });
    client.on('error', () => undefined);
    return client;
  });
  try {
    return await Promise.any(clients.map((client) => askOne(client, target.masterName)));
  } catch (error) {
    // Report the most telling failure: a certificate or credential problem over "unreachable".
    const errors = error instanceof AggregateError ? error.errors : [error];
    const coded = errors.map((e: unknown) => redisError(e, 'no Sentinel answered'));
    throw coded.find((e) => e.code !== 'cache_unavailable') ?? coded[0];
  } finally {
    for (const client of clients) if (client.isOpen) client.destroy();
  }
}

type SentinelClient = { connect(): Promise<unknown>; sendCommand(args: string[]): Promise<unknown> };

async function askOne(client: SentinelClient, masterName: string): Promise<RedisNode> {
  await client.connect();
  const reply = await client.sendCommand(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName]);
  if (Array.isArray(reply) && reply.length === 2) {
    const port = Number(reply[1]);
    if (Number.isInteger(port) && port > 0 && port < 65536) return { host: String(reply[0]), port };
  }
  throw new AgentError('cache_unavailable', 'a Sentinel does not know the master name in the cache URL');
}
