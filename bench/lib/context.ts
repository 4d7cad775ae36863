import { performance } from 'node:perf_hooks';
import type { BenchConfig } from './config';
import type { Report } from './report';

export interface Ctx {
  cfg: BenchConfig;
  report: Report;
  log(message: string): void;
  runs(n: number): boolean;
}

export function createCtx(cfg: BenchConfig, report: Report): Ctx {
  const t0 = performance.now();
  return {
    cfg,
    report,
    log: (message) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${message}\n`),
    runs: (n) => cfg.only === null || cfg.only.has(n),
  };
}
