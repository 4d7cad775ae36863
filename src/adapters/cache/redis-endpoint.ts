import type { ErrorCode } from '../../domain/errors';
import type { FleetStatus } from '../../domain/ports/fleet-lease';
import { parseRedisTarget, type RedisTarget } from './redis-target';

/** PEM material for TLS to Redis; absent members use node's defaults (the system CAs plus NODE_EXTRA_CA_CERTS). */
export interface RedisTlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
}

export interface RedisEndpointSettings {
  url: string;
  tls?: RedisTlsMaterial;
}

/**
 * Where and how to reach the fleet tier, shared by the cache's and the lease's connections,
 * and replaceable at run time (SIGHUP re-reads the URL and TLS files): each connection
 * notices the new `version` on its next operation and reconnects with it. It also keeps
 * what the connections last saw, for /v1/health.
 */
export class RedisEndpoint {
  private settings: { target: RedisTarget; tls: RedisTlsMaterial };
  private lastStatus: FleetStatus = { connected: false, lastError: null };
  version = 0;

  constructor(settings: RedisEndpointSettings) {
    this.settings = { target: parseRedisTarget(settings.url), tls: { ...settings.tls } };
  }

  get target(): RedisTarget {
    return this.settings.target;
  }

  get tls(): RedisTlsMaterial {
    return this.settings.tls;
  }

  /** Validates first: an invalid URL throws and leaves the endpoint as it was. */
  update(settings: RedisEndpointSettings): void {
    this.settings = { target: parseRedisTarget(settings.url), tls: { ...settings.tls } };
    this.version += 1;
  }

  reportSuccess(): void {
    if (!this.lastStatus.connected || this.lastStatus.lastError !== null) this.lastStatus = { connected: true, lastError: null };
  }

  reportFailure(code: ErrorCode, message: string): void {
    this.lastStatus = { connected: false, lastError: { code, message, at: Date.now() } };
  }

  status(): FleetStatus {
    return { ...this.lastStatus };
  }
}
