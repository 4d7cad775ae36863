import { parseArgs, USAGE } from './cli';
import { ConfigError } from './config/config-error';
import { takeSnapshotSkipped } from './startup-form';
import { AGENT_VERSION } from './version';

/**
 * Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.
 * Each command is imported lazily so `--version` and `probe` (exec probes, run every few
 * seconds) never load inversify, Koa, zod or the age library. Shared by both entry points:
 * main.ts (a plain start) and snapshot-main.ts (a start from the V8 startup snapshot).
 */
async function dispatch(argv: readonly string[]): Promise<void> {
  const snapshotSkipped = takeSnapshotSkipped(process.env);
  const command = parseArgs(argv);
  switch (command.kind) {
    case 'help': {
      const help = await import('./help-text');
      if (command.topic === undefined) {
        process.stdout.write(`${USAGE}\n\n${help.variablesHelp()}\n`);
        return;
      }
      const text = help.topicHelp(command.topic);
      if (text === undefined) {
        process.stderr.write(`clef-agent: unknown help topic: ${command.topic} (one of ${help.HELP_TOPICS.join(', ')})\n`);
        process.exitCode = 2;
        return;
      }
      process.stdout.write(`${text}\n`);
      return;
    }
    case 'status':
      process.exitCode = await (await import('./commands/status')).status(process.env, command.json);
      return;
    case 'version':
      process.stdout.write(`${AGENT_VERSION}\n`);
      return;
    case 'usage-error':
      process.stderr.write(`clef-agent: ${command.message}\n${USAGE}\n`);
      process.exitCode = 2;
      return;
    case 'probe':
      process.exitCode = await (await import('./commands/probe')).probe(command.target, process.env);
      return;
    case 'check':
      process.exitCode = await (await import('./commands/check')).check(process.env);
      return;
    case 'exec':
      process.exitCode = await (await import('./commands/exec')).exec(command.command, command.args, process.env);
      return;
    case 'render-once':
      process.exitCode = await (await import('./commands/render')).renderOnce(process.env);
      return;
    case 'run':
      await (await import('./commands/run')).run(process.env, snapshotSkipped);
  }
}

/** Runs the command line `argv` (without node and script) to completion or a one-line exit. */
export function runCli(argv: readonly string[]): void {
  dispatch(argv).catch((e: unknown) => {
    if (e instanceof ConfigError) {
      process.stderr.write(`clef-agent: configuration error: ${e.message}\n`);
      process.exit(2);
    }
    // Startup failures other than configuration: one line, no stack (it could quote input).
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`clef-agent: fatal: ${message}\n`);
    process.exit(1);
  });
}
