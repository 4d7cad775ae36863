import { MemoryTelemetry } from '../../../src/adapters/memory/memory-telemetry';
import { BufferedTelemetry } from '../../../src/adapters/telemetry/buffered-telemetry';
import { FanoutTelemetry } from '../../../src/adapters/telemetry/fanout-telemetry';
import type { AgentEvent, Telemetry } from '../../../src/domain/ports/telemetry';
import { sampleEvents } from '../../contracts/telemetry.contract';

const unchanged = (i: number): AgentEvent => ({ type: 'artifact.unchanged', revision: `r${i}`, durationMs: i });

/** A target that breaks every promise of the port. */
const hostile: Telemetry = {
  emit: () => {
    throw new Error('emit exploded');
  },
  flush: () => Promise.reject(new Error('flush exploded')),
  shutdown: () => {
    throw new Error('shutdown exploded synchronously');
  },
};
const hung: Telemetry = { emit: () => undefined, flush: () => new Promise(() => undefined), shutdown: () => new Promise(() => undefined) };

describe('BufferedTelemetry', () => {
  it('replays events emitted before attach, in order, then forwards', () => {
    const buffered = new BufferedTelemetry();
    buffered.emit(unchanged(1));
    buffered.emit(sampleEvents['fetch.failed']);
    const target = new MemoryTelemetry();
    buffered.attach(target);
    buffered.emit(unchanged(2));
    expect(target.events).toEqual([unchanged(1), sampleEvents['fetch.failed'], unchanged(2)]);
    expect(buffered.dropped).toBe(0);
  });

  it('keeps only the newest events up to its capacity and counts the dropped ones', () => {
    const buffered = new BufferedTelemetry({ capacity: 3 });
    for (let i = 1; i <= 5; i++) buffered.emit(unchanged(i));
    const target = new MemoryTelemetry();
    buffered.attach(target);
    expect(target.events).toEqual([unchanged(3), unchanged(4), unchanged(5)]);
    expect(buffered.dropped).toBe(2);
  });

  it('defaults to a bound of 1000', () => {
    const buffered = new BufferedTelemetry();
    for (let i = 0; i < 1500; i++) buffered.emit(unchanged(i));
    expect(buffered.dropped).toBe(500);
  });

  it('survives a throwing target and delegates flush/shutdown once attached', async () => {
    const buffered = new BufferedTelemetry();
    await expect(buffered.flush(100)).resolves.toBeUndefined();
    buffered.emit(unchanged(1));
    expect(() => buffered.attach(hostile)).not.toThrow();
    expect(() => buffered.emit(unchanged(2))).not.toThrow();
    await expect(buffered.flush(100)).resolves.toBeUndefined();
    await expect(buffered.shutdown(100)).resolves.toBeUndefined();
  });

  it('drops the buffer at shutdown and ignores later events and attaches', async () => {
    const buffered = new BufferedTelemetry();
    buffered.emit(unchanged(1));
    await buffered.shutdown(100);
    buffered.emit(unchanged(2));
    const target = new MemoryTelemetry();
    buffered.attach(target);
    expect(target.events).toEqual([]);
  });
});

describe('FanoutTelemetry', () => {
  it('delivers to every target even when one throws', () => {
    const a = new MemoryTelemetry();
    const b = new MemoryTelemetry();
    const fanout = new FanoutTelemetry([a, hostile, b]);
    expect(() => fanout.emit(sampleEvents['agent.started'])).not.toThrow();
    expect(a.events).toEqual([sampleEvents['agent.started']]);
    expect(b.events).toEqual([sampleEvents['agent.started']]);
  });

  it('resolves flush and shutdown despite rejecting, throwing and hung targets', async () => {
    const ok = new MemoryTelemetry();
    const fanout = new FanoutTelemetry([hostile, hung, ok]);
    await expect(fanout.flush(50)).resolves.toBeUndefined();
    await expect(fanout.shutdown(50)).resolves.toBeUndefined();
    ok.emit(sampleEvents['agent.started']); // the healthy target was shut down too
    expect(ok.events).toEqual([]);
  });
});
