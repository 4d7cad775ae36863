import type { ErrorCode } from '../errors';

/**
 * Fleet coordination: a short, expiring lease that lets one agent of a fleet fetch from
 * the source per interval while the others read the shared cache tier. Leases are an
 * optimisation, not a lock: if the backend is down `tryAcquire` rejects and every agent
 * fetches for itself.
 */
export const FleetLease = Symbol.for('clef-agent.FleetLease');

/** What the backend connection last saw, for /v1/health (`lastError` carries a `cache_*` code). */
export interface FleetStatus {
  connected: boolean;
  lastError: { code: ErrorCode; message: string; at: number } | null;
}

export interface LeaseAttempt {
  acquired: boolean;
  /** Proof of ownership for `release`; meaningless when not acquired. */
  token: string;
}

export interface FleetLease {
  /** Takes `name` for `ttlMs` unless someone else holds it. Rejects when the backend is unreachable. */
  tryAcquire(name: string, ttlMs: number): Promise<LeaseAttempt>;
  /** Gives the lease back if `token` still owns it; a no-op (false) otherwise. */
  release(name: string, token: string): Promise<boolean>;
  close(): Promise<void>;
  /** Optional: the backend's connection state (a wrong CA or password shows here, not as a refresh error). */
  status?(): FleetStatus;
}
