import { request, type Agent, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import type { HealthReport, Readiness, SecretsQuery } from '../../../src/domain/inbound';
import type { AgentEvent, Telemetry } from '../../../src/domain/ports/telemetry';
import { SecretsSnapshot } from '../../../src/domain/snapshot';
import { createHttpApp, type HttpAppDeps } from '../../../src/adapters/http/app';
import { StaticTokenAuthenticator } from '../../../src/adapters/http/authenticator';
import type { AccessLogLine } from '../../../src/adapters/http/middleware/request-telemetry';
import { startHttpServer, type RunningServer } from '../../../src/adapters/http/server';

export const TOKEN = 'test-token-0123456789abcdef';
export const AUTH = `Bearer ${TOKEN}`;

function nullProto(entries: Record<string, string>): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, entries);
}

/** Null-prototype maps, like the domain's payload parser produces. */
export function sampleTree(): Record<string, Record<string, string>> {
  const tree: Record<string, Record<string, string>> = Object.create(null);
  tree.api = nullProto({ DB_URL: 'postgres://db', STRIPE_KEY: 'sk_live_x', 'a/b': 'slash-key', '<b>': '<html>' });
  // `constructor` is really present here only; `__proto__` is an own key of `weird`.
  tree.shared = nullProto({ LOG_LEVEL: 'debug', constructor: 'really-present' });
  const weird: Record<string, string> = Object.create(null);
  weird['__proto__'] = 'proto-value';
  tree.weird = weird;
  return tree;
}

export function sampleSnapshot(): SecretsSnapshot {
  return new SecretsSnapshot('rev-1', sampleTree());
}

export function healthReport(overrides: Partial<HealthReport> = {}): HealthReport {
  return {
    status: 'ok',
    mode: 'cached',
    ready: true,
    reason: null,
    revision: 'rev-1',
    lastRefreshAt: 1_700_000_000_000,
    expired: false,
    expiresAt: null,
    packedAt: null,
    servedFrom: 'source',
    verifiedBy: null,
    revokedAt: null,
    keyCount: 6,
    lastError: null,
    fleet: null,
    source: { type: 'file', description: 'file:/tmp/artifact.json' },
    ...overrides,
  };
}

/** A SecretsQuery driven by the test: `read` is replaceable, calls are counted. */
export class FakeQuery implements SecretsQuery {
  readCalls = 0;
  snapshot: SecretsSnapshot = sampleSnapshot();
  readImpl: () => Promise<SecretsSnapshot> = async () => this.snapshot;
  ready: Readiness = { ready: true };
  report: HealthReport = healthReport();

  read(): Promise<SecretsSnapshot> {
    this.readCalls++;
    return this.readImpl();
  }
  readiness(): Readiness {
    return this.ready;
  }
  health(): HealthReport {
    return this.report;
  }
  currentRevision(): string | null {
    return this.snapshot.revision;
  }
  /** Long-polls: resolves on abort or once `snapshot` is replaced by another revision via `rotate`. */
  private changed = new Set<() => void>();
  waitForRevision(since: string | null, signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.currentRevision() !== since) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.changed.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.changed.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
  rotate(snapshot: SecretsSnapshot): void {
    this.snapshot = snapshot;
    for (const wake of [...this.changed]) wake();
  }
}

export class RecordingTelemetry implements Telemetry {
  readonly events: AgentEvent[] = [];
  emit(event: AgentEvent): void {
    this.events.push(event);
  }
  async flush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

export interface Harness {
  query: FakeQuery;
  server: RunningServer;
  telemetry: RecordingTelemetry;
  accessLog: AccessLogLine[];
  /** `Host` value the server accepts. */
  host: string;
}

/** App on an ephemeral loopback port; `port: 0` makes the Host check use that port. */
export async function startHarness(overrides: Partial<HttpAppDeps> = {}): Promise<Harness> {
  const query = new FakeQuery();
  const telemetry = new RecordingTelemetry();
  const accessLog: AccessLogLine[] = [];
  const app = createHttpApp({
    query,
    authenticator: new StaticTokenAuthenticator(TOKEN),
    port: 0,
    telemetry,
    accessLog: (line) => accessLog.push(line),
    ...overrides,
  });
  app.silent = true;
  const server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  return { query, server, telemetry, accessLog, host: `127.0.0.1:${server.port}` };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Send {
  method?: string;
  path: string;
  /** `null` sends no Host header at all. */
  host?: string | null;
  headers?: Record<string, string>;
  agent?: Agent | false;
}

/** node:http client with full control of Host (setHost: false). */
export function send(port: number, opts: Send, defaultHost = `127.0.0.1:${port}`): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  const host = opts.host === undefined ? defaultHost : opts.host;
  if (host !== null) headers.host = host;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers, setHost: false, agent: opts.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Writes raw bytes and collects everything until the server closes the connection. */
export function rawExchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    const done = () => resolve(Buffer.concat(chunks).toString('latin1'));
    socket.on('end', done);
    // The server may reset after answering if request bytes remain unread.
    socket.on('error', (err) => (chunks.length > 0 ? done() : reject(err)));
    socket.on('connect', () => socket.write(payload));
  });
}

export function statusOf(rawResponse: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(rawResponse)?.[1] ?? 0);
}

export function jsonBodyOf(rawResponse: string): unknown {
  return JSON.parse(rawResponse.slice(rawResponse.indexOf('\r\n\r\n') + 4));
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
