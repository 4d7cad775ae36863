/** The manual clock lives with the reference adapters (published in clef-agent/testing). */
export { FakeClock, FAKE_CLOCK_START } from '../../src/adapters/memory/fake-clock';
