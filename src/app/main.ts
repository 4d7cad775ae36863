#!/usr/bin/env node
import { parseArgs, USAGE } from './cli';
import { ConfigError } from './config/config-error';
import { loadConfig } from './config/load-config';
import { createContainer } from './container';
import { runDaemon } from './lifecycle/daemon';
import { AGENT_VERSION } from './version';
import type pino from 'pino';
import { AppTypes } from './types';
import type { AgentConfig } from './config/agent-config';

/** Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error. */
async function main(argv: readonly string[]): Promise<void> {
  const command = parseArgs(argv);
  switch (command.kind) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return;
    case 'version':
      process.stdout.write(`${AGENT_VERSION}\n`);
      return;
    case 'usage-error':
      process.stderr.write(`clef-agent: ${command.message}\n${USAGE}\n`);
      process.exitCode = 2;
      return;
    case 'run': {
      const config = await loadConfig(process.env);
      const container = await createContainer(config);
      announceToken(container.get<pino.Logger>(AppTypes.Logger), config);
      await runDaemon(container);
    }
  }
}

/** Says where the token is, never what it is (W6). */
function announceToken(logger: pino.Logger, config: AgentConfig): void {
  if (config.tokenFile === undefined) logger.info({ event: 'agent.token', from: 'CLEF_AGENT_TOKEN' }, 'token: [set]');
  else if (config.tokenGenerated) logger.info({ event: 'agent.token', file: config.tokenFile, generated: true }, 'generated a token and wrote it to the token file (mode 0600)');
  else logger.info({ event: 'agent.token', file: config.tokenFile, generated: false }, 'token read from the token file');
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof ConfigError) {
    process.stderr.write(`clef-agent: configuration error: ${e.message}\n`);
    process.exit(2);
  }
  // Startup failures other than configuration: one line, no stack (it could quote input).
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`clef-agent: fatal: ${message}\n`);
  process.exit(1);
});
