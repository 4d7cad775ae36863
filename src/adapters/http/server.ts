import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type Koa from 'koa';
import { type ConnectionLimit, limitConnections } from './connection-limit';
import { JSON_CONTENT_TYPE } from './json-response';
import { listenOnUnixSocket } from './unix-socket';

/** Bounds that stop a slow or idle client from pinning sockets and memory. */
export interface ServerLimits {
  /** Time to receive the complete request head (slowloris). */
  headersTimeoutMs: number;
  /** Time to receive the complete request. */
  requestTimeoutMs: number;
  /** Idle time allowed between requests on a keep-alive connection. */
  keepAliveTimeoutMs: number;
  /** Socket inactivity once a request is in progress (e.g. a client that stops reading). */
  socketTimeoutMs: number;
  maxHeaderSize: number;
  /** 0: unlimited. */
  maxRequestsPerSocket: number;
}

export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  socketTimeoutMs: 30_000,
  maxHeaderSize: 16 * 1024,
  maxRequestsPerSocket: 0,
});

/** TCP (the owner passes 127.0.0.1: nothing here defaults to a wildcard address), or a
 * unix socket that appears at `path` already with `mode` (default 0600): see unix-socket.ts. */
export type ListenTarget = { host: string; port: number } | { path: string; mode?: number };

export type StartHttpServerOptions = ListenTarget & {
  limits?: Partial<ServerLimits>;
  /** Bound on open connections (503 `too_many_connections` beyond it); none when absent. */
  connectionLimit?: ConnectionLimit;
};

export interface RunningServer {
  /** Bound TCP port (0 for a unix socket). */
  port: number;
  /** Bound IP address, or the unix socket path. */
  address: string;
  /** Stops accepting, lets in-flight requests finish, drops idle keep-alive
   * connections, and force-closes whatever is left after `graceMs`. Idempotent. */
  close(graceMs: number): Promise<void>;
}

/** Parse failures, oversized heads and timeouts are answered by Node before Koa runs;
 * keep them JSON like every other error instead of Node's bare responses. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout']
        : [400, 'Bad Request'];
  const body = `{"error":"${reason.toLowerCase()}","code":"bad_request"}`;
  const head =
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${JSON_CONTENT_TYPE}\r\nContent-Length: ${body.length}\r\n` +
    'Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n';
  socket.end(head + body, () => socket.destroy());
}

function applyLimits(server: Server, limits: ServerLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  server.setTimeout(limits.socketTimeoutMs);
}

/** Graceful stop: tracks responses in flight so their connections close when done. */
function gracefulCloser(server: Server): (graceMs: number) => Promise<void> {
  const inFlight = new Set<ServerResponse>();
  let closing: Promise<void> | undefined;

  server.on('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    if (closing && !res.headersSent) res.setHeader('Connection', 'close');
    res.on('close', () => {
      inFlight.delete(res);
      if (closing && inFlight.size === 0) server.closeIdleConnections();
    });
  });

  return (graceMs) => {
    closing ??= new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      server.closeIdleConnections();
    });
    return closing;
  };
}

function listenTcp(server: Server, target: { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: target.host, port: target.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startHttpServer(app: Koa, opts: StartHttpServerOptions): Promise<RunningServer> {
  if ('path' in opts ? !opts.path : !opts.host) throw new TypeError('startHttpServer needs an explicit host or path');
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...opts.limits };
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderSize,
      // Node only checks the headers/request timeouts on this sweep (default every 30 s),
      // so a 10 s headersTimeout really meant 10–40 s for a slowloris client. Sweep each
      // second (never slower than the shortest timeout) so the bounds above hold.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs, limits.requestTimeoutMs)),
      // A missing Host is answered by the Host allowlist (403 JSON), not by Node's bare 400.
      requireHostHeader: false,
    },
  );
  const callback = app.callback();
  server.on('request', opts.connectionLimit ? limitConnections(server, callback, opts.connectionLimit) : callback);
  applyLimits(server, limits);
  server.on('clientError', answerClientError);
  const close = gracefulCloser(server);

  if ('path' in opts) {
    // Stale-socket handling and the chmod window are dealt with in listenOnUnixSocket;
    // the path is removed at close, once connections have drained.
    const socket = await listenOnUnixSocket(server, opts.path, opts.mode ?? 0o600);
    return { port: 0, address: opts.path, close: (graceMs) => close(graceMs).then(() => socket.unlink()) };
  }
  await listenTcp(server, opts);
  const bound = server.address() as AddressInfo;
  return { port: bound.port, address: bound.address, close };
}
