import { request } from 'node:http';
import type { Container } from 'inversify';
import type { AgentState } from '../../domain/agent-state';
import { Clock } from '../../domain/ports';
import type { RefreshService } from '../../domain/refresh-service';
import { ConfigError } from '../config/config-error';
import { loadConfig } from '../config/load-config';
import { announceStartup, announceToken } from '../commands/run';
import { createContainer } from '../container';
import { AppTypes } from '../types';
import { AgentRuntime } from './agent-runtime';
import { startOtlpExport } from './otlp-export';

const API_PATH = '/2020-01-01/extension';
/** Must equal the launcher's file name under /opt/extensions. */
const EXTENSION_NAME = 'clef-agent';
/** Kept back from SHUTDOWN's deadlineMs so the exit itself lands inside it. */
const SHUTDOWN_MARGIN_MS = 100;

interface ApiReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface LambdaEvent {
  eventType?: string;
  deadlineMs?: number;
}

/**
 * The Lambda Extensions API. Plain node:http without timeouts on purpose: `event/next` is a
 * long poll that spans the sandbox freezing between invocations, and a timer that expires
 * while frozen would fire on thaw and fake a failure.
 */
class ExtensionsApi {
  constructor(private readonly hostPort: string) {}

  async register(): Promise<string> {
    const reply = await this.call('POST', '/register', { 'lambda-extension-name': EXTENSION_NAME }, { events: ['INVOKE', 'SHUTDOWN'] });
    const id = reply.headers['lambda-extension-identifier'];
    if (reply.status !== 200 || typeof id !== 'string' || id === '') {
      throw new Error(`Lambda extension registration failed (HTTP ${reply.status}${typeof id === 'string' ? '' : ', no Lambda-Extension-Identifier'})`);
    }
    return id;
  }

  async next(id: string): Promise<LambdaEvent> {
    const reply = await this.call('GET', '/event/next', { 'lambda-extension-identifier': id });
    if (reply.status !== 200) throw new Error(`event/next answered HTTP ${reply.status}`);
    return JSON.parse(reply.body) as LambdaEvent;
  }

  /** init/error or exit/error; best effort: the process is exiting non-zero either way. */
  async reportError(id: string, phase: 'init' | 'exit', errorType: string, errorMessage: string): Promise<void> {
    const headers = { 'lambda-extension-identifier': id, 'lambda-extension-function-error-type': errorType };
    await this.call('POST', `/${phase}/error`, headers, { errorMessage, errorType }).catch(() => undefined);
  }

  private call(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<ApiReply> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(`http://${this.hostPort}${API_PATH}${path}`, { method, headers: payload ? { ...headers, 'content-type': 'application/json' } : headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}

/** Error types Lambda shows in the function's logs; messages are ours and never carry secrets. */
function initErrorType(e: unknown): string {
  if (e instanceof ConfigError) return 'Extension.ConfigError';
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') return 'Extension.ListenError';
  return 'Extension.InitError';
}

function messageOf(e: unknown): string {
  return e instanceof ConfigError ? `configuration error: ${e.message}` : e instanceof Error ? e.message : String(e);
}

/**
 * The Lambda extension lifecycle (W14): register first, so Init is never held up by a slow
 * source, then configure and listen (failures → init/error), load in the background, and
 * loop on event/next. INVOKE awaits a refresh when the served data is stale, so the
 * function's read that follows sees fresh values; SHUTDOWN stops within deadlineMs.
 */
export async function runLambdaExtension(hostPort: string, env: NodeJS.ProcessEnv): Promise<void> {
  const api = new ExtensionsApi(hostPort);
  const id = await api.register();
  let container: Container;
  let runtime: AgentRuntime;
  try {
    const config = await loadConfig(env);
    container = await createContainer(config);
    runtime = new AgentRuntime(container);
    const server = await runtime.listen();
    announceStartup(runtime.logger, undefined); // no native start in a layer: nothing is ever skipped
    announceToken(runtime.logger, config);
    runtime.logger.info({ event: 'agent.listening', url: `http://${config.host}:${server.port}`, mode: config.mode, lifecycle: 'lambda' }, 'listening');
  } catch (e) {
    await api.reportError(id, 'init', initErrorType(e), messageOf(e));
    throw e;
  }
  runtime.announceStarted();
  // No poll schedule in Lambda (the sandbox is frozen between invocations): INVOKE refreshes.
  const initial = container.get<RefreshService>(AppTypes.RefreshService).refresh();
  void initial.then((o) => {
    if (o.status === 'failed') runtime.logger.warn({ event: 'lambda.initial_load_failed', code: o.error.code }, 'initial load failed; retrying on the next invocation');
  });
  const telemetry = startTelemetry(container, runtime, initial);
  await eventLoop(api, id, runtime, container, telemetry);
}

/**
 * OTLP export attaches once the first load settles, as in the daemon (AgentRuntime does
 * that only together with the poll schedule, which Lambda does not run). Returns a wait
 * for the attachment that resolves at once while the first load is still on the source.
 */
function startTelemetry(container: Container, runtime: AgentRuntime, initial: Promise<unknown>): () => Promise<void> {
  let settled = false;
  void initial.finally(() => (settled = true));
  const attached = startOtlpExport(container, initial, (t) => runtime.attachMetrics(t)).then(
    () => undefined,
    (e: unknown) => runtime.logger.warn({ event: 'telemetry.unavailable', error: e instanceof Error ? e.name : 'error' }, 'OTLP export could not start'),
  );
  return () => (settled ? attached : Promise.resolve());
}

async function eventLoop(api: ExtensionsApi, id: string, runtime: AgentRuntime, container: Container, telemetry: () => Promise<void>): Promise<void> {
  const { logger } = runtime;
  for (;;) {
    let event: LambdaEvent;
    try {
      event = await api.next(id);
    } catch (e) {
      const message = e instanceof SyntaxError ? 'event/next answered a body that is not JSON' : messageOf(e);
      logger.error({ event: 'lambda.event_loop_failed', error: message }, 'Extensions API failed; exiting');
      await api.reportError(id, 'exit', 'Extension.EventLoopError', message);
      await runtime.stop('error');
      process.exit(1);
    }
    if (event.eventType === 'SHUTDOWN') {
      logger.info({ event: 'agent.stopping', reason: 'lambda_shutdown' }, 'stopping');
      await stopBefore(event.deadlineMs, async () => {
        await telemetry(); // so agent.stopped and the buffered events are exported
        await runtime.stop('lambda_shutdown');
      });
      process.exit(0);
    }
    if (event.eventType === 'INVOKE') await refreshIfStale(container, runtime);
  }
}

/** Cached mode: refresh when nothing is loaded or the TTL has passed since the last
 * successful refresh. JIT: only when nothing is loaded (reads decrypt on demand). */
async function refreshIfStale(container: Container, runtime: AgentRuntime): Promise<void> {
  const state = container.get<AgentState>(AppTypes.AgentState);
  const now = container.get<Clock>(Clock).now();
  const { mode, ttlSeconds } = runtime.config;
  const loaded = state.accepted !== null && (mode === 'jit' || state.snapshot !== null);
  const stale = mode === 'cached' && (state.lastRefreshAt === null || now - state.lastRefreshAt >= ttlSeconds * 1000);
  if (loaded && !stale) return;
  const outcome = await container.get<RefreshService>(AppTypes.RefreshService).refresh();
  if (outcome.status === 'failed') runtime.logger.warn({ event: 'lambda.refresh_failed', code: outcome.error.code }, 'refresh on invoke failed');
}

/** AgentRuntime.stop is already bounded; the race only guarantees Lambda's deadline. */
async function stopBefore(deadlineMs: number | undefined, stop: () => Promise<void>): Promise<void> {
  const budget = typeof deadlineMs === 'number' ? deadlineMs - Date.now() - SHUTDOWN_MARGIN_MS : Infinity;
  if (budget <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    if (budget !== Infinity) timer = setTimeout(resolve, budget);
  });
  await Promise.race([stop().catch(() => undefined), deadline]);
  clearTimeout(timer);
}
