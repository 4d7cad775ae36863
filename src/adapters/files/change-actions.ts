import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AgentError, toAgentError } from '../../domain/errors';
import type { Telemetry } from '../../domain/ports/telemetry';

/** What to do after an output changed: run a command, or signal a process named by a pid file. */
export type ActionRun = { kind: 'command'; argv: readonly string[] } | { kind: 'signal'; signal: NodeJS.Signals; pidFile: string };

export interface ActionSpec {
  run: ActionRun;
  timeoutMs: number;
  /** Wait this long after the last change before acting (changes inside it coalesce). */
  settleMs: number;
  /** Plus a uniformly random delay in [0, splayMs] so a fleet does not act at once. */
  splayMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
}

export interface ChangeActionsOptions {
  telemetry: Telemetry;
  /** The action's environment: the agent's own minus CLEF_AGENT_* (no key, no token). */
  env: NodeJS.ProcessEnv;
  random?: () => number;
}

/** A label for logs and metrics: the program's base name or the signal, never arguments. */
export function actionLabel(run: ActionRun): string {
  return run.kind === 'command' ? `command:${path.basename(run.argv[0])}` : `signal:${run.signal}`;
}

/** A stable identity, so outputs sharing one action (key and certificate) trigger it once. */
export function actionKey(spec: ActionSpec): string {
  return JSON.stringify(spec.run);
}

interface ActionState {
  spec: ActionSpec;
  timer: NodeJS.Timeout | null;
  attempt: number;
  running: Promise<void> | null;
  /** A change arrived while the action ran: run once more afterwards. */
  again: boolean;
}

/**
 * Runs on-change actions once per real change: after the settle delay plus a random
 * splay, with a timeout, and with doubling backoff while it fails (a newer change
 * restarts the cycle). Secrets never reach argv or the environment from here.
 */
export class ChangeActions {
  private readonly states = new Map<string, ActionState>();
  private readonly children = new Set<import('node:child_process').ChildProcess>();
  private closed = false;

  constructor(private readonly options: ChangeActionsOptions) {}

  trigger(spec: ActionSpec): void {
    if (this.closed) return;
    const key = actionKey(spec);
    let state = this.states.get(key);
    if (!state) this.states.set(key, (state = { spec, timer: null, attempt: 0, running: null, again: false }));
    state.attempt = 1;
    if (state.running) {
      state.again = true;
      return;
    }
    const splayMs = Math.floor((this.options.random ?? Math.random)() * (spec.splayMs + 1));
    this.arm(state, spec.settleMs + splayMs, splayMs);
  }

  /** Cancels pending runs and stops a running command (shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.states.values()) if (s.timer) clearTimeout(s.timer);
    for (const child of this.children) child.kill('SIGTERM');
    await Promise.allSettled([...this.states.values()].map((s) => s.running));
  }

  private arm(state: ActionState, delayMs: number, splayMs: number): void {
    if (state.timer) clearTimeout(state.timer);
    this.options.telemetry.emit({ type: 'files.action_scheduled', action: actionLabel(state.spec.run), delayMs, splayMs, attempt: state.attempt });
    state.timer = setTimeout(() => {
      state.timer = null;
      state.running = this.execute(state).finally(() => (state.running = null));
    }, delayMs);
  }

  private async execute(state: ActionState): Promise<void> {
    const { spec } = state;
    const label = actionLabel(spec.run);
    const started = Date.now();
    let error: ReturnType<typeof toAgentError> | null = null;
    try {
      await (spec.run.kind === 'command' ? this.command(spec.run.argv, spec.timeoutMs) : this.signal(spec.run.signal, spec.run.pidFile));
    } catch (e) {
      error = toAgentError(e, 'files_action_failed');
    }
    const attempt = state.attempt;
    // A change that arrived during the run wins over a retry: one more run after the settle
    // delay. It is scheduled before the outcome is reported, so "last event is action_ok"
    // really means nothing is pending.
    const rerun = state.again && !this.closed;
    state.again = false;
    if (rerun) {
      state.attempt = 1;
      this.arm(state, spec.settleMs, 0);
    }
    if (error === null) {
      if (!rerun) state.attempt = 0;
      this.options.telemetry.emit({ type: 'files.action_ok', action: label, attempt, durationMs: Date.now() - started });
      return;
    }
    const retryInMs = Math.min(spec.backoffMinMs * 2 ** (attempt - 1), spec.backoffMaxMs);
    this.options.telemetry.emit({ type: 'files.action_failed', action: label, attempt, code: error.code, error: error.message, retryInMs });
    if (!rerun && !this.closed) {
      state.attempt = attempt + 1;
      this.arm(state, retryInMs, 0);
    }
  }

  private command(argv: readonly string[], timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), { env: this.options.env, stdio: ['ignore', 'inherit', 'inherit'] });
      this.children.add(child);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      const done = (err: AgentError | null) => {
        clearTimeout(timer);
        this.children.delete(child);
        if (err) reject(err);
        else resolve();
      };
      child.once('error', (e: NodeJS.ErrnoException) => done(new AgentError('files_action_failed', `could not start ${path.basename(argv[0])} (${e.code ?? 'error'})`)));
      child.once('exit', (code, signal) => {
        if (timedOut) done(new AgentError('files_action_timeout', `${path.basename(argv[0])} did not finish within ${timeoutMs} ms and was killed`));
        else if (code === 0) done(null);
        else done(new AgentError('files_action_failed', `${path.basename(argv[0])} exited with ${signal ? `signal ${signal}` : `status ${code}`}`));
      });
    });
  }

  private async signal(signal: NodeJS.Signals, pidFile: string): Promise<void> {
    let text: string;
    try {
      text = (await fs.readFile(pidFile, 'utf8')).trim();
    } catch (e) {
      throw new AgentError('files_action_failed', `cannot read pid file ${pidFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!/^[1-9]\d{0,9}$/.test(text)) throw new AgentError('files_action_failed', `pid file ${pidFile} does not hold a process id`);
    try {
      process.kill(Number(text), signal);
    } catch (e) {
      throw new AgentError('files_action_failed', `cannot send ${signal} to the process in ${pidFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
}
