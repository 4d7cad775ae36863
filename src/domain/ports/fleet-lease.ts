/**
 * Fleet coordination: a short, expiring lease that lets one agent of a fleet fetch from
 * the source per interval while the others read the shared cache tier. Leases are an
 * optimisation, not a lock: if the backend is down `tryAcquire` rejects and every agent
 * fetches for itself.
 */
export const FleetLease = Symbol.for('clef-agent.FleetLease');

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
}
