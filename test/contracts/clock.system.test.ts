import { SystemClock } from '../../src/adapters/clock/system-clock';
import { clockContract } from './clock.contract';

/** Real time: `advance` waits on a real timer, which fires after any shorter one. */
clockContract('system', () => ({
  clock: new SystemClock(),
  advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}));
