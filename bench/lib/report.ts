/** bench/RESULTS.md: machine info, a target summary, one section per scenario. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

export interface Section {
  title: string;
  lines: string[];
}

export class Report {
  readonly sections: Section[] = [];
  readonly checks: TargetCheck[] = [];
  readonly notes: string[] = [];

  section(title: string): string[] {
    const s = { title, lines: [] as string[] };
    this.sections.push(s);
    return s.lines;
  }

  check(target: string, measured: string, met: boolean | null): void {
    this.checks.push({ target, measured, met });
  }
}

export function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((h, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(String).join(' | ')} |`),
  ];
}

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const ms = (n: number): string => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : 'n/a');
export const pct = (ratio: number): string => (Number.isFinite(ratio) ? `${(ratio * 100).toFixed(0)}%` : 'n/a');
export const mark = (met: boolean | null): string => (met === null ? '—' : met ? 'met' : '**not met**');

function memTotalGb(): string {
  return (os.totalmem() / 1024 ** 3).toFixed(1);
}

function kernel(): string {
  try {
    return execFileSync('uname', ['-sr'], { encoding: 'utf8' }).trim();
  } catch {
    return `${os.type()} ${os.release()}`;
  }
}

const loadAvg = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' / ');
/** Taken when the bench starts: other work on the machine skews every figure. */
export const loadAtStart = loadAvg();
const loadAtStartOne = os.loadavg()[0];

export function machineInfo(): string[] {
  const cpus = os.cpus();
  return [
    `- Date: ${new Date().toISOString()}`,
    `- CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} logical cores (load generator, agent and baseline share them)`,
    `- Memory: ${memTotalGb()} GiB`,
    `- OS: ${kernel()}`,
    `- Node: ${process.version}`,
    `- Load average (1 / 5 / 15 min): ${loadAtStart} when the bench started, ${loadAvg()} when it ended`,
    ...(Math.max(loadAtStartOne, os.loadavg()[0]) > cpus.length
      ? [`- **Noisy run**: the 1-minute load average exceeded the ${cpus.length} cores; compare only the same-run ratios below`]
      : []),
  ];
}

export function render(report: Report, header: string[]): string {
  const out: string[] = [...header, '', '## Targets', ''];
  out.push(...table(['Target', 'Measured', 'Result'], report.checks.map((c) => [c.target, c.measured, mark(c.met)])));
  // Scenario order, whatever order they ran in ("3b." sorts after "3.": the sort is stable).
  const sections = [...report.sections].sort((a, b) => (parseFloat(a.title) || 99) - (parseFloat(b.title) || 99));
  for (const s of sections) out.push('', `## ${s.title}`, '', ...s.lines);
  if (report.notes.length) out.push('', '## Notes', '', ...report.notes.map((n) => `- ${n}`));
  return `${out.join('\n')}\n`;
}
