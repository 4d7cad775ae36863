/**
 * How many cases each property runs. CI (no FUZZ_RUNS) uses small fixed counts so
 * `npx jest test/fuzz` stays well under a minute; `npm run fuzz` sets FUZZ_RUNS and every
 * property scales to a share of it. A failure prints fast-check's seed: replay it with
 * FUZZ_SEED=<seed> (same FUZZ_RUNS) to get the same cases.
 */
import type { Parameters } from 'fast-check';

function positiveInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

export const FUZZ_RUNS = positiveInt('FUZZ_RUNS');
export const fuzzing = FUZZ_RUNS !== undefined;
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

/** `ci` cases normally; `share` × FUZZ_RUNS when fuzzing (expensive properties get a smaller share). */
export function runs(ci: number, share = 1): number {
  return FUZZ_RUNS === undefined ? ci : Math.max(ci, Math.ceil(FUZZ_RUNS * share));
}

export function params<T>(ci: number, share = 1, examples: T[] = []): Parameters<T> {
  return { numRuns: runs(ci, share), seed, examples };
}

/** Jest timeout per property: generous in CI (no timing assertion, just a hang guard),
 * effectively unbounded for long fuzz runs. */
export const TIMEOUT_MS = fuzzing ? 6 * 60 * 60 * 1000 : 120_000;
