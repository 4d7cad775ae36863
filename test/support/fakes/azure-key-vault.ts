/**
 * Loopback fakes of Azure: a Key Vault over TLS (challenge-based auth, GET key, POST
 * unwrapkey with a real RSA-OAEP-256 key, Key Vault error bodies) and an App Service style
 * managed-identity token endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER), so the Azure
 * adapter runs through the real @azure/keyvault-keys and @azure/identity. The vault only
 * accepts the token the identity fake issued. Reached by vault name through
 * test/support/azure-vault-redirect.js.
 */
import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { KEY_VAULT_TLS } from './azure-tls-fixture';
import { LoopbackServer, sendJson } from './loopback-server';
import { CallFaults } from './call-faults';

export const FAKE_VAULT_HOST = 'clef-test.vault.azure.net';
export const FAKE_KEY_VERSION = '0123456789abcdef0123456789abcdef';
export const FAKE_AZURE_KEY = `https://${FAKE_VAULT_HOST}/keys/artifacts/${FAKE_KEY_VERSION}`;
export const FAKE_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

export interface VaultRequest {
  method: string;
  path: string;
  authorization?: string;
  status?: number;
}

type Mode = { kind: 'allow' } | { kind: 'error'; status: number; code: string; inner?: string; message: string };

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function kvError(res: ServerResponse, status: number, code: string, message: string, inner?: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } }, headers);
}

/** One token per test process: MSAL caches managed-identity tokens process-wide, so every
 * fake instance in a process must issue (and every vault fake accept) the same one. */
const PROCESS_TOKEN = `eyJfake.${randomBytes(16).toString('hex')}.sig`;

export class FakeManagedIdentity {
  readonly secret = randomBytes(12).toString('hex');
  readonly token = PROCESS_TOKEN;
  tokenRequests = 0;
  resources: string[] = [];

  private constructor(readonly http: LoopbackServer) {}

  static async start(): Promise<FakeManagedIdentity> {
    let self!: FakeManagedIdentity;
    const http = await LoopbackServer.start((req, res) => self.handle(req, res));
    self = new FakeManagedIdentity(http);
    return self;
  }

  /** IDENTITY_ENDPOINT / IDENTITY_HEADER, as App Service and Container Apps set them. */
  get env(): Record<string, string> {
    return { IDENTITY_ENDPOINT: `${this.http.origin}/msi/token`, IDENTITY_HEADER: this.secret };
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/msi/token') return sendJson(res, 404, { error: 'not found' });
    if (req.headers['x-identity-header'] !== this.secret) return sendJson(res, 401, { error: 'bad identity header' });
    this.tokenRequests += 1;
    const resource = url.searchParams.get('resource') ?? '';
    this.resources.push(resource);
    sendJson(res, 200, {
      access_token: this.token,
      expires_on: String(Math.floor(Date.now() / 1000) + 3600),
      resource,
      token_type: 'Bearer',
      client_id: '00000000-0000-0000-0000-000000000001',
    });
  }
}

/** The vault's RSA key, generated once per test process (2048-bit generation is slow). */
let VAULT_KEY: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

export class FakeKeyVault {
  readonly log: VaultRequest[] = [];
  /** The `resource` the 401 challenge names (a mismatch must make the SDK refuse). */
  challengeResource = 'https://vault.azure.net';
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly sockets = new Set<Socket>();
  private mode: Mode = { kind: 'allow' };
  private readonly faults = new CallFaults();

  private constructor(
    private readonly server: Server,
    private readonly acceptedToken: () => string,
  ) {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = (VAULT_KEY ??= generateKeyPairSync('rsa', { modulusLength: 2048 })));
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(acceptedToken: () => string): Promise<FakeKeyVault> {
    let self!: FakeKeyVault;
    const server = createServer({ cert: KEY_VAULT_TLS.cert, key: KEY_VAULT_TLS.key }, (req, res) => {
      self.handle(req, res).catch(() => res.destroy());
    });
    self = new FakeKeyVault(server, acceptedToken);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** RSA-OAEP-256 wrap of `dek` under the vault key, as Clef's packer does with wrapKey. */
  wrapDek(dek: Uint8Array): Buffer {
    return publicEncrypt({ key: this.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, dek);
  }

  /** unwrapkey calls received so far. */
  get unwrapCalls(): VaultRequest[] {
    return this.log.filter((r) => r.method === 'POST' && r.path.includes('/unwrapkey'));
  }

  allow(): void {
    this.mode = { kind: 'allow' };
    this.faults.reset();
  }
  deny(): void {
    this.mode = { kind: 'error', status: 403, code: 'Forbidden', inner: 'ForbiddenByRbac', message: 'Caller is not authorized to perform action on resource.' };
  }
  disable(): void {
    this.mode = { kind: 'error', status: 403, code: 'Forbidden', inner: 'KeyDisabled', message: 'Operation unwrapKey is not allowed on a disabled key.' };
  }
  notFound(): void {
    this.mode = { kind: 'error', status: 404, code: 'KeyNotFound', message: 'A key with (name/id) artifacts was not found in this key vault.' };
  }
  /** The next `n` requests answer 429 (Retry-After: 0). */
  throttle(n = Number.POSITIVE_INFINITY): void {
    this.faults.throttle(n);
  }
  slow(release: Promise<unknown>): void {
    this.faults.slow(release);
  }
  untilUnwraps(n: number): Promise<void> {
    return this.faults.until(n, this.unwrapCalls.length);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server.close();
    await once(this.server, 'close');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `https://${req.headers.host ?? FAKE_VAULT_HOST}`);
    const entry: VaultRequest = { method: req.method ?? '', path: url.pathname, authorization: req.headers.authorization };
    this.log.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    const text = await readBody(req);
    if (entry.authorization !== `Bearer ${this.acceptedToken()}`) {
      res.setHeader('WWW-Authenticate', `Bearer authorization="https://login.microsoftonline.com/${FAKE_TENANT}", resource="${this.challengeResource}"`);
      return kvError(res, 401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.');
    }
    const m = /^\/keys\/([A-Za-z0-9-]+)(?:\/([A-Za-z0-9]+))?(\/unwrapkey)?$/.exec(url.pathname);
    if (!m || m[1] !== 'artifacts' || (m[2] !== undefined && m[2] !== FAKE_KEY_VERSION)) return kvError(res, 404, 'KeyNotFound', 'key not found');
    const kid = `https://${FAKE_VAULT_HOST}/keys/artifacts/${FAKE_KEY_VERSION}`;
    if (m[3]) {
      this.faults.received(this.unwrapCalls.length);
      await this.faults.held();
      if (res.destroyed) return;
    }
    if (this.faults.throttled()) return kvError(res, 429, 'Throttled', 'Rate limit exceeded.', undefined, { 'retry-after': '0' });
    if (this.mode.kind === 'error') return kvError(res, this.mode.status, this.mode.code, this.mode.message, this.mode.inner);
    if (req.method === 'GET' && !m[3]) {
      const jwk = this.publicKey.export({ format: 'jwk' });
      return sendJson(res, 200, {
        key: { kid, kty: 'RSA', key_ops: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'], n: jwk.n, e: jwk.e },
        attributes: { enabled: true, created: 1764892800, updated: 1764892800, recoveryLevel: 'Recoverable' },
      });
    }
    if (req.method !== 'POST' || !m[3]) return kvError(res, 405, 'BadParameter', 'method not allowed');
    let body: { alg?: unknown; value?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      return kvError(res, 400, 'BadParameter', 'invalid JSON');
    }
    if (body.alg !== 'RSA-OAEP-256' || typeof body.value !== 'string') return kvError(res, 400, 'BadParameter', 'unsupported algorithm');
    let dek: Buffer;
    try {
      dek = privateDecrypt({ key: this.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(body.value, 'base64url'));
    } catch {
      return kvError(res, 400, 'BadParameter', 'Bad Request');
    }
    sendJson(res, 200, { kid, value: dek.toString('base64url') });
  }
}

/** Azure environment for a process: managed identity fake only, no developer CLI logins. */
export function azureIdentityEnv(identity: FakeManagedIdentity, home: string): Record<string, string | undefined> {
  return {
    ...identity.env,
    HOME: home,
    AZURE_CONFIG_DIR: `${home}/azure`,
    AZURE_CLIENT_ID: undefined,
    AZURE_TENANT_ID: undefined,
    AZURE_CLIENT_SECRET: undefined,
    AZURE_CLIENT_CERTIFICATE_PATH: undefined,
    AZURE_FEDERATED_TOKEN_FILE: undefined,
    AZURE_USERNAME: undefined,
    AZURE_PASSWORD: undefined,
    AZURE_TOKEN_CREDENTIALS: undefined,
    MSI_ENDPOINT: undefined,
    MSI_SECRET: undefined,
    IMDS_ENDPOINT: undefined,
    IDENTITY_SERVER_THUMBPRINT: undefined,
  };
}
