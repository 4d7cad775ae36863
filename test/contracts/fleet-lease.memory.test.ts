import { MemoryLease } from '../../src/adapters/memory/memory-lease';
import { fleetLeaseContract } from './fleet-lease.contract';

fleetLeaseContract('memory', async () => {
  let now = 0;
  const lease = new MemoryLease({ now: () => now });
  return { a: lease, b: lease, expire: async (ms) => void (now += ms + 1), close: () => lease.close() };
});
