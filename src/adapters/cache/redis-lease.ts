import { randomBytes } from 'node:crypto';
import type { FleetStatus } from '../../domain/ports/fleet-lease';
import { RedisConnection, type RedisClient, type RedisConnectionOptions } from './redis-connection';
import { RedisEndpoint } from './redis-endpoint';
import { redisError } from './redis-errors';

export interface RedisLeaseOptions extends RedisConnectionOptions {
  /** Key prefix for lease keys (default `clef-agent:lease`). */
  namespace?: string;
}

export interface LeaseAttempt {
  acquired: boolean;
  /** Proof of ownership for `release`; meaningless when not acquired. */
  token: string;
}

// Delete only if the caller still owns the lease: a holder whose lease expired
// and was taken over must not release the new owner's lease.
const releaseScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Fleet coordination primitive: a named lease held by at most one agent until it is
 * released or its TTL passes (`SET key token NX PX ttl`). Not a fencing lock: a
 * holder that stalls past its TTL may overlap with the next one.
 */
export class RedisLease {
  private readonly connection: RedisConnection;
  private readonly namespace: string;

  constructor(endpoint: RedisEndpoint | string, options: RedisLeaseOptions = {}) {
    this.connection = new RedisConnection(typeof endpoint === 'string' ? new RedisEndpoint({ url: endpoint }) : endpoint, options);
    this.namespace = options.namespace ?? 'clef-agent:lease';
  }

  async tryAcquire(name: string, ttlMs: number): Promise<LeaseAttempt> {
    if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new RangeError('lease ttlMs must be a positive integer');
    const token = randomBytes(16).toString('hex');
    const reply = await this.run(async (client) =>
      client.set(this.keyFor(name), token, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } }),
    );
    return { acquired: reply === 'OK', token };
  }

  /** Releases the lease if `token` still owns it; returns whether it did. */
  async release(name: string, token: string): Promise<boolean> {
    const reply = await this.run(async (client) =>
      client.eval(releaseScript, { keys: [this.keyFor(name)], arguments: [token] }),
    );
    return reply === 1;
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /** The shared endpoint's view: the last connection or command outcome of the cache or the lease. */
  status(): FleetStatus {
    return this.connection.endpoint.status();
  }

  private keyFor(name: string): string {
    if (name.length === 0) throw new RangeError('lease name must not be empty');
    return `${this.namespace}:${name}`;
  }

  private async run<T>(op: (client: RedisClient) => Promise<T>): Promise<T> {
    const client = await this.connection.ready(); // rejects with a coded, already reported error
    try {
      const result = await op(client);
      this.connection.observe(undefined);
      return result;
    } catch (error) {
      if (error instanceof RangeError) throw error;
      this.connection.observe(error);
      throw redisError(error, 'Redis lease command failed');
    }
  }
}
