/**
 * A loopback AWS KMS speaking the AWS JSON 1.1 protocol (POST /, `X-Amz-Target:
 * TrentService.Decrypt`), so the adapter is exercised through the real SDK: endpoint
 * resolution, SigV4 signing, serialisation, error parsing and retries. It "unwraps"
 * blobs registered with `wrapDek` and can be switched into failure modes.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { CallFaults } from './call-faults';

export const FAKE_KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';

export interface KmsCall {
  /** `X-Amz-Target`, e.g. `TrentService.Decrypt`. */
  target?: string;
  contentType?: string;
  /** Region and service from the SigV4 credential scope (`…/<date>/<region>/kms/aws4_request`). */
  region?: string;
  service?: string;
  /** `Authorization` starts with `AWS4-HMAC-SHA256`. */
  signed: boolean;
  host?: string;
  keyId?: string;
  encryptionAlgorithm?: string;
}

type Mode = { kind: 'allow' } | { kind: 'error'; type: string; status: number };

export interface FakeKmsOptions {
  /** Key ids the fake accepts; a Decrypt naming another key gets IncorrectKeyException. */
  keyIds?: string[];
}

export class FakeKmsServer {
  readonly calls: KmsCall[] = [];
  private readonly server: Server;
  private readonly blobs = new Map<string, Buffer>();
  private readonly keyIds: Set<string>;
  private mode: Mode = { kind: 'allow' };
  private readonly faults = new CallFaults();

  private constructor(options: FakeKmsOptions) {
    this.keyIds = new Set(options.keyIds ?? [FAKE_KEY_ARN]);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
  }

  static async start(options: FakeKmsOptions = {}): Promise<FakeKmsServer> {
    const fake = new FakeKmsServer(options);
    fake.server.listen(0, '127.0.0.1');
    await once(fake.server, 'listening');
    return fake;
  }

  /** Base URL for `AWS_ENDPOINT_URL_KMS`. */
  get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Registers a fresh opaque blob that unwraps to `dek`; returns the blob (the envelope's wrappedKey bytes). */
  wrapDek(dek: Uint8Array): Buffer {
    const blob = Buffer.concat([Buffer.from('fake-kms-blob:'), randomBytes(16)]);
    this.register(blob, dek);
    return blob;
  }

  /** Registers a known blob (e.g. ARTIFACT.md Example A's dummy wrappedKey). */
  register(blob: Uint8Array | string, dek: Uint8Array): void {
    const key = typeof blob === 'string' ? blob : Buffer.from(blob).toString('base64');
    this.blobs.set(key, Buffer.from(dek));
  }

  allow(): void {
    this.mode = { kind: 'allow' };
    this.faults.reset();
  }
  deny(): void {
    this.fail('AccessDeniedException');
  }
  disable(): void {
    this.fail('DisabledException');
  }
  /** Every following call fails with this KMS error type. */
  fail(type: string, status = 400): void {
    this.mode = { kind: 'error', type, status };
  }
  /** The next `n` calls answer ThrottlingException, then the current mode applies again. */
  throttle(n = Number.POSITIVE_INFINITY): void {
    this.faults.throttle(n);
  }
  /** Holds every response until `release` settles. */
  slow(release: Promise<unknown>): void {
    this.faults.slow(release);
  }

  /** Resolves once at least `n` calls have been received in total. */
  untilCalls(n: number): Promise<void> {
    return this.faults.until(n, this.calls.length);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const auth = req.headers.authorization ?? '';
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
    let body: { KeyId?: string; CiphertextBlob?: string; EncryptionAlgorithm?: string } = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      // recorded with no key id; answered below as a serialization error
    }
    const call: KmsCall = {
      target: header(req, 'x-amz-target'),
      contentType: header(req, 'content-type'),
      region: scope?.[1],
      service: scope?.[2],
      signed: auth.startsWith('AWS4-HMAC-SHA256'),
      host: header(req, 'host'),
      keyId: body.KeyId,
      encryptionAlgorithm: body.EncryptionAlgorithm,
    };
    this.calls.push(call);
    this.faults.received(this.calls.length);
    await this.faults.held();
    if (res.destroyed) return;

    if (req.method !== 'POST' || call.target !== 'TrentService.Decrypt') return error(res, 400, 'UnknownOperationException');
    if (this.faults.throttled()) return error(res, 400, 'ThrottlingException');
    if (this.mode.kind === 'error') return error(res, this.mode.status, this.mode.type);
    if (!call.signed) return error(res, 400, 'MissingAuthenticationTokenException');
    const dek = body.CiphertextBlob ? this.blobs.get(body.CiphertextBlob) : undefined;
    if (!dek) return error(res, 400, 'InvalidCiphertextException');
    if (!body.KeyId || !this.keyIds.has(body.KeyId)) return error(res, 400, 'IncorrectKeyException');
    send(res, 200, { KeyId: body.KeyId, Plaintext: dek.toString('base64'), EncryptionAlgorithm: body.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT' });
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomBytes(8).toString('hex'),
  });
  res.end(text);
}

/** The wire form real KMS uses: `__type` in the body (the SDK reads it first) and the
 * same name in `x-amzn-ErrorType` (the SDK's fallback). */
function error(res: ServerResponse, status: number, type: string): void {
  res.setHeader('x-amzn-ErrorType', type);
  send(res, status, { __type: type, message: `fake KMS: ${type}` });
}
