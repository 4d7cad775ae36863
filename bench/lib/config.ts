/** Paths and knobs of the benchmark. Every knob is an environment variable (bench/README.md). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** bench/.out/<entry>.js → repository root. */
export const ROOT = path.resolve(__dirname, '../..');
export const OUT_DIR = path.join(ROOT, 'bench/.out');
export const SHARED = process.env.BENCH_SHARED_DIR ?? path.join(ROOT, 'test/fixtures');
export const SMALL_ARTIFACT = path.join(SHARED, 'bench/small-20keys.json');
export const AGE_KEY_FILE = path.join(SHARED, 'vectors/keys/age.key');
export const AGE_RECIPIENT_FILE = path.join(SHARED, 'vectors/keys/age.pub');
export const LARGE_ARTIFACT = path.join(OUT_DIR, '10k-keys.json');
export const AGENT_DIST = path.join(ROOT, 'dist/app/main.js');
/** scripts/bundle.js output with a code cache trained under node's default flags. */
export const AGENT_BUNDLE = path.join(OUT_DIR, 'bundle/clef-agent');
/** The container image's layout (launcher in bin/, code in lib/), trained with the image's NODE_OPTIONS. */
export const AGENT_IMAGE = path.join(OUT_DIR, 'image/bin/clef-agent');
export const AGENT_IMAGE_LIB = path.join(OUT_DIR, 'image/lib/clef-agent');
/** The image's NODE_OPTIONS, read from the Dockerfile so the bench measures what ships. */
export const IMAGE_NODE_ARGS: string[] = (() => {
  const env = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').match(/^ENV NODE_OPTIONS=(.*)$/gm)?.at(-1);
  return env ? env.slice('ENV NODE_OPTIONS='.length).trim().replace(/^"(.*)"$/, '$1').split(/\s+/) : [];
})();
export const BASELINE_SERVER = path.join(ROOT, 'bench/baseline-server.js');
export const KOA_FLOOR_SERVER = path.join(ROOT, 'bench/koa-floor-server.js');
export const CHECKED_FLOOR_SERVER = path.join(ROOT, 'bench/checked-floor-server.js');
export const MODULE_PROBE = path.join(ROOT, 'bench/module-probe.js');
export const REQUIRE_TIMER = path.join(ROOT, 'bench/require-timer.js');
export const TOKEN = 'bench-token-0123456789abcdef';

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
  return n;
}

export interface BenchConfig {
  /** Measured rounds per scenario and target (median reported). */
  rounds: number;
  /** Seconds per round for most load scenarios. */
  seconds: number;
  /** Seconds per round for the headline scenario (small artifact, 50 connections). */
  headlineSeconds: number;
  /** Unmeasured warm-up per target before its rounds (JIT, connection setup). */
  warmupSeconds: number;
  /** Sustained scenario-1 load before the "after load" RSS reading. */
  soakSeconds: number;
  coldRuns: number;
  /** Observation window of the unchanged-source poll scenario. */
  pollWindowSeconds: number;
  /** Poll interval used there (CLEF_AGENT_POLL_INTERVAL, seconds). */
  pollIntervalSeconds: number;
  /** Iterations of the in-process 10k-key load. */
  loadIterations: number;
  /** Subset of scenarios to run (1–7), for development; default all. */
  only: Set<number> | null;
  resultsFile: string;
}

export function loadConfig(): BenchConfig {
  const only = process.env.BENCH_ONLY?.trim();
  return {
    rounds: Math.max(1, Math.round(num('BENCH_ROUNDS', 3))),
    seconds: num('BENCH_SECONDS', 2),
    headlineSeconds: num('BENCH_HEADLINE_SECONDS', 3),
    warmupSeconds: num('BENCH_WARMUP_SECONDS', 1),
    soakSeconds: num('BENCH_SOAK_SECONDS', 60),
    coldRuns: Math.max(1, Math.round(num('BENCH_COLD_RUNS', 10))),
    pollWindowSeconds: num('BENCH_POLL_WINDOW_SECONDS', 5),
    pollIntervalSeconds: num('BENCH_POLL_INTERVAL', 0.1),
    loadIterations: Math.max(1, Math.round(num('BENCH_LOAD_ITERATIONS', 10))),
    only: only ? new Set(only.split(',').map((s) => Number(s.trim()))) : null,
    resultsFile: path.resolve(ROOT, process.env.BENCH_OUT ?? 'bench/RESULTS.md'),
  };
}
