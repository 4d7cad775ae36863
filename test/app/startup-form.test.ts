import { setStartupForm, startupForm, takeSnapshotSkipped } from '../../src/app/startup-form';

describe('startup form', () => {
  afterEach(() => {
    delete (globalThis as Record<symbol, unknown>)[Symbol.for('clef-agent.startup-form')];
  });

  it('is source when no launcher set it, and what the launcher set otherwise', () => {
    expect(startupForm()).toBe('source');
    setStartupForm('code-cache');
    expect(startupForm()).toBe('code-cache');
    (globalThis as Record<symbol, unknown>)[Symbol.for('clef-agent.startup-form')] = 'something-else';
    expect(startupForm()).toBe('source');
  });

  it('takes the native start\'s reason out of the environment, and names an unknown one "other"', () => {
    const env: NodeJS.ProcessEnv = { CLEF_AGENT_SNAPSHOT_SKIPPED: 'node-options', KEEP: '1' };
    expect(takeSnapshotSkipped(env)).toBe('node-options');
    expect(env).toEqual({ KEEP: '1' });
    const forged: NodeJS.ProcessEnv = { CLEF_AGENT_SNAPSHOT_SKIPPED: 'x\n{"level":"fatal"}' };
    expect(takeSnapshotSkipped(forged)).toBe('other');
    expect(forged).toEqual({});
    expect(takeSnapshotSkipped({})).toBeUndefined();
  });
});
