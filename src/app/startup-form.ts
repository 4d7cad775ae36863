/**
 * How this process was started (issue 20), for the `agent.startup` log line: from the V8
 * startup snapshot (the native start, scripts/native/snapshot-exec.c), from the bundle with
 * its V8 code cache accepted, from the bundle compiled at start (no cache, or one V8
 * rejected), or from the tsc output (`source`: the library and development runs).
 * The bundle launcher and the snapshot's main function set it before the agent runs.
 */
export type StartupForm = 'snapshot' | 'code-cache' | 'compiled' | 'source';

const FORM_KEY = Symbol.for('clef-agent.startup-form');
const FORMS: ReadonlySet<string> = new Set<StartupForm>(['snapshot', 'code-cache', 'compiled']);

export function startupForm(): StartupForm {
  const form = (globalThis as Record<symbol, unknown>)[FORM_KEY];
  return typeof form === 'string' && FORMS.has(form) ? (form as StartupForm) : 'source';
}

/** For the agent.startup log line. */
export const STARTUP_FORM_TEXT: Readonly<Record<StartupForm, string>> = {
  snapshot: 'started from the V8 startup snapshot',
  'code-cache': 'started from the bundle and its code cache',
  compiled: 'started from the bundle, compiled at start',
  source: 'started from the compiled sources',
};

export function setStartupForm(form: StartupForm): void {
  (globalThis as Record<symbol, unknown>)[FORM_KEY] = form;
}

/** Why the native start did not use the snapshot (snapshot-exec.c's reasons). */
const SKIP_REASONS: ReadonlySet<string> = new Set(['no-stamp', 'node-changed', 'blob-changed', 'node-options', 'path-too-long']);
export const SNAPSHOT_SKIPPED_VARIABLE = 'CLEF_AGENT_SNAPSHOT_SKIPPED';

/**
 * Takes the native start's CLEF_AGENT_SNAPSHOT_SKIPPED out of the environment, so that no
 * child (`exec`, file actions) inherits it, and returns its reason ('other' for a value
 * the native start does not write).
 */
export function takeSnapshotSkipped(env: NodeJS.ProcessEnv): string | undefined {
  const reason = env[SNAPSHOT_SKIPPED_VARIABLE];
  delete env[SNAPSHOT_SKIPPED_VARIABLE];
  if (reason === undefined) return undefined;
  return SKIP_REASONS.has(reason) ? reason : 'other';
}
