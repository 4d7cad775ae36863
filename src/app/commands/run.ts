import type pino from 'pino';
import type { AgentConfig } from '../config/agent-config';
import { loadConfig } from '../config/load-config';
import { createContainer } from '../container';
import { AppTypes } from '../types';

/** `clef-agent run`: the Lambda extension lifecycle when AWS_LAMBDA_RUNTIME_API is set
 * (it must register before it may report configuration errors), else the daemon. */
export async function run(env: NodeJS.ProcessEnv): Promise<void> {
  const runtimeApi = env.AWS_LAMBDA_RUNTIME_API;
  if (runtimeApi !== undefined && runtimeApi !== '') {
    await (await import('../lifecycle/lambda-extension')).runLambdaExtension(runtimeApi, env);
    return;
  }
  const config = await loadConfig(env);
  const container = await createContainer(config);
  announceToken(container.get<pino.Logger>(AppTypes.Logger), config);
  await (await import('../lifecycle/daemon')).runDaemon(container);
}

/** Says where the token is, never what it is (W6). */
export function announceToken(logger: pino.Logger, config: AgentConfig): void {
  if (config.tokenFile === undefined) logger.info({ event: 'agent.token', from: 'CLEF_AGENT_TOKEN' }, 'token: [set]');
  else if (config.tokenGenerated) logger.info({ event: 'agent.token', file: config.tokenFile, generated: true }, 'generated a token and wrote it to the token file (mode 0600)');
  else logger.info({ event: 'agent.token', file: config.tokenFile, generated: false }, 'token read from the token file');
}
