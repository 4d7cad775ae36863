import { EventEmitter } from 'node:events';
import type Koa from 'koa';

/**
 * Requests through the agent's Koa app while the V8 startup snapshot is built, so the
 * request path (Koa's context and response, the guard, the router, the handlers) is compiled
 * in the blob as the trained code cache has it compiled: otherwise the first probe after a
 * snapshot start compiles it (issue 20). node:http cannot be loaded while building, so the
 * request and response are stand-ins with the surface Koa and the middleware read; they
 * hold no socket and nothing refers to them afterwards.
 */
class StandInSocket extends EventEmitter {
  readonly writable = true;
  readonly destroyed = false;
  readonly remoteAddress = '127.0.0.1';
  readonly encrypted = undefined;
  timeout = 0;
  setTimeout(ms: number): void {
    this.timeout = ms;
  }
}

class StandInResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  writableEnded = false;
  finished = false;
  readonly socket = new StandInSocket();
  private readonly headers = new Map<string, number | string | string[]>();

  constructor(private readonly done: () => void) {
    super();
  }

  setHeader(name: string, value: number | string | string[]): this {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }
  getHeader(name: string): number | string | string[] | undefined {
    return this.headers.get(name.toLowerCase());
  }
  hasHeader(name: string): boolean {
    return this.headers.has(name.toLowerCase());
  }
  removeHeader(name: string): void {
    this.headers.delete(name.toLowerCase());
  }
  getHeaders(): Record<string, number | string | string[]> {
    return Object.fromEntries(this.headers);
  }
  getHeaderNames(): string[] {
    return [...this.headers.keys()];
  }
  end(): this {
    this.headersSent = this.writableEnded = this.finished = true;
    this.emit('finish');
    this.done();
    return this;
  }
}

function request(handler: ReturnType<Koa['callback']>, url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const res: StandInResponse = new StandInResponse(() => resolve(res.statusCode));
    const rawHeaders = Object.entries(headers).flat();
    const req = Object.assign(new EventEmitter(), { method: 'GET', url, headers, rawHeaders, httpVersion: '1.1', httpVersionMajor: 1, httpVersionMinor: 1, socket: res.socket });
    void handler(req as never, res as never);
  });
}

/** Probes, reads with and without the token, and a miss, as an agent with nothing loaded yet
 * answers them: the paths a start's first requests take. A stand-in that no longer fits Koa
 * shows as another status, and fails the build instead of warming an error path. */
export async function warmRequestPath(app: Koa, port: number, token: string): Promise<void> {
  const handler = app.callback();
  const host = { host: `127.0.0.1:${port}` };
  const auth = { ...host, authorization: `Bearer ${token}` };
  const requests = [
    ['/v1/ready', host, 503],
    ['/v1/health', host, 200],
    ['/v1/secrets', auth, 503],
    ['/v1/secrets', host, 401],
    ['/v1/keys', auth, 503],
    ['/v1/nowhere', auth, 404],
  ] as const;
  for (const [url, headers, expected] of requests) {
    const status = await request(handler, url, headers);
    if (status !== expected) throw new Error(`snapshot warm-up: GET ${url} answered ${status}, expected ${expected}`);
  }
}
