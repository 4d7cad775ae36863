import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp root per test, removed afterwards (register with afterEach). */
export function useTempRoot(): { root: () => string } {
  let current: string | undefined;
  beforeEach(async () => {
    current = await mkdtemp(join(tmpdir(), 'clef-cache-'));
  });
  afterEach(async () => {
    if (current) await rm(current, { recursive: true, force: true });
    current = undefined;
  });
  return {
    root: () => {
      if (!current) throw new Error('temp root used outside a test');
      return current;
    },
  };
}
