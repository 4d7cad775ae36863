import type pino from 'pino';
import type { AgentConfig } from '../config/agent-config';
import { loadConfig } from '../config/load-config';
import { createContainer } from '../container';
import { STARTUP_FORM_TEXT, startupForm } from '../startup-form';
import { AppTypes } from '../types';

/** `clef-agent run`: the Lambda extension lifecycle when AWS_LAMBDA_RUNTIME_API is set
 * (it must register before it may report configuration errors), else the daemon. */
export async function run(env: NodeJS.ProcessEnv, snapshotSkipped?: string): Promise<void> {
  const runtimeApi = env.AWS_LAMBDA_RUNTIME_API;
  if (runtimeApi !== undefined && runtimeApi !== '') {
    await (await import('../lifecycle/lambda-extension')).runLambdaExtension(runtimeApi, env);
    return;
  }
  const config = await loadConfig(env);
  const container = await createContainer(config);
  const logger = container.get<pino.Logger>(AppTypes.Logger);
  announceStartup(logger, snapshotSkipped);
  announceToken(logger, config);
  warnIfUnauthenticated(logger, config);
  await (await import('../lifecycle/daemon')).runDaemon(container);
}

/** Plain http:// to another host without a verify key: anyone on the path can swap the
 * artifact, and the integrity hash cannot stop them (W5d). Allowed only by opt-in; said loudly. */
export function warnIfUnauthenticated(logger: pino.Logger, config: AgentConfig): void {
  const s = config.source;
  const plain = (s.kind === 'http' ? s.url : s.kind === 's3' ? (s.endpoint ?? '') : '').toLowerCase().startsWith('http://');
  if (plain && config.allowInsecureHttp && config.verifyKeys.length === 0) {
    logger.warn({ event: 'agent.insecure_source', code: 'source_insecure' }, 'artifacts are fetched over plain http:// and no verify key is set: anyone on the network path can replace them; set CLEF_AGENT_VERIFY_KEY');
  }
}

/** How the process started; a start the native start could not take from the snapshot is a warning (slower, not wrong). */
export function announceStartup(logger: pino.Logger, snapshotSkipped: string | undefined): void {
  const startup = startupForm();
  if (snapshotSkipped === undefined) logger.info({ event: 'agent.startup', startup }, STARTUP_FORM_TEXT[startup]);
  else logger.warn({ event: 'agent.startup', startup, snapshotSkipped }, `the V8 startup snapshot was not used (${snapshotSkipped}): started without it`);
}

/** Says where the token is, never what it is (W6). */
export function announceToken(logger: pino.Logger, config: AgentConfig): void {
  if (config.tokenFile === undefined) logger.info({ event: 'agent.token', from: 'CLEF_AGENT_TOKEN' }, 'token: [set]');
  else if (config.tokenGenerated) logger.info({ event: 'agent.token', file: config.tokenFile, generated: true }, 'generated a token and wrote it to the token file (mode 0600)');
  else logger.info({ event: 'agent.token', file: config.tokenFile, generated: false }, 'token read from the token file');
}
