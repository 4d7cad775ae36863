/**
 * The test on_change action (action.js beside this file) as the process tests configure
 * it, and the runs it logged.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The `command` argv (a YAML flow sequence) that runs action.js, logging to `log`;
 * with `fail-once` it fails its first run. */
export function actionCommand(log: string, ...args: Array<'fail-once'>): string {
  return JSON.stringify([process.execPath, path.join(__dirname, 'action.js'), log, ...args]);
}

export interface ActionRun {
  at: number;
  argv: string[];
  env: Record<string, string>;
}

/** The runs action.js logged to `log` so far. */
export function actionRuns(log: string): ActionRun[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ActionRun);
}
