import { randomUUID } from 'node:crypto';
import type { Clock } from '../../domain/ports/clock';
import type { FleetLease, LeaseAttempt } from '../../domain/ports/fleet-lease';

/** Reference FleetLease for one process (tests, single-host fleets of in-process agents). */
export class MemoryLease implements FleetLease {
  private readonly leases = new Map<string, { token: string; expiresAt: number }>();
  /** Makes tryAcquire reject, as a backend outage would. */
  down = false;

  constructor(private readonly clock: Pick<Clock, 'now'> = { now: Date.now }) {}

  async tryAcquire(name: string, ttlMs: number): Promise<LeaseAttempt> {
    if (this.down) throw new Error('lease backend unavailable');
    if (!(ttlMs > 0)) throw new RangeError('ttlMs must be positive');
    const held = this.leases.get(name);
    if (held && held.expiresAt > this.clock.now()) return { acquired: false, token: '' };
    const token = randomUUID();
    this.leases.set(name, { token, expiresAt: this.clock.now() + ttlMs });
    return { acquired: true, token };
  }

  async release(name: string, token: string): Promise<boolean> {
    if (this.down) throw new Error('lease backend unavailable');
    const held = this.leases.get(name);
    if (!held || held.token !== token) return false;
    this.leases.delete(name);
    return true;
  }

  async close(): Promise<void> {
    this.leases.clear();
  }
}
