import { createClient } from '@keyv/redis';
import { AgentError } from '../../domain/errors';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisConnectionOptions {
  /** Bound on establishing a connection, TCP and handshake (default 2000 ms). */
  connectTimeoutMs?: number;
  /** Bound on any single command (default 2000 ms). */
  commandTimeoutMs?: number;
}

function unavailable(message: string, cause?: unknown): AgentError {
  // Never include the URL: it may carry a password.
  return new AgentError('cache_unavailable', message, cause === undefined ? {} : { cause });
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One Redis connection whose every wait is bounded, so a dead or silent Redis
 * costs callers a timeout, never a hang:
 * - commands fail fast while disconnected (no offline queue) and time out otherwise;
 * - the first connection is attempted on demand, once at a time, within a deadline,
 *   and a failure is retried by the next operation rather than in the background;
 * - once connected, a dropped connection is re-established in the background
 *   (capped backoff) while operations fail fast.
 */
export class RedisConnection {
  readonly client: RedisClient;
  private readonly connectTimeoutMs: number;
  private connecting?: Promise<RedisClient>;
  private everReady = false;
  private closed = false;

  constructor(url: string, options: RedisConnectionOptions = {}) {
    const scheme = /^([a-z]+):\/\//i.exec(url)?.[1]?.toLowerCase();
    if (scheme !== 'redis' && scheme !== 'rediss') throw unavailable('Redis URL must start with redis:// or rediss://');
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2000;
    this.client = createClient({
      url,
      disableOfflineQueue: true,
      commandOptions: { timeout: options.commandTimeoutMs ?? 2000 },
      socket: {
        connectTimeout: this.connectTimeoutMs,
        // Before the first success, give up at once and let `ready()` report it;
        // afterwards keep reconnecting, at most every 2 s.
        reconnectStrategy: (retries: number) => (this.everReady ? Math.min(50 * 2 ** retries, 2000) : false),
      },
    });
    this.client.on('ready', () => {
      this.everReady = true;
    });
    // Failures reach callers through rejected commands; an unhandled 'error' event
    // would otherwise crash the process.
    this.client.on('error', () => undefined);
  }

  /** The client, connected; rejects with `cache_unavailable` within the deadline. */
  async ready(): Promise<RedisClient> {
    if (this.closed) throw unavailable('Redis connection is closed');
    if (this.client.isReady) return this.client;
    if (this.connecting) return this.connecting;
    if (this.client.isOpen) throw unavailable('Redis is unreachable; reconnecting');
    const attempt = this.client.connect();
    attempt.catch(() => undefined); // may settle after the deadline
    this.connecting = withTimeout(attempt, this.connectTimeoutMs, 'Redis connection timed out')
      .then(() => this.client)
      .catch((error: unknown) => {
        // Stop a half-open attempt so the next operation starts cleanly.
        if (this.client.isOpen) this.client.destroy();
        throw error instanceof AgentError ? error : unavailable('Redis connection failed', error);
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  /** Graceful close (pending replies are awaited) when connected, bounded; otherwise destroy. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.client.isOpen) return;
    if (!this.client.isReady) {
      this.client.destroy();
      return;
    }
    try {
      await withTimeout(this.client.close(), this.connectTimeoutMs, 'Redis close timed out');
    } catch {
      if (this.client.isOpen) this.client.destroy();
    }
  }
}
