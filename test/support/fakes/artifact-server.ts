/**
 * Loopback HTTP server publishing one artifact document, for the HttpSource tests.
 * Speaks conditional GET (strong ETag + Last-Modified → 304), and can misbehave:
 * missing, auth-protected, redirecting (also in a loop), dripping a body slowly,
 * streaming an oversize or endless body while counting what it actually wrote.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer, LoggedRequest } from './loopback-server';

export type DocMode =
  | { kind: 'serve' }
  | { kind: 'missing' }
  /** Headers at once, then one byte at a time forever. */
  | { kind: 'drip' }
  /** `bytes` of filler (Infinity = endless); `declareLength` sends Content-Length. */
  | { kind: 'stream'; bytes: number; declareLength: boolean }
  | { kind: 'redirect'; location: string; status?: number };

export interface ArtifactServerOptions {
  /** Path (may include a query) the document is served at; default `/artifact.age.json`. */
  path?: string;
  etag?: 'strong' | 'weak' | 'none';
}

export class ArtifactServer {
  /** Expected `Authorization` value; requests without it get 401. */
  requireAuthorization: string | undefined;
  /** Per-path behaviour; paths not listed are 404. */
  readonly routes = new Map<string, DocMode>();
  private body: Buffer = Buffer.alloc(0);
  private version = 0;
  private streamDone: Promise<number> | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(readonly http: LoopbackServer, readonly path: string, private readonly etagMode: 'strong' | 'weak' | 'none') {}

  static async start(options: ArtifactServerOptions = {}): Promise<ArtifactServer> {
    let self!: ArtifactServer;
    const http = await LoopbackServer.start((req, res) => self.handle(req, res));
    self = new ArtifactServer(http, options.path ?? '/artifact.age.json', options.etag ?? 'strong');
    self.routes.set(self.path, { kind: 'serve' });
    return self;
  }

  get url(): string {
    return this.http.origin + this.path;
  }
  get log(): LoggedRequest[] {
    return this.http.log;
  }

  publish(document: string | Buffer): void {
    this.body = Buffer.isBuffer(document) ? document : Buffer.from(document, 'utf8');
    this.version++;
    this.routes.set(this.path, { kind: 'serve' });
  }

  mode(mode: DocMode, path = this.path): void {
    this.routes.set(path, mode);
  }

  /** Bytes the server wrote for the last `stream` response, once its socket closed. */
  streamedBytes(): Promise<number> {
    if (!this.streamDone) throw new Error('no stream response yet');
    return this.streamDone;
  }

  async close(): Promise<void> {
    this.timers.forEach(clearInterval);
    await this.http.close();
  }

  private etag(): string | undefined {
    const tag = `"${createHash('sha256').update(this.body).digest('hex').slice(0, 32)}"`;
    return this.etagMode === 'none' ? undefined : this.etagMode === 'weak' ? `W/${tag}` : tag;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.requireAuthorization !== undefined && req.headers.authorization !== this.requireAuthorization) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="artifacts"' });
      return void res.end();
    }
    const mode = this.routes.get(req.url ?? '') ?? { kind: 'missing' };
    switch (mode.kind) {
      case 'missing':
        res.writeHead(404, { 'content-type': 'text/plain' });
        return void res.end('not found');
      case 'redirect':
        res.writeHead(mode.status ?? 302, { location: mode.location });
        return void res.end();
      case 'drip':
        return this.drip(res);
      case 'stream':
        this.streamDone = stream(res, mode.bytes, mode.declareLength);
        return;
      case 'serve':
        return this.serve(req, res);
    }
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const etag = this.etag();
    // Distinct per publish so If-Modified-Since alone also detects a change.
    const lastModified = new Date(Date.UTC(2026, 0, 1) + this.version * 1000).toUTCString();
    const validators: Record<string, string> = { 'last-modified': lastModified, ...(etag ? { etag } : {}) };
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    const fresh = inm !== undefined ? etag !== undefined && inm === etag : ims !== undefined && ims === lastModified;
    if (fresh) {
      res.writeHead(304, validators);
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(this.body.length), ...validators });
    res.end(this.body);
  }

  private drip(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    const timer = setInterval(() => res.write('{'), 20);
    this.timers.add(timer);
    res.on('close', () => clearInterval(timer));
  }
}

/** Writes filler as fast as the client reads it (honouring backpressure) until `bytes`
 * are out or the client goes away; resolves with the bytes actually handed to the socket. */
function stream(res: ServerResponse, bytes: number, declareLength: boolean): Promise<number> {
  res.writeHead(200, { 'content-type': 'application/json', ...(declareLength && Number.isFinite(bytes) ? { 'content-length': String(bytes) } : {}) });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let written = 0;
  let closed = false;
  return new Promise((resolve) => {
    res.on('close', () => {
      closed = true;
      resolve(written);
    });
    const pump = (): void => {
      while (!closed && written < bytes) {
        const n = Math.min(chunk.length, bytes - written);
        written += n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
      }
      if (!closed) res.end();
    };
    pump();
  });
}
