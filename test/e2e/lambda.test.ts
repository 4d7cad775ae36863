/**
 * The Lambda extension lifecycle of the real `clef-agent` process against a loopback fake
 * of the Extensions API (AWS_LAMBDA_RUNTIME_API=127.0.0.1:<port>) and a gated artifact
 * server, so the order of registration, fetches and event/next calls is observable.
 */
import net from 'node:net';
import type { ServerResponse } from 'node:http';
import { LoopbackServer, sendJson } from '../support/fakes/loopback-server';
import { FakeLambdaApi } from '../support/fakes/lambda-api';
import { AGE_KEY_FILE, allVectorSecretValues, loadExpect, vectorText } from '../support/vectors';
import { startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

/** Serves one document (404 while none); requests wait while the gate is closed. */
class GatedArtifact {
  document: string | null = null;
  requests = 0;
  /** Requests currently waiting on the gate. */
  private waiting = 0;
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;
  private listeners: Array<() => void> = [];

  private constructor(
    readonly http: LoopbackServer,
    private readonly timeline: string[],
  ) {}

  static async start(timeline: string[]): Promise<GatedArtifact> {
    let self!: GatedArtifact;
    const http = await LoopbackServer.start((_req, res) => self.handle(res));
    self = new GatedArtifact(http, timeline);
    return self;
  }

  get url(): string {
    return `${this.http.origin}/artifact.json`;
  }

  close(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open();
  }

  /** Resolves once `n` requests have arrived and one is waiting on the gate. */
  async whenHeld(n: number): Promise<void> {
    while (this.requests < n || this.waiting === 0) await new Promise<void>((r) => this.listeners.push(r));
  }

  private async handle(res: ServerResponse): Promise<void> {
    const n = ++this.requests;
    this.timeline.push(`artifact:start:${n}`);
    this.waiting += 1;
    this.listeners.splice(0).forEach((l) => l());
    await this.gate;
    this.waiting -= 1;
    if (this.document === null) sendJson(res, 404, { message: 'not published' });
    else sendJson(res, 200, this.document);
    this.timeline.push(`artifact:end:${n}`);
  }
}

const EXPECTED = loadExpect('a-age-basic');
let timeline: string[];
let api: FakeLambdaApi;
let artifact: GatedArtifact;

beforeEach(async () => {
  timeline = [];
  api = await FakeLambdaApi.start(timeline);
  artifact = await GatedArtifact.start(timeline);
});
afterEach(async () => {
  await stopAllAgents();
  await api.close();
  await artifact.http.close();
});

function lambdaEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    AWS_LAMBDA_RUNTIME_API: api.runtimeApi,
    CLEF_AGENT_SOURCE: artifact.url,
    CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE,
    ...extra,
  };
}

function assertClean(agent: AgentProcess): void {
  expect(agent.output).not.toContain(agent.token);
  for (const v of allVectorSecretValues()) expect(agent.output.includes(v)).toBe(false);
}

it('registers before the first fetch completes, refreshes on INVOKE before asking for the next event, exits 0 on SHUTDOWN', async () => {
  artifact.close();
  const agent = await startAgent({ env: lambdaEnv() });
  await artifact.whenHeld(1);
  const firstNext = await api.waitFor('next', 1);

  // Registered and waiting for events while the first fetch is still in flight.
  const register = api.callsOf('register')[0];
  expect(register.headers['lambda-extension-name']).toBe('clef-agent');
  expect(JSON.parse(register.body)).toEqual({ events: ['INVOKE', 'SHUTDOWN'] });
  expect(register.seq).toBeLessThan(timeline.indexOf('artifact:start:1'));
  expect(firstNext.headers['lambda-extension-identifier']).toBe(api.identifier);
  expect((await agent.get('/v1/ready')).status).toBe(503);

  // The first fetch fails (not published yet): nothing is loaded.
  artifact.release();
  await agent.waitFor('/v1/health', (r) => r.json<{ lastError: unknown }>().lastError !== null);

  // INVOKE with nothing loaded: the refresh completes before event/next is called again.
  artifact.document = vectorText('a-age-basic');
  artifact.close();
  api.invoke();
  await artifact.whenHeld(2);
  // Absence cannot be awaited: a bounded window in which an agent that does not wait for
  // its refresh would already ask for the next event (a correct one never does).
  const early = await Promise.race([api.waitFor('next', 2).then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 300))]);
  expect(early).toBe(false);
  artifact.release();
  const secondNext = await api.waitFor('next', 2);
  expect(timeline.indexOf('artifact:end:2')).toBeGreaterThan(-1);
  expect(timeline.indexOf('artifact:end:2')).toBeLessThan(secondNext.seq);
  const secrets = await agent.authGet('/v1/secrets');
  expect(secrets.status).toBe(200);
  expect(secrets.json()).toEqual(EXPECTED.secrets);

  // INVOKE while fresh (within the TTL): no fetch before the next event/next.
  const before = artifact.requests;
  api.invoke();
  await api.waitFor('next', 3);
  expect(artifact.requests).toBe(before);

  api.shutdown();
  expect(await agent.exited).toBe(0);
  expect(agent.logLines().some((l) => l.event === 'agent.stopped' && l.reason === 'lambda_shutdown')).toBe(true);
  expect(api.callsOf('exit_error')).toHaveLength(0);
  expect(api.callsOf('init_error')).toHaveLength(0);
  assertClean(agent);
});

it('JIT mode serves on INVOKE without a refresh of its own once loaded', async () => {
  artifact.document = vectorText('a-age-basic');
  const agent = await startAgent({ env: lambdaEnv({ CLEF_AGENT_CACHE_TTL: '0' }) });
  await agent.waitReady();
  await api.waitFor('next', 1);
  const before = artifact.requests;
  api.invoke();
  await api.waitFor('next', 2);
  expect(artifact.requests).toBe(before);
  expect((await agent.authGet('/v1/secrets')).json()).toEqual(EXPECTED.secrets);
  api.shutdown();
  expect(await agent.exited).toBe(0);
});

it('reports a configuration error to init/error and exits non-zero', async () => {
  const agent = await startAgent({ env: lambdaEnv({ CLEF_AGENT_CACHE_TTL: '10' }), waitListening: false });
  expect(await agent.exited).toBe(2);
  const [report] = api.callsOf('init_error');
  expect(report.headers['lambda-extension-identifier']).toBe(api.identifier);
  expect(report.headers['lambda-extension-function-error-type']).toBe('Extension.ConfigError');
  const body = JSON.parse(report.body) as { errorMessage: string; errorType: string };
  expect(body.errorType).toBe('Extension.ConfigError');
  expect(body.errorMessage).toContain('CLEF_AGENT_CACHE_TTL');
  expect(api.callsOf('next')).toHaveLength(0);
  expect(agent.stderr).toContain('configuration error: CLEF_AGENT_CACHE_TTL');
  assertClean(agent);
});

it('reports a listen failure to init/error and exits non-zero', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const agent = await startAgent({ env: lambdaEnv(), port, waitListening: false });
    expect(await agent.exited).toBe(1);
    const [report] = api.callsOf('init_error');
    expect(report.headers['lambda-extension-function-error-type']).toBe('Extension.ListenError');
    expect(JSON.parse(report.body)).toMatchObject({ errorType: 'Extension.ListenError', errorMessage: expect.stringContaining('EADDRINUSE') });
    assertClean(agent);
  } finally {
    blocker.close();
  }
});

it('reports a failing event/next to exit/error and exits non-zero', async () => {
  artifact.document = vectorText('a-age-basic');
  api.nextStatus = 500;
  const agent = await startAgent({ env: lambdaEnv(), waitListening: false });
  expect(await agent.exited).toBe(1);
  const [report] = api.callsOf('exit_error');
  expect(report.headers['lambda-extension-identifier']).toBe(api.identifier);
  expect(report.headers['lambda-extension-function-error-type']).toBe('Extension.EventLoopError');
  expect(JSON.parse(report.body)).toMatchObject({ errorType: 'Extension.EventLoopError', errorMessage: expect.stringContaining('500') });
  assertClean(agent);
});

it('exits non-zero when registration is refused, without calling anything else', async () => {
  api.registerStatus = 500;
  const agent = await startAgent({ env: lambdaEnv(), waitListening: false });
  expect(await agent.exited).toBe(1);
  expect(api.calls.map((c) => c.kind)).toEqual(['register']);
  expect(agent.stderr).toContain('registration failed');
});
