/**
 * A loopback fake of the AWS Lambda Extensions API (2020-01-01): register, event/next
 * (held until the test delivers an event), init/error and exit/error. Records every call,
 * in order, on a timeline the test can share with other fakes to check ordering.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer, sendJson } from './loopback-server';

export type LambdaCallKind = 'register' | 'next' | 'init_error' | 'exit_error' | 'unknown';

export interface LambdaCall {
  kind: LambdaCallKind;
  headers: IncomingHttpHeaders;
  body: string;
  /** Position on the shared timeline when the request arrived. */
  seq: number;
}

export interface LambdaEvent {
  eventType: 'INVOKE' | 'SHUTDOWN';
  deadlineMs: number;
  [k: string]: unknown;
}

const PREFIX = '/2020-01-01/extension';
const KINDS: Record<string, LambdaCallKind> = {
  'POST /register': 'register',
  'GET /event/next': 'next',
  'POST /init/error': 'init_error',
  'POST /exit/error': 'exit_error',
};

export class FakeLambdaApi {
  readonly calls: LambdaCall[] = [];
  readonly identifier = randomUUID();
  /** Status to answer register / event/next with instead of the normal reply. */
  registerStatus: number | null = null;
  nextStatus: number | null = null;
  private readonly queued: LambdaEvent[] = [];
  private pendingNext: ServerResponse | null = null;
  private readonly waiters: Array<() => void> = [];

  private constructor(
    private readonly http: LoopbackServer,
    readonly timeline: string[],
  ) {}

  static async start(timeline: string[] = []): Promise<FakeLambdaApi> {
    let self!: FakeLambdaApi;
    const http = await LoopbackServer.start((req, res) => self.handle(req, res));
    self = new FakeLambdaApi(http, timeline);
    return self;
  }

  /** The AWS_LAMBDA_RUNTIME_API value: host:port, no scheme. */
  get runtimeApi(): string {
    return this.http.origin.replace(/^http:\/\//, '');
  }

  callsOf(kind: LambdaCallKind): LambdaCall[] {
    return this.calls.filter((c) => c.kind === kind);
  }

  /** Resolves once `count` calls of `kind` have arrived. */
  waitFor(kind: LambdaCallKind, count = 1): Promise<LambdaCall> {
    return new Promise((resolve) => {
      const check = (): void => {
        const hits = this.callsOf(kind);
        if (hits.length >= count) resolve(hits[count - 1]);
        else this.waiters.push(check); // re-armed until enough calls arrived
      };
      check();
    });
  }

  invoke(): void {
    this.deliver({ eventType: 'INVOKE', deadlineMs: Date.now() + 3_000, requestId: randomUUID(), invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:fake' });
  }

  shutdown(deadlineMs = Date.now() + 2_000): void {
    this.deliver({ eventType: 'SHUTDOWN', shutdownReason: 'spindown', deadlineMs });
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private deliver(event: LambdaEvent): void {
    this.queued.push(event);
    this.flush();
  }

  private flush(): void {
    if (!this.pendingNext || this.queued.length === 0) return;
    const res = this.pendingNext;
    const event = this.queued.shift()!;
    this.pendingNext = null;
    this.timeline.push(`lambda:deliver:${event.eventType}`);
    sendJson(res, 200, event, { 'lambda-extension-event-identifier': randomUUID() });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const route = `${req.method} ${(req.url ?? '').replace(PREFIX, '')}`;
    const kind = KINDS[route] ?? 'unknown';
    this.timeline.push(`lambda:${kind}`);
    this.calls.push({ kind, headers: req.headers, body, seq: this.timeline.length - 1 });
    this.waiters.splice(0).forEach((w) => w());
    this.respond(kind, req, res);
  }

  private respond(kind: LambdaCallKind, req: IncomingMessage, res: ServerResponse): void {
    const idOk = req.headers['lambda-extension-identifier'] === this.identifier;
    if (kind === 'register') {
      if (this.registerStatus !== null) return sendJson(res, this.registerStatus, { errorType: 'Fake.Error', errorMessage: 'register refused' });
      if (req.headers['lambda-extension-name'] === undefined) return sendJson(res, 400, { errorType: 'InvalidRequest', errorMessage: 'missing name' });
      return sendJson(res, 200, { functionName: 'fake', functionVersion: '$LATEST', handler: 'index.handler' }, { 'lambda-extension-identifier': this.identifier });
    }
    if (!idOk) return sendJson(res, 403, { errorType: 'Extension.Forbidden', errorMessage: 'unknown extension identifier' });
    if (kind === 'next') {
      if (this.nextStatus !== null) return sendJson(res, this.nextStatus, { errorType: 'Fake.Error', errorMessage: 'next failed' });
      this.pendingNext = res; // held until the test delivers an event
      return this.flush();
    }
    if (kind === 'init_error' || kind === 'exit_error') return sendJson(res, 202, { status: 'OK' });
    sendJson(res, 404, { errorType: 'NotFound', errorMessage: 'no such route' });
  }
}
