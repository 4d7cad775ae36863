import type { IncomingMessage } from 'node:http';
import { AgentError } from '../../../domain/errors';

function allowedHosts(port: number): ReadonlySet<string> {
  return new Set(['127.0.0.1', `127.0.0.1:${port}`, 'localhost', `localhost:${port}`]);
}

/** Field names are case-insensitive; the usual spellings are matched without lower-casing
 * (a new string per request) first. */
function isHostName(name: string): boolean {
  return name.length === 4 && (name === 'Host' || name === 'host' || name.toLowerCase() === 'host');
}

/** RFC 9112 §3.2: more than one Host field makes the target ambiguous. */
function hasDuplicateHost(req: IncomingMessage): boolean {
  const raw = req.rawHeaders;
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (isHostName(raw[i]) && ++seen > 1) return true;
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
 *
 * Returns a check that throws (403 forbidden_host, 400 bad_request for a duplicated Host)
 * rather than a middleware: request-guard.ts runs it with the other pre-routing checks in
 * one middleware.
 */
export function hostChecker(port: number): (req: IncomingMessage) => void {
  let cachedPort = port;
  let allowed = allowedHosts(port);
  return function checkHost(req) {
    const host = req.headers.host;
    // A unix-socket connection has no local port: it keeps the current set, which always
    // holds the bare names (`localhost`, what curl --unix-socket and node send).
    if (port === 0) {
      const local = req.socket.localPort;
      if (local !== undefined && local !== cachedPort) {
        cachedPort = local;
        allowed = allowedHosts(local);
      }
    }
    if (host === undefined || !(allowed.has(host) || allowed.has(host.toLowerCase()))) {
      throw new AgentError('forbidden_host', 'forbidden: invalid Host header');
    }
    if (hasDuplicateHost(req)) throw new AgentError('bad_request', 'bad request: duplicate Host header');
  };
}
