import type { Container } from 'inversify';
import { AgentRuntime } from './agent-runtime';
import { installFileReload } from './file-reload';
import { installReloadHandler } from './reload';

/**
 * The default lifecycle: listen on 127.0.0.1, load and poll in the background, stop on
 * SIGTERM/SIGINT. A second signal during shutdown exits at once. SIGHUP reloads key files.
 */
export async function runDaemon(container: Container): Promise<void> {
  const runtime = new AgentRuntime(container);
  const { logger, config } = runtime;
  const server = await runtime.listen();
  logger.info(
    { event: 'agent.listening', url: config.tcp ? `http://${config.host}:${server.port}` : `unix:${server.address}`, mode: config.mode, source: runtime.secrets.health().source.description },
    'listening',
  );
  runtime.announceStarted();
  void runtime.startRefreshing();
  const removeHandlers = [installReloadHandler(container), installFileReload(container)]; // SIGHUP + file watchers
  const removeReload = () => removeHandlers.forEach((remove) => remove());

  const onSignal = (signal: NodeJS.Signals) => {
    removeReload();
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
    process.once('SIGTERM', () => process.exit(1));
    process.once('SIGINT', () => process.exit(1));
    logger.info({ event: 'agent.stopping', signal }, 'stopping');
    runtime.stop('signal').then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
