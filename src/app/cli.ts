/** Command-line parsing for `clef-agent`. Configuration itself comes from the environment. */
export type Command =
  | { kind: 'run' }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'usage-error'; message: string };

export const USAGE = `Usage: clef-agent [command]

Commands:
  run                 serve secrets on http://127.0.0.1:$CLEF_AGENT_PORT (default)

Options:
  -h, --help          show this help
  -v, --version       print the version

Configuration is read from CLEF_AGENT_* environment variables; see README.md.`;

export function parseArgs(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === '-h' || first === '--help' || first === 'help') return { kind: 'help' };
  if (first === '-v' || first === '--version') return { kind: 'version' };
  if (first === undefined || first === 'run') {
    if (rest.length > 0) return { kind: 'usage-error', message: `unexpected argument: ${rest[0]}` };
    return { kind: 'run' };
  }
  return { kind: 'usage-error', message: `unknown ${first.startsWith('-') ? 'option' : 'command'}: ${first}` };
}
