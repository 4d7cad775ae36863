import { FakeClock } from '../support/fake-clock';
import { clockContract } from './clock.contract';

clockContract('fake (tests)', () => {
  const clock = new FakeClock();
  return { clock, advance: async (ms) => clock.advance(ms) };
});
