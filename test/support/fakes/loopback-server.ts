/**
 * Shared base of the loopback fakes (artifact server, GitHub, GitLab, Bitbucket):
 * listens on 127.0.0.1:0, records every request (method, path, headers, status or
 * what happened instead), can inject faults before the fake's own routing, and closes
 * by destroying every socket so held or streaming responses never outlive a test.
 */
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';

export interface LoggedRequest {
  method: string;
  /** Path and query exactly as received (still percent-encoded). */
  path: string;
  headers: IncomingHttpHeaders;
  /** Final status, once the response has been sent. */
  status?: number;
  /** Set when no complete response was sent. */
  outcome?: 'reset' | 'held' | 'aborted';
}

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Destroy the socket without answering: the client sees a connection reset. */
  | { kind: 'reset' }
  /** Never answer; the request is held until the client gives up or the server closes. */
  | { kind: 'hang' };

export type Handler = (req: IncomingMessage, res: ServerResponse, entry: LoggedRequest) => void | Promise<void>;

export class LoopbackServer {
  readonly log: LoggedRequest[] = [];
  /** Applied to every request while set, before the fake's handler. */
  fault: Fault | null = null;
  private readonly sockets = new Set<Socket>();
  private heldWaiters: Array<() => void> = [];

  private constructor(private readonly server: Server, readonly origin: string) {
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(handler: Handler): Promise<LoopbackServer> {
    let self!: LoopbackServer;
    const server = createServer((req, res) => self.dispatch(req, res, handler));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    self = new LoopbackServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  /** Resolves once a request is being held by a `hang` fault (for abort tests). */
  whenHeld(): Promise<void> {
    if (this.log.some((e) => e.outcome === 'held')) return Promise.resolve();
    return new Promise((resolve) => this.heldWaiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server.close();
    await once(this.server, 'close');
  }

  private dispatch(req: IncomingMessage, res: ServerResponse, handler: Handler): void {
    const entry: LoggedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers };
    this.log.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    res.on('close', () => {
      if (!res.writableFinished && entry.outcome === undefined) entry.outcome = 'aborted';
    });
    const fault = this.fault;
    if (fault?.kind === 'reset') {
      entry.outcome = 'reset';
      req.socket.destroy();
    } else if (fault?.kind === 'hang') {
      entry.outcome = 'held';
      this.heldWaiters.splice(0).forEach((w) => w());
    } else if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.body ?? JSON.stringify({ message: `fault ${fault.status}` }));
    } else {
      Promise.resolve(handler(req, res, entry)).catch((e) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(e));
      });
    }
  }
}

/** Splits a raw request path into decoded segments, keeping `%2F` inside a segment. */
export function segments(rawPath: string): string[] {
  return rawPath.split('/').slice(1).map(decodeURIComponent);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
