import { randomBytes } from 'node:crypto';
import { AgentError, isAgentError } from '../../domain/errors';
import { RedisConnection, type RedisConnectionOptions } from './redis-connection';

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

  constructor(url: string, options: RedisLeaseOptions = {}) {
    this.connection = new RedisConnection(url, options);
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

  private keyFor(name: string): string {
    if (name.length === 0) throw new RangeError('lease name must not be empty');
    return `${this.namespace}:${name}`;
  }

  private async run<T>(op: (client: RedisConnection['client']) => Promise<T>): Promise<T> {
    try {
      return await op(await this.connection.ready());
    } catch (error) {
      if (isAgentError(error) || error instanceof RangeError) throw error;
      throw new AgentError('cache_unavailable', 'Redis lease command failed', { cause: error });
    }
  }
}
