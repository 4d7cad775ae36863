import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import { AgentError } from '../../../domain/errors';

function allowedHosts(port: number): ReadonlySet<string> {
  return new Set(['127.0.0.1', `127.0.0.1:${port}`, 'localhost', `localhost:${port}`]);
}

/** RFC 9112 §3.2: more than one Host field makes the target ambiguous. */
function hasDuplicateHost(req: IncomingMessage): boolean {
  const raw = req.rawHeaders;
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 4 && raw[i].toLowerCase() === 'host' && ++seen > 1) return true;
  }
  return false;
}

/**
 * DNS-rebinding defence on every route, health and unknown paths included: a browser
 * tricked into resolving `evil.example` to 127.0.0.1 still sends `Host: evil.example`.
 * Only the loopback names this listener is reachable by are accepted (case-insensitive
 * host name, exact port). `[::1]` is refused: the listener is IPv4 only.
 *
 * `port` 0 means "the port the connection arrived on" (ephemeral ports in tests and
 * `CLEF_AGENT_PORT=0`); the set is rebuilt only if that port changes.
 */
export function hostAllowlist(port: number): Middleware {
  let cachedPort = port;
  let allowed = allowedHosts(port);
  return function checkHost(ctx, next) {
    const req = ctx.req;
    const host = req.headers.host;
    // A unix-socket connection has no local port: it keeps the current set, which always
    // holds the bare names (`localhost`, what curl --unix-socket and node send).
    const local = req.socket.localPort;
    if (port === 0 && local !== undefined) {
      if (local !== cachedPort) {
        cachedPort = local;
        allowed = allowedHosts(local);
      }
    }
    if (host === undefined || !(allowed.has(host) || allowed.has(host.toLowerCase()))) {
      throw new AgentError('forbidden_host', 'forbidden: invalid Host header');
    }
    if (hasDuplicateHost(req)) throw new AgentError('bad_request', 'bad request: duplicate Host header');
    return next();
  };
}
