import { createClient } from '@keyv/redis';
import { AgentError } from '../../domain/errors';
import type { RedisEndpoint } from './redis-endpoint';
import { redisError } from './redis-errors';
import { resolvePrimary, socketFor, type SocketSettings } from './redis-sentinel';
import type { RedisTarget } from './redis-target';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisConnectionOptions {
  /** Bound on establishing a connection: Sentinel lookup, TCP, TLS and AUTH (default 2000 ms). */
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

/** A reply that means the node we talk to is no longer the primary (after a failover). */
const DEMOTED = /^(READONLY|MASTERDOWN|LOADING)\b/;

/**
 * One Redis connection whose every wait is bounded, so a dead or silent Redis
 * costs callers a timeout, never a hang:
 * - commands fail fast while disconnected (no offline queue) and time out otherwise;
 * - a connection is attempted on demand, once at a time, within a deadline, and a
 *   failure is retried by the next operation rather than in the background;
 * - standalone: once connected, a dropped connection is re-established in the background
 *   (capped backoff) while operations fail fast;
 * - Sentinel: a dropped connection, or a reply saying the node is no longer the primary,
 *   makes the next operation ask the Sentinels again, so a failover is followed without
 *   a restart;
 * - a new endpoint version (SIGHUP re-read the URL or TLS files) replaces the client.
 * Outcomes are reported to the endpoint for /v1/health.
 */
export class RedisConnection {
  private client?: RedisClient;
  private builtFor = -1;
  private connecting?: Promise<RedisClient>;
  private attempt = 0;
  private closed = false;
  private readonly connectTimeoutMs: number;
  private readonly commandTimeoutMs: number;

  constructor(
    readonly endpoint: RedisEndpoint,
    options: RedisConnectionOptions = {},
  ) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2000;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2000;
  }

  /** The client, connected; rejects with a `cache_*` code within the deadline. */
  async ready(): Promise<RedisClient> {
    if (this.closed) throw unavailable('Redis connection is closed');
    if (this.connecting) return this.connecting;
    const current = this.client !== undefined && this.builtFor === this.endpoint.version ? this.client : undefined;
    if (current?.isReady) return current;
    if (current?.isOpen) throw this.failed(unavailable('Redis is unreachable; reconnecting'));
    const attempt = ++this.attempt;
    const opening = this.open(attempt);
    opening.catch(() => undefined); // may settle after the deadline
    this.connecting = withTimeout(opening, this.connectTimeoutMs, 'Redis connection timed out')
      .then((client) => {
        this.endpoint.reportSuccess();
        return client;
      })
      .catch((error: unknown) => {
        // Abandon the attempt and stop a half-open client so the next operation starts cleanly.
        if (this.attempt === attempt) this.discard();
        this.attempt += 1;
        throw this.failed(redisError(error, 'Redis connection failed'));
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  /**
   * Told about every command outcome by the adapters: success keeps health green; a
   * "not the primary any more" reply drops the client so the next operation re-resolves.
   */
  observe(error: unknown): void {
    if (error === undefined) {
      this.endpoint.reportSuccess();
      return;
    }
    const message = error instanceof Error ? error.message : '';
    if (DEMOTED.test(message)) this.discard();
    this.failed(redisError(error, 'Redis command failed'));
  }

  /** Graceful close (pending replies are awaited) when connected, bounded; otherwise destroy. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    if (!client?.isOpen) return;
    if (!client.isReady) {
      client.destroy();
      return;
    }
    try {
      await withTimeout(client.close(), this.connectTimeoutMs, 'Redis close timed out');
    } catch {
      if (client.isOpen) client.destroy();
    }
  }

  private failed(error: AgentError): AgentError {
    this.endpoint.reportFailure(error.code, error.message);
    return error;
  }

  private discard(): void {
    const old = this.client;
    this.client = undefined;
    if (old?.isOpen) old.destroy();
  }

  private async open(attempt: number): Promise<RedisClient> {
    this.discard();
    const version = this.endpoint.version;
    const target = this.endpoint.target;
    const settings: SocketSettings = { tls: this.endpoint.tls, connectTimeoutMs: this.connectTimeoutMs, commandTimeoutMs: this.commandTimeoutMs };
    const primary = target.kind === 'sentinel' ? await resolvePrimary(target, settings) : undefined;
    if (attempt !== this.attempt || this.closed) throw unavailable('Redis connection attempt abandoned');
    let everReady = false;
    const client = createClient({
      ...clientOptions(target),
      disableOfflineQueue: true,
      commandOptions: { timeout: this.commandTimeoutMs },
      socket: {
        ...socketFor(target.tls, primary, settings),
        // Standalone: before the first success give up at once and let `ready()` report it;
        // afterwards keep reconnecting, at most every 2 s. Sentinel: never reconnect to the
        // same address; the next operation asks the Sentinels where the primary is now.
        reconnectStrategy: (retries: number) => (everReady && target.kind === 'standalone' ? Math.min(50 * 2 ** retries, 2000) : false),
      },
    }) as RedisClient;
    client.on('ready', () => {
      everReady = true;
    });
    // Failures reach callers through rejected commands; an unhandled 'error' event
    // would otherwise crash the process.
    client.on('error', () => undefined);
    this.client = client;
    this.builtFor = version;
    await client.connect();
    if (primary) await confirmPrimary(client);
    if (this.closed) {
      client.destroy(); // closed while connecting: nobody will ever close this client
      throw unavailable('Redis connection is closed');
    }
    return client;
  }
}

function clientOptions(target: RedisTarget) {
  if (target.kind === 'standalone') return { url: target.url };
  return {
    ...(target.node.username === undefined ? {} : { username: target.node.username }),
    ...(target.node.password === undefined ? {} : { password: target.node.password }),
    ...(target.database === undefined ? {} : { database: target.database }),
  };
}

/** Sentinel clients must check the role of the address they were given (the Sentinel client spec). */
async function confirmPrimary(client: RedisClient): Promise<void> {
  const role = (await client.sendCommand(['ROLE'])) as unknown[];
  if (!Array.isArray(role) || String(role[0]) !== 'master') {
    client.destroy();
    throw unavailable('the node the Sentinels named is not a primary yet (failover in progress)');
  }
}
