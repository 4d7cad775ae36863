import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { JSON_CONTENT_TYPE } from './json-response';
import { toHttpError } from './error-status';
import { AgentError } from '../../domain/errors';

export interface ConnectionLimit {
  /** Open connections served normally. */
  max: number;
  /** Extra connections accepted beyond `max` only for priority requests (probes). */
  reserve?: number;
  /** Requests still served on a connection that arrived over `max` (e.g. GET /v1/health). */
  isPriority?: (req: IncomingMessage) => boolean;
  /** How long an over-limit connection may take to send its request head. */
  overflowHeadTimeoutMs?: number;
}

export const DEFAULT_PROBE_RESERVE = 16;
const DEFAULT_OVERFLOW_HEAD_TIMEOUT_MS = 1_000;

const rejection = toHttpError(new AgentError('too_many_connections', 'too many open connections: retry shortly'));
const REJECTION_BODY = JSON.stringify({ error: rejection.message, code: rejection.code });
const RAW_REJECTION =
  `HTTP/1.1 ${rejection.status} Service Unavailable\r\nContent-Type: ${JSON_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(REJECTION_BODY)}\r\n` +
  `Retry-After: 1\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${REJECTION_BODY}`;

/**
 * A bound on open connections that answers instead of stalling. Node's own
 * `server.maxConnections` closes excess sockets without a word; here a connection over
 * `max` is still accepted and its request read: a priority request (a probe) is served, any
 * other gets 503 `too_many_connections` and the connection is closed. Over `max + reserve`
 * the 503 is written at once without reading. Over-limit connections must send their
 * request head quickly, so idle clients cannot hold the probe reserve.
 *
 * Returns the request listener to give the server in place of `handler`.
 */
export function limitConnections(server: Server, handler: RequestListener, limit: ConnectionLimit): RequestListener {
  const reserve = limit.reserve ?? DEFAULT_PROBE_RESERVE;
  const headTimeout = limit.overflowHeadTimeoutMs ?? DEFAULT_OVERFLOW_HEAD_TIMEOUT_MS;
  const overflow = new WeakMap<Socket, NodeJS.Timeout>();
  let open = 0;

  server.on('connection', (socket: Socket) => {
    open++;
    socket.once('close', () => {
      open--;
      const timer = overflow.get(socket);
      if (timer) clearTimeout(timer);
    });
    if (open <= limit.max) return;
    if (open > limit.max + reserve) {
      socket.end(RAW_REJECTION, () => socket.destroy());
      return;
    }
    const timer = setTimeout(() => socket.destroy(), headTimeout);
    timer.unref();
    overflow.set(socket, timer);
  });

  return (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const timer = overflow.get(socket);
    if (timer !== undefined) {
      clearTimeout(timer);
      overflow.delete(socket);
      if (open > limit.max && !limit.isPriority?.(req)) {
        reject(res);
        return;
      }
      // Served (a probe, or the load has dropped since): not kept alive beyond this request
      // while over the bound, so the reserve frees up.
      if (open > limit.max) res.shouldKeepAlive = false;
    }
    handler(req, res);
  };
}

function reject(res: ServerResponse): void {
  res.shouldKeepAlive = false;
  res.writeHead(rejection.status, {
    'Content-Type': JSON_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(REJECTION_BODY),
    'Retry-After': '1',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
  });
  res.end(REJECTION_BODY);
}
