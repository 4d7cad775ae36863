/**
 * Loopback fakes of Google Cloud: the Cloud KMS REST API (`POST /v1/{name}:decrypt`,
 * google.rpc.Status error bodies) and the GCE metadata server's token endpoint (reached
 * by google-auth-library through GCE_METADATA_HOST), so the GCP adapter runs through the
 * real ADC resolution, token fetch and authorised request. KMS accepts only the bearer
 * token the metadata fake issued.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer, sendJson } from './loopback-server';
import { CallFaults } from './call-faults';

export const FAKE_GCP_KEY = 'projects/clef-test/locations/global/keyRings/agent/cryptoKeys/artifacts';

export interface GcpKmsCall {
  name: string;
  authorization?: string;
}

type Mode = { kind: 'allow' } | { kind: 'error'; status: number; statusName: string };

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function rpcError(res: ServerResponse, status: number, statusName: string): void {
  sendJson(res, status, { error: { code: status, message: `fake Cloud KMS: ${statusName}`, status: statusName } });
}

export class FakeGceMetadata {
  readonly token = `ya29.fake-${randomBytes(12).toString('hex')}`;
  tokenRequests = 0;
  /** Answer token requests with this status instead (e.g. 404: no service account). */
  tokenStatus = 200;

  private constructor(readonly http: LoopbackServer) {}

  static async start(): Promise<FakeGceMetadata> {
    let self!: FakeGceMetadata;
    const http = await LoopbackServer.start((req, res) => self.handle(req, res));
    self = new FakeGceMetadata(http);
    return self;
  }

  /** The GCE_METADATA_HOST value (host:port, no scheme). */
  get host(): string {
    return this.http.origin.replace(/^http:\/\//, '');
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    if (req.headers['metadata-flavor'] !== 'Google') return sendJson(res, 403, 'missing Metadata-Flavor header');
    res.setHeader('Metadata-Flavor', 'Google');
    if (path === '/computeMetadata/v1/instance' || path === '/computeMetadata/v1/instance/') return sendJson(res, 200, {});
    if (path === '/computeMetadata/v1/instance/service-accounts/default/token') {
      this.tokenRequests += 1;
      if (this.tokenStatus !== 200) return sendJson(res, this.tokenStatus, 'no token');
      return sendJson(res, 200, { access_token: this.token, expires_in: 3599, token_type: 'Bearer' });
    }
    if (path === '/computeMetadata/v1/project/project-id') {
      res.writeHead(200, { 'content-type': 'application/text' });
      return void res.end('clef-test');
    }
    return sendJson(res, 404, 'not found');
  }
}

export class FakeCloudKms {
  readonly calls: GcpKmsCall[] = [];
  private readonly blobs = new Map<string, Buffer>();
  private mode: Mode = { kind: 'allow' };
  private readonly faults = new CallFaults();

  private constructor(
    readonly http: LoopbackServer,
    private readonly acceptedToken: () => string,
    private readonly keyNames: Set<string>,
  ) {}

  static async start(acceptedToken: () => string, keyNames: string[] = [FAKE_GCP_KEY]): Promise<FakeCloudKms> {
    let self!: FakeCloudKms;
    const http = await LoopbackServer.start((req, res) => self.handle(req, res));
    self = new FakeCloudKms(http, acceptedToken, new Set(keyNames));
    return self;
  }

  /** The CLEF_AGENT_GCP_KMS_ENDPOINT value. */
  get endpoint(): string {
    return this.http.origin;
  }

  /** A fresh opaque blob that decrypts to `dek` (the envelope's wrappedKey bytes). */
  wrapDek(dek: Uint8Array): Buffer {
    const blob = Buffer.concat([Buffer.from('fake-gcp-kms:'), randomBytes(16)]);
    this.blobs.set(blob.toString('base64'), Buffer.from(dek));
    return blob;
  }

  allow(): void {
    this.mode = { kind: 'allow' };
    this.faults.reset();
  }
  deny(): void {
    this.fail(403, 'PERMISSION_DENIED');
  }
  /** The key version is disabled (Cloud KMS answers FAILED_PRECONDITION). */
  disable(): void {
    this.fail(400, 'FAILED_PRECONDITION');
  }
  fail(status: number, statusName: string): void {
    this.mode = { kind: 'error', status, statusName };
  }
  /** The next `n` calls answer 429 RESOURCE_EXHAUSTED. */
  throttle(n = Number.POSITIVE_INFINITY): void {
    this.faults.throttle(n);
  }
  slow(release: Promise<unknown>): void {
    this.faults.slow(release);
  }
  untilCalls(n: number): Promise<void> {
    return this.faults.until(n, this.calls.length);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/v1\/(.+):decrypt$/.exec(req.url ?? '');
    const text = await body(req);
    if (req.method !== 'POST' || !m) return rpcError(res, 404, 'NOT_FOUND');
    const call: GcpKmsCall = { name: decodeURIComponent(m[1]), authorization: req.headers.authorization };
    this.calls.push(call);
    this.faults.received(this.calls.length);
    await this.faults.held();
    if (res.destroyed) return;

    if (call.authorization !== `Bearer ${this.acceptedToken()}`) return rpcError(res, 401, 'UNAUTHENTICATED');
    if (this.faults.throttled()) return rpcError(res, 429, 'RESOURCE_EXHAUSTED');
    if (this.mode.kind === 'error') return rpcError(res, this.mode.status, this.mode.statusName);
    if (!this.keyNames.has(call.name)) return rpcError(res, 404, 'NOT_FOUND');
    let ciphertext: unknown;
    try {
      ciphertext = (JSON.parse(text) as { ciphertext?: unknown }).ciphertext;
    } catch {
      return rpcError(res, 400, 'INVALID_ARGUMENT');
    }
    const dek = typeof ciphertext === 'string' ? this.blobs.get(ciphertext) : undefined;
    if (!dek) return rpcError(res, 400, 'INVALID_ARGUMENT');
    sendJson(res, 200, { plaintext: dek.toString('base64'), usedPrimary: true, protectionLevel: 'SOFTWARE' });
  }
}

/** Environment pointing ADC at the metadata fake only: no developer gcloud files, no real metadata server. */
export function gcpAdcEnv(metadata: FakeGceMetadata, home: string): Record<string, string | undefined> {
  return {
    GCE_METADATA_HOST: metadata.host,
    // Ping-based detection against the fake (never a BIOS shortcut to the real 169.254.169.254).
    METADATA_SERVER_DETECTION: 'ping-only',
    GOOGLE_APPLICATION_CREDENTIALS: undefined,
    CLOUDSDK_CONFIG: `${home}/gcloud`,
    HOME: home,
    GCE_METADATA_IP: undefined,
  };
}
