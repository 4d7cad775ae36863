import { MemoryTelemetry } from '../../../src/adapters/memory/memory-telemetry';
import { sampleEvents } from '../../contracts/telemetry.contract';

describe('MemoryTelemetry', () => {
  it('records events and filters them by type', () => {
    const t = new MemoryTelemetry();
    t.emit(sampleEvents['agent.started']);
    t.emit(sampleEvents['fetch.failed']);
    t.emit(sampleEvents['agent.started']);
    expect(t.events).toHaveLength(3);
    expect(t.ofType('fetch.failed')).toEqual([sampleEvents['fetch.failed']]);
    t.clear();
    expect(t.events).toEqual([]);
  });

  it('waitFor resolves with an event already recorded or one still to come', async () => {
    const t = new MemoryTelemetry();
    t.emit(sampleEvents['artifact.unchanged']);
    await expect(t.waitFor('artifact.unchanged')).resolves.toEqual(sampleEvents['artifact.unchanged']);

    const pending = t.waitFor('artifact.refreshed', (e) => e.revision === 'r2');
    t.emit({ ...sampleEvents['artifact.refreshed'], revision: 'r1' });
    t.emit({ ...sampleEvents['artifact.refreshed'], revision: 'r2' });
    await expect(pending).resolves.toMatchObject({ revision: 'r2' });
  });

  it('next ignores past events; a throwing predicate does not break emit', async () => {
    const t = new MemoryTelemetry();
    t.emit(sampleEvents['cache.served']);
    const next = t.next('cache.served');
    const broken = t.next('cache.served', () => {
      throw new Error('bad predicate');
    });
    expect(() => t.emit({ type: 'cache.served', revision: 'later' })).not.toThrow();
    await expect(next).resolves.toEqual({ type: 'cache.served', revision: 'later' });
    void broken; // never resolves: its predicate never matched
  });
});
