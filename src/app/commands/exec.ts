import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Container } from 'inversify';
import type pino from 'pino';
import type { RefreshOutcome, RefreshService } from '../../domain/refresh-service';
import type { SecretsService } from '../../domain/secrets-service';
import type { AgentConfig } from '../config/agent-config';
import { loadConfig } from '../config/load-config';
import { createContainer } from '../container';
import { AgentRuntime } from '../lifecycle/agent-runtime';
import { AppTypes } from '../types';
import { checkEnv } from './check';
import { childEnvironment, secretVariables } from './exec-env';

/** Signals passed on to the child; the child decides what they mean. */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
/** A restarted child that ignores SIGTERM this long is killed. */
const RESTART_GRACE_MS = 10_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Shell conventions: 127 command not found, 126 not executable, 128+n killed by signal n. */
function exitStatus(exit: Exit): number {
  if (exit.signal) return 128 + (constants.signals[exit.signal] ?? 0);
  return exit.code ?? 1;
}

/**
 * `clef-agent exec -- <command> [args…]`: fetch, verify and decrypt once through the
 * agent's own path, then run the command with the secrets as environment variables (never
 * on argv, never in a file). SIGTERM/SIGINT/SIGHUP are forwarded; the exit status is the
 * child's. With CLEF_AGENT_EXEC_ON_ROTATE the agent keeps polling and restarts or signals
 * the child when another revision is served. Returns the exit status.
 */
export async function exec(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const config = await loadConfig(checkEnv(env));
  const container = await createContainer(config);
  const supervisor = new ExecSupervisor(container, config, command, args, env);
  return supervisor.run();
}

class ExecSupervisor {
  private readonly runtime: AgentRuntime;
  private readonly logger: pino.Logger;
  private readonly secrets: SecretsService;
  private child: ChildProcess | null = null;
  private childExit: Promise<Exit> | null = null;
  /** Set by a forwarded SIGTERM/SIGINT: no restart after that. */
  private stopping = false;
  private stopSignal: NodeJS.Signals | null = null;
  private spawnError: string | undefined;
  private rotations: Promise<void> = Promise.resolve();
  private readonly watch = new AbortController();

  constructor(
    private readonly container: Container,
    private readonly config: AgentConfig,
    private readonly command: string,
    private readonly args: readonly string[],
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.runtime = new AgentRuntime(container);
    this.logger = this.runtime.logger;
    this.secrets = this.runtime.secrets;
  }

  async run(): Promise<number> {
    const forward = (signal: NodeJS.Signals) => {
      if (signal !== 'SIGHUP') {
        this.stopping = true;
        this.stopSignal ??= signal;
      }
      this.child?.kill(signal);
    };
    for (const s of FORWARDED) process.on(s, forward);
    try {
      const variables = await this.load();
      if (variables === null) return 1;
      // Stopped while loading: there is no child to pass the signal to.
      if (this.stopSignal) return exitStatus({ code: null, signal: this.stopSignal });
      this.start(variables);
      if (this.config.exec.onRotate.kind !== 'none') void this.followRotations().catch(() => undefined);
      else this.secrets.wipe(); // nothing here needs the plaintext while the child runs
      for (;;) {
        const exited = this.childExit!;
        const exit = await exited;
        await this.rotations; // a restart replaces childExit; wait for it to settle
        if (this.childExit === exited) return this.child ? exitStatus(exit) : this.spawnFailure();
      }
    } finally {
      for (const s of FORWARDED) process.removeListener(s, forward);
      this.watch.abort();
      await this.runtime.stop('exec');
    }
  }

  /** First load; polling continues in the background only when rotations are followed. */
  private async load(): Promise<Record<string, string> | null> {
    const refresher = this.container.get<RefreshService>(AppTypes.RefreshService);
    const following = this.config.exec.onRotate.kind !== 'none';
    const outcome = (following ? await this.runtime.startRefreshing() : await refresher.refresh()) as RefreshOutcome;
    if (outcome.status === 'failed') return this.fail(outcome.error.code, outcome.error.message);
    return this.variables().catch((e: { code?: string; message?: string }) => this.fail(e.code ?? 'unknown', e.message ?? 'read failed'));
  }

  private async variables(): Promise<Record<string, string>> {
    const snapshot = await this.secrets.read();
    try {
      return secretVariables(snapshot, this.config.exec, (key, reason) =>
        this.logger.warn({ event: 'exec.variable_skipped', code: 'exec_env_skipped', key, reason }, 'secret not exported to the command'),
      );
    } finally {
      if (this.config.mode === 'jit') snapshot.wipe();
    }
  }

  /** Spawns the child. A start failure (ENOENT, EACCES) settles childExit with `child` null. */
  private start(variables: Record<string, string>): void {
    const child = spawn(this.command, [...this.args], { env: childEnvironment(this.env, variables), stdio: 'inherit' });
    this.child = child;
    this.childExit = new Promise<Exit>((resolve) => {
      child.once('error', (e: NodeJS.ErrnoException) => {
        if (child.pid !== undefined) return; // a failed kill(), not a failed start
        this.child = null;
        this.spawnError = e.code;
        resolve({ code: null, signal: null });
      });
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  /** As shells do: 126 found but not executable, 127 not found. */
  private spawnFailure(): number {
    const why = this.spawnError ?? 'error';
    this.logger.error({ event: 'exec.spawn_failed', code: 'exec_spawn_failed', command: this.command, error: why }, 'the command could not be started');
    process.stderr.write(`clef-agent: exec: cannot start ${this.command} (${why})\n`);
    return why === 'EACCES' ? 126 : 127;
  }

  private fail(code: string, message: string): null {
    process.stderr.write(`clef-agent: exec: secrets unavailable: ${code}: ${message}\n`);
    return null;
  }

  /** Waits for each new served revision (no polling of its own: the scheduler polls). */
  private async followRotations(): Promise<void> {
    let served = this.secrets.currentRevision();
    const signal = this.watch.signal;
    while (!signal.aborted) {
      await this.secrets.waitForRevision(served, signal);
      if (signal.aborted || this.stopping) return;
      served = this.secrets.currentRevision();
      if (served === null) {
        // Revoked or expired: the child's copy cannot be recalled; say so and keep waiting.
        this.logger.warn({ event: 'exec.secrets_withdrawn', reason: this.secrets.readiness() }, 'served secrets were withdrawn; the command keeps its environment');
        continue;
      }
      const revision = served;
      this.rotations = this.rotations.then(() => this.rotate(revision));
      await this.rotations;
    }
  }

  private async rotate(revision: string): Promise<void> {
    const onRotate = this.config.exec.onRotate;
    const child = this.child;
    // A child that already exited on its own is not brought back: its status is the answer.
    if (!child || this.stopping || child.exitCode !== null || child.signalCode !== null) return;
    if (onRotate.kind === 'signal') {
      this.logger.info({ event: 'exec.rotated', revision, action: 'signal', signal: onRotate.signal }, 'signalled the command');
      child.kill(onRotate.signal);
      return;
    }
    let variables: Record<string, string>;
    try {
      variables = await this.variables();
    } catch (e) {
      this.logger.warn({ event: 'exec.rotate_failed', code: (e as { code?: string }).code ?? 'unknown' }, 'kept the running command');
      return;
    }
    const exited = this.childExit!;
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), RESTART_GRACE_MS);
    await exited;
    clearTimeout(force);
    if (this.stopping) return;
    this.logger.info({ event: 'exec.rotated', revision, action: 'restart' }, 'restarted the command with the new revision');
    this.start(variables);
  }
}
