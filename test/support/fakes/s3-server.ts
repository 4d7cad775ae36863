/**
 * A loopback S3 speaking the REST protocol for GetObject, so the S3 source is exercised
 * through the real SDK: endpoint rules (path-style and virtual-hosted), SigV4 signing with
 * the credentials the chain produced, conditional requests and S3's XML errors.
 *
 * Every request is recorded with the access key and session token it was signed with, and
 * whether the SigV4 signature verifies against the secret of that key (so "signed with the
 * container credentials" is checked, not just "has an Authorization header"). Serves plain
 * HTTP always and, with `tls`, HTTPS too (for the `https://…amazonaws.com` process test).
 */
import { createHash, createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createHttpServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface S3Request {
  method: string;
  host: string;
  /** Raw path as received (percent-encoded). */
  path: string;
  bucket?: string;
  key?: string;
  /** `Credential=<this>/…` of the Authorization header; undefined when unsigned. */
  accessKeyId?: string;
  sessionToken?: string;
  /** Region from the credential scope. */
  region?: string;
  /** The SigV4 signature matched the registered secret of `accessKeyId`. */
  signatureValid: boolean;
  ifNoneMatch?: string;
  status?: number;
}

export type S3Fault =
  | { kind: 'error'; status: number; code: string; headers?: Record<string, string> }
  | { kind: 'hang' };

interface StoredObject {
  body: Buffer;
  etag: string;
}

export interface FakeS3Options {
  /** access key id → secret; requests signed with another key get InvalidAccessKeyId. */
  credentials?: Record<string, string>;
  /** Objects readable without a signature (a public bucket policy), as `bucket/key`. */
  publicObjects?: string[];
  /** Signed requests are denied (an identity without s3:GetObject). */
  denySigned?: boolean;
  tls?: { cert: string; key: string };
}

export class FakeS3Server {
  readonly requests: S3Request[] = [];
  fault: S3Fault | null = null;
  readonly credentials: Record<string, string>;
  readonly publicObjects: Set<string>;
  denySigned: boolean;
  private readonly objects = new Map<string, StoredObject>();
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private heldWaiters: Array<() => void> = [];
  private version = 0;
  private held = 0;

  private constructor(options: FakeS3Options) {
    this.credentials = { ...options.credentials };
    this.publicObjects = new Set(options.publicObjects ?? []);
    this.denySigned = options.denySigned ?? false;
  }

  static async start(options: FakeS3Options = {}): Promise<FakeS3Server> {
    const fake = new FakeS3Server(options);
    const handler = (req: IncomingMessage, res: ServerResponse) => fake.handle(req, res);
    fake.servers.push(createHttpServer(handler));
    if (options.tls) fake.servers.push(createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler));
    for (const server of fake.servers) {
      server.on('connection', (s: Socket) => {
        fake.sockets.add(s);
        s.on('close', () => fake.sockets.delete(s));
      });
      server.on('secureConnection', (s: Socket) => {
        fake.sockets.add(s);
        s.on('close', () => fake.sockets.delete(s));
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
    }
    return fake;
  }

  /** For AWS_ENDPOINT_URL_S3 (path-style over plain HTTP). */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.servers[0].address() as AddressInfo).port}`;
  }

  get tlsPort(): number | undefined {
    return this.servers[1] ? (this.servers[1].address() as AddressInfo).port : undefined;
  }

  put(bucket: string, key: string, body: string | Buffer): string {
    const bytes = Buffer.from(body);
    const etag = `"${createHash('md5').update(bytes).update(String(++this.version)).digest('hex')}"`;
    this.objects.set(`${bucket}/${key}`, { body: bytes, etag });
    return etag;
  }

  remove(bucket: string, key: string): void {
    this.objects.delete(`${bucket}/${key}`);
  }

  whenHeld(): Promise<void> {
    if (this.held > 0) return Promise.resolve();
    return new Promise((resolve) => this.heldWaiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    for (const server of this.servers) {
      server.close();
      await once(server, 'close');
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const host = String(req.headers.host ?? '').replace(/:\d+$/, '');
    const path = req.url ?? '/';
    const entry: S3Request = { method: req.method ?? '', host, path, signatureValid: false };
    this.requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    const auth = parseAuthorization(req.headers.authorization);
    if (auth) {
      entry.accessKeyId = auth.accessKeyId;
      entry.region = auth.region;
      entry.sessionToken = header(req, 'x-amz-security-token');
      const secret = this.credentials[auth.accessKeyId];
      entry.signatureValid = secret !== undefined && verifySigV4(req, auth, secret);
    }
    entry.ifNoneMatch = header(req, 'if-none-match');
    const { bucket, key } = locate(host, path);
    entry.bucket = bucket;
    entry.key = key;

    const fault = this.fault;
    if (fault?.kind === 'hang') {
      this.held++;
      this.heldWaiters.splice(0).forEach((w) => w());
      return;
    }
    if (fault?.kind === 'error') return sendError(res, fault.status, fault.code, fault.headers);
    if (req.method !== 'GET' || !bucket || !key) return sendError(res, 400, 'InvalidRequest');
    if (auth) {
      if (this.credentials[auth.accessKeyId] === undefined) return sendError(res, 403, 'InvalidAccessKeyId');
      if (!entry.signatureValid) return sendError(res, 403, 'SignatureDoesNotMatch');
      if (this.denySigned) return sendError(res, 403, 'AccessDenied');
    } else if (!this.publicObjects.has(`${bucket}/${key}`)) {
      return sendError(res, 403, 'AccessDenied');
    }
    const object = this.objects.get(`${bucket}/${key}`);
    if (!object) return sendError(res, 404, [...this.objects.keys()].some((k) => k.startsWith(`${bucket}/`)) ? 'NoSuchKey' : 'NoSuchBucket');
    if (entry.ifNoneMatch !== undefined && entry.ifNoneMatch === object.etag) {
      res.writeHead(304, { etag: object.etag });
      return void res.end();
    }
    res.writeHead(200, { etag: object.etag, 'content-type': 'application/json', 'content-length': String(object.body.length), 'last-modified': new Date(0).toUTCString() });
    res.end(object.body);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Virtual-hosted `<bucket>.s3….amazonaws.com/<key>` or path-style `/<bucket>/<key>`. */
function locate(host: string, rawPath: string): { bucket?: string; key?: string } {
  const path = rawPath.split('?')[0];
  const vhost = /^(.+)\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/.exec(host);
  if (vhost) return { bucket: vhost[1], key: decodeURIComponent(path.slice(1)) || undefined };
  const m = /^\/([^/]+)\/(.+)$/.exec(path);
  return m ? { bucket: decodeURIComponent(m[1]), key: decodeURIComponent(m[2]) } : {};
}

function sendError(res: ServerResponse, status: number, code: string, headers: Record<string, string> = {}): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>fake ${code}</Message><RequestId>FAKE</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': 'FAKE', ...headers });
  res.end(body);
}

interface Authorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(value: string | undefined): Authorization | undefined {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(value ?? '');
  if (!m) return undefined;
  return { accessKeyId: m[1], date: m[2], region: m[3], service: m[4], signedHeaders: m[5].split(';'), signature: m[6] };
}

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** SigV4 (S3 flavour: the path is used as sent, not re-encoded). */
function verifySigV4(req: IncomingMessage, auth: Authorization, secret: string): boolean {
  const [path, query = ''] = (req.url ?? '/').split('?');
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((p) => (p.includes('=') ? p : `${p}=`))
    .sort()
    .join('&');
  const canonicalHeaders = auth.signedHeaders.map((h) => `${h}:${(header(req, h) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const payloadHash = header(req, 'x-amz-content-sha256') ?? sha256('');
  const canonicalRequest = [req.method, path, canonicalQuery, canonicalHeaders, auth.signedHeaders.join(';'), payloadHash].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', header(req, 'x-amz-date') ?? '', scope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${secret}`, auth.date);
  for (const part of [auth.region, auth.service, 'aws4_request']) key = hmac(key, part);
  return hmac(key, stringToSign).toString('hex') === auth.signature;
}
