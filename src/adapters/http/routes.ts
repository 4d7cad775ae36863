import { Router, type RouterContext, type RouterMiddleware } from '@koa/router';
import { AgentError } from '../../domain/errors';
import type { SecretsQuery } from '../../domain/inbound';
import type { SecretsSnapshot } from '../../domain/snapshot';
import type { Authenticator, Principal } from './authenticator';
import { awaitChange, parseLongPoll, sendIfModified } from './change-notification';
import { sendJson } from './json-response';
import { httpState, principalOf, requireAuth } from './middleware/require-auth';
import { keysBody, lookup, lookupFlat, secretsBody } from './principal-view';

export interface RoutesDeps {
  query: SecretsQuery;
  authenticator: Authenticator;
}

const READY_BODY = '{"ready":true}';
const ALLOW = 'GET, HEAD';

/** Labels the request with its pattern (telemetry, access log) before anything can fail. */
function tagRoute(pattern: string): RouterMiddleware {
  return function tag(ctx, next) {
    httpState(ctx).route = pattern;
    return next();
  };
}

/** Every route is read-only. HEAD is served as GET; Koa drops the body. OPTIONS gets a
 * 405 too: there is no CORS, so a browser preflight must fail. */
const getOnly: RouterMiddleware = (ctx, next) => {
  const method = ctx.request.method;
  if (method === 'GET' || method === 'HEAD') return next();
  ctx.set('Allow', ALLOW);
  throw new AgentError('method_not_allowed', 'method not allowed');
};

/** Path parameters are decoded exactly once, from the raw capture (so `%2F` is part of a
 * key name, never a separator); malformed escapes are a 400, not a literal lookup.
 * `ctx.captures` is what static-dispatch.ts sets on its fast path; `ctx.params` is not. */
function param(ctx: RouterContext, index: number): string {
  const raw = ctx.captures?.[index] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AgentError('bad_request', 'bad request: malformed percent-encoding in path');
  }
}

function sendValue(ctx: RouterContext, snapshot: SecretsSnapshot, principal: Principal, value: string | undefined): void {
  // The message never echoes the requested name: it may itself be sensitive.
  if (value === undefined) throw new AgentError('not_found', 'secret not found');
  if (sendIfModified(ctx, snapshot.revision, principal)) return;
  sendJson(ctx, 200, `{"value":${JSON.stringify(value)}}`);
}

/**
 * The API surface (AGENT.md §4.3 plus the single-secret extensions). Paths are strict:
 * case-sensitive, no trailing-slash tolerance. Each pattern is mounted for every method
 * so that a known path with the wrong method is a 405, decided here and not by guessing
 * from router internals.
 */
export function createRouter({ query, authenticator }: RoutesDeps): Router {
  const router = new Router({ strict: true, sensitive: true });
  const auth = requireAuth(authenticator);
  const get = (pattern: string, ...stack: RouterMiddleware[]) => router.all(pattern, tagRoute(pattern), getOnly, ...stack);

  get('/v1/health', (ctx) => sendJson(ctx, 200, JSON.stringify(query.health())));

  get('/v1/ready', (ctx) => {
    const readiness = query.readiness();
    if (readiness.ready) sendJson(ctx, 200, READY_BODY);
    else sendJson(ctx, 503, JSON.stringify({ ready: false, reason: readiness.reason }));
  });

  // `?wait=&since=` long-polls (validated before anything is awaited); then, as every
  // secrets route, the ETag derived from the revision answers If-None-Match with a 304.
  get('/v1/secrets', auth, async (ctx) => {
    const poll = parseLongPoll(ctx);
    if (poll && !(await awaitChange(ctx, query, poll))) return; // client gone: read nothing
    const snapshot = await query.read();
    const principal = principalOf(ctx);
    if (sendIfModified(ctx, snapshot.revision, principal)) return;
    sendJson(ctx, 200, secretsBody(snapshot, principal));
  });

  get('/v1/keys', auth, async (ctx) => {
    const snapshot = await query.read();
    const principal = principalOf(ctx);
    if (sendIfModified(ctx, snapshot.revision, principal)) return;
    sendJson(ctx, 200, keysBody(snapshot, principal));
  });

  get('/v1/secrets/:key', auth, async (ctx) => {
    const name = param(ctx, 0);
    const snapshot = await query.read();
    const principal = principalOf(ctx);
    sendValue(ctx, snapshot, principal, lookupFlat(snapshot, principal, name));
  });

  get('/v1/secrets/:namespace/:key', auth, async (ctx) => {
    const ns = param(ctx, 0);
    const key = param(ctx, 1);
    const snapshot = await query.read();
    const principal = principalOf(ctx);
    sendValue(ctx, snapshot, principal, lookup(snapshot, principal, ns, key));
  });

  return router;
}
