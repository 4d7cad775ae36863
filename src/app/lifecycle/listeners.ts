import type Koa from 'koa';
import type pino from 'pino';
import type { IncomingMessage } from 'node:http';
import type { ConnectionLimit } from '../../adapters/http/connection-limit';
import { startHttpServer, type RunningServer } from '../../adapters/http/server';
import { isAgentError } from '../../domain/errors';
import type { AgentConfig } from '../config/agent-config';
import { ConfigError } from '../config/config-error';

/**
 * Starts every configured listener over the one Koa app (same routes, same auth, same
 * Host check): the unix socket (CLEF_AGENT_SOCKET) first, so a path problem stops startup
 * before any port is taken, then TCP on 127.0.0.1 unless CLEF_AGENT_TCP=false. The
 * result behaves as one RunningServer: `port`/`address` describe TCP when it is on (the
 * socket otherwise), and `close` drains all of them and removes the socket file.
 */
/** Probes keep answering while a listener is at its connection bound (CLEF_AGENT_MAX_CONNECTIONS). */
function isProbe(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = (req.url ?? '').split('?', 1)[0];
  return path === '/v1/health' || path === '/v1/ready';
}

export async function startListeners(app: Koa, config: AgentConfig, logger: pino.Logger): Promise<RunningServer> {
  const servers: RunningServer[] = [];
  const connectionLimit: ConnectionLimit = { max: config.maxConnections, isPriority: isProbe };
  let unix: RunningServer | undefined;
  if (config.socket) {
    try {
      unix = await startHttpServer(app, { path: config.socket.path, mode: config.socket.mode, connectionLimit });
    } catch (e) {
      // Stale-socket refusals are configuration problems: exit 2 with one line.
      if (isAgentError(e)) throw new ConfigError('CLEF_AGENT_SOCKET', `is unusable (${e.code}): ${e.message}`);
      throw e;
    }
    servers.push(unix);
    logger.info({ event: 'agent.listening_socket', path: config.socket.path, mode: `0${config.socket.mode.toString(8)}` }, 'listening on a unix socket');
  }
  let tcp: RunningServer | undefined;
  if (config.tcp) {
    try {
      tcp = await startHttpServer(app, { host: config.host, port: config.port, connectionLimit });
    } catch (e) {
      await unix?.close(0);
      throw e;
    }
    servers.push(tcp);
  }
  // Rendering files only (CLEF_AGENT_TCP=false, no socket, CLEF_AGENT_FILES set): no listener.
  if (servers.length === 0) return { port: 0, address: '', close: async () => undefined };
  const primary = tcp ?? unix!;
  return {
    port: primary.port,
    address: primary.address,
    close: async (graceMs) => {
      await Promise.all(servers.map((s) => s.close(graceMs)));
    },
  };
}
