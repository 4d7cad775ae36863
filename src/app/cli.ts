/**
 * Command-line parsing for `clef-agent`. Configuration itself comes from the environment;
 * the command line only picks what to do. Kept dependency-free: `--version` and `probe`
 * load nothing but this file (cold start, issue 8).
 */
export type ProbeTarget = 'ready' | 'health';

export type Command =
  | { kind: 'run' }
  | { kind: 'check' }
  | { kind: 'probe'; target: ProbeTarget }
  | { kind: 'exec'; command: string; args: string[] }
  | { kind: 'render-once' }
  | { kind: 'help'; topic?: string }
  | { kind: 'status'; json: boolean }
  | { kind: 'version' }
  | { kind: 'usage-error'; message: string };

export const USAGE = `Usage: clef-agent [command]

Commands:
  run                 serve secrets on http://127.0.0.1:$CLEF_AGENT_PORT (default).
                      Runs as an AWS Lambda extension when AWS_LAMBDA_RUNTIME_API is set.
  check               validate the configuration, fetch, verify and decrypt once, print
                      revision, key count and expiry (never values); exit 0 if usable
  probe ready         exit 0 if the local agent serves secrets, 1 otherwise
  probe health        exit 0 if the local agent answers at all, 1 otherwise
                      (probes need no token: for exec probes in containers)
  status [--json]     summary of the local agent's health (state, revision, served from,
                      age, expiry, last error); exit 0 if ready, 1 otherwise
  help [topic]        this help, or a longer text: sources, kms, fleet, metrics,
                      connections, or a variable group (source, keys, listen, ...)
  exec -- <cmd> [args…]
                      load once, run <cmd> with the secrets as environment variables
                      (<namespace>__<key>; see docs/FEATURES.md), exit with its status
  render --once       load once, write the CLEF_AGENT_FILES outputs, exit 0; on any
                      failure print the error code, write nothing, exit 1 (docs/FILES.md)

Options:
  -h, --help          show this help
  -v, --version       print the version

Exit codes: 0 ok, 1 runtime failure or probe failed, 2 usage or configuration error.
Configuration is read from CLEF_AGENT_* environment variables (listed below; README.md).
Signals (run): SIGTERM/SIGINT stop, SIGHUP re-reads the token, age key and verify key files.`;

function describe(arg: string): string {
  return `${arg.startsWith('-') ? 'option' : 'argument'}: ${arg}`;
}

export function parseArgs(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === '-h' || first === '--help') return noMore(rest, { kind: 'help' });
  if (first === 'help') return rest.length === 0 ? { kind: 'help' } : noMore(rest.slice(1), { kind: 'help', topic: rest[0] });
  if (first === 'status') {
    const json = rest[0] === '--json';
    return noMore(json ? rest.slice(1) : rest, { kind: 'status', json });
  }
  if (first === '-v' || first === '--version' || first === 'version') return noMore(rest, { kind: 'version' });
  if (first === undefined || first === 'run') return noMore(rest, { kind: 'run' });
  if (first === 'check') return noMore(rest, { kind: 'check' });
  if (first === 'exec') return execCommand(rest);
  if (first === 'render') {
    // `run` keeps files current; `render` alone would be ambiguous, so --once is required.
    if (rest[0] !== '--once') return { kind: 'usage-error', message: rest[0] === undefined ? 'render needs --once (run keeps files current)' : `unexpected ${describe(rest[0])}` };
    return noMore(rest.slice(1), { kind: 'render-once' });
  }
  if (first === 'probe') {
    const [target, ...more] = rest;
    if (target !== 'ready' && target !== 'health') {
      return { kind: 'usage-error', message: target === undefined ? 'probe needs a target: ready or health' : `unknown probe target: ${target} (ready or health)` };
    }
    return noMore(more, { kind: 'probe', target });
  }
  return { kind: 'usage-error', message: `unknown ${first.startsWith('-') ? 'option' : 'command'}: ${first}` };
}

/** `exec [--] <command> [args…]`: after `--` every argument is the command's, options included. */
function execCommand(rest: readonly string[]): Command {
  const argv = rest[0] === '--' ? rest.slice(1) : rest;
  if (argv.length === 0 || argv[0] === '') return { kind: 'usage-error', message: 'exec needs a command: clef-agent exec -- <command> [args…]' };
  if (rest[0] !== '--' && argv[0].startsWith('-')) return { kind: 'usage-error', message: `unexpected ${describe(argv[0])} (put the command after --)` };
  return { kind: 'exec', command: argv[0], args: argv.slice(1) };
}

/** Every command takes a fixed argument list: anything extra is a mistake worth stopping on. */
function noMore(rest: readonly string[], command: Command): Command {
  if (rest.length > 0) return { kind: 'usage-error', message: `unexpected ${describe(rest[0])}` };
  return command;
}
