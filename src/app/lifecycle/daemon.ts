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
  const source = runtime.secrets.health().source.description;
  // Files only: no listener keeps the event loop alive (the poll timers are unref'd).
  const keepAlive = config.tcp || config.socket ? null : setInterval(() => undefined, 1 << 30);
  if (keepAlive) logger.info({ event: 'agent.files_only', mode: config.mode, source }, 'no listener: rendering files only');
  else logger.info({ event: 'agent.listening', url: config.tcp ? `http://${config.host}:${server.port}` : `unix:${server.address}`, mode: config.mode, source }, 'listening');
  runtime.announceStarted();
  runtime.startFiles();
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
    if (keepAlive) clearInterval(keepAlive);
    runtime.stop('signal').then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
