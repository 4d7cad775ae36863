/**
 * Counts outcomes per property so a long fuzz run shows what it actually exercised
 * (a property that "passes" while rejecting every case at the JSON step proves little).
 * Printed after the file's tests only when FUZZ_RUNS is set; CI output stays quiet.
 */
import { fuzzing } from './budget';

export class Tally {
  runs = 0;
  private readonly accepted = new Map<string, number>();
  private readonly rejected = new Map<string, number>();

  constructor(readonly name: string) {}

  ok(kind: string): void {
    this.runs++;
    this.accepted.set(kind, (this.accepted.get(kind) ?? 0) + 1);
  }

  rejectedWith(code: string): void {
    this.runs++;
    this.rejected.set(code, (this.rejected.get(code) ?? 0) + 1);
  }

  line(): string {
    const fmt = (m: Map<string, number>) =>
      [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}=${n}`).join(' ') || '-';
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    return `[fuzz] ${this.name}: runs=${this.runs} accepted=${total(this.accepted)} (${fmt(this.accepted)}) rejected=${total(this.rejected)} (${fmt(this.rejected)})`;
  }
}

const all: Tally[] = [];

// Jest gives each test file its own module registry, so this runs once per file, at
// import time (hooks cannot be registered from inside a test).
afterAll(() => {
  if (fuzzing && all.length > 0) console.log(all.map((t) => t.line()).join('\n'));
});

/** A tally for one property, printed with the file's summary. */
export function tally(name: string): Tally {
  const t = new Tally(name);
  all.push(t);
  return t;
}
