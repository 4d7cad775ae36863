/**
 * The snapshot warm-up runs the real configuration and composition code while the V8
 * startup snapshot is built; whatever it leaves behind would be frozen into every start.
 * Here it runs in an ordinary process, which must look the same afterwards: no open
 * handle or pending request, no process listener, nothing written, no file touched.
 */
import { existsSync } from 'node:fs';
import { warmUpForSnapshot } from '../../src/app/snapshot-warmup';

const EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGTERM', 'SIGINT', 'uncaughtException', 'unhandledRejection', 'warning'] as const;

function listenerCounts(): Record<string, number> {
  return Object.fromEntries(EVENTS.map((e) => [e, process.listenerCount(e)]));
}

/** Active handles and requests by kind, leaving out the Immediates this test itself queues. */
function resources(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r !== 'Immediate');
}

/** What is active now and was not before (a multiset difference: jest's own I/O may finish meanwhile). */
function added(before: string[]): string[] {
  const left = [...before];
  return resources().filter((r) => {
    const i = left.indexOf(r);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

/** Async work the warm-up started (Web Crypto jobs) settles within a few turns of the loop. */
async function settledAdditions(before: string[]): Promise<string[]> {
  for (let i = 0; i < 200 && added(before).length > 0; i++) await new Promise((resolve) => setImmediate(resolve));
  return added(before);
}

it('leaves no handle, listener, output or file behind', async () => {
  const writes: unknown[] = [];
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => writes.push(chunk) > 0);
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => writes.push(chunk) > 0);
  try {
    const listeners = listenerCounts();
    const before = resources();
    await warmUpForSnapshot();
    expect(await settledAdditions(before)).toEqual([]);
    expect(listenerCounts()).toEqual(listeners);
    expect(writes).toEqual([]);
    expect(existsSync('/snapshot')).toBe(false); // the sample configuration's paths are never created
  } finally {
    stderr.mockRestore();
    stdout.mockRestore();
  }
});
