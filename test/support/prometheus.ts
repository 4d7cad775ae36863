/**
 * Reading a Prometheus scrape as Prometheus would: `promtool check metrics` (Debian's
 * `prometheus` package, installed by .ci/redis.sh) and a real text-format parser.
 */
import { spawnSync } from 'node:child_process';
import { httpGet, type HttpReply } from './agent-process';

// parse-prometheus-text-format ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parsePrometheusTextFormat = require('parse-prometheus-text-format') as (text: string) => MetricFamily[];

export interface MetricFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: Array<{ value?: string; labels?: Record<string, string>; buckets?: Record<string, string> }>;
}

export function parseMetrics(text: string): MetricFamily[] {
  return parsePrometheusTextFormat(text);
}

/** promtool's verdict: exit status and what it printed (lint problems included). */
export function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The value of the sample of `name` whose labels include `labels`; undefined if absent. */
export function sample(families: MetricFamily[], name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.find((f) => f.name === name);
  const hit = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return hit?.value === undefined ? undefined : Number(hit.value);
}

export class Scraper {
  /** Every body scraped so far, for the secret scan. */
  readonly bodies: string[] = [];

  constructor(readonly port: number) {}

  async raw(path = '/metrics', method = 'GET', headers: Record<string, string> = {}): Promise<HttpReply> {
    return httpGet(this.port, path, headers, method);
  }

  async scrape(): Promise<{ text: string; families: MetricFamily[]; reply: HttpReply }> {
    const reply = await this.raw();
    if (reply.status !== 200) throw new Error(`scrape: HTTP ${reply.status} ${reply.body.slice(0, 200)}`);
    this.bodies.push(reply.body);
    return { text: reply.body, families: parseMetrics(reply.body), reply };
  }

  /** The last scrape without comments and histogram buckets, for failure messages. */
  lastSamples(): string {
    return (this.bodies.at(-1) ?? '')
      .split('\n')
      .filter((l) => !l.startsWith('#') && !l.includes('_bucket{'))
      .join('\n');
  }

  /** Scrapes until `predicate` holds (bounded; no fixed sleeps). */
  async until(predicate: (families: MetricFamily[]) => boolean, timeoutMs = 15_000): Promise<MetricFamily[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { families } = await this.scrape();
      if (predicate(families)) return families;
      if (Date.now() > deadline) throw new Error(`metrics never matched; last scrape:\n${this.lastSamples()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
