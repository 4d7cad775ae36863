import type { Context, Middleware } from 'koa';
import { AgentError } from '../../../domain/errors';
import type { Authenticator, Principal } from '../authenticator';

/** Per-request state written by the HTTP middleware. */
export interface HttpState {
  principal?: Principal;
  /** Route pattern (e.g. `/v1/secrets/:key`), never the raw path. */
  route?: string;
}

export function httpState(ctx: Context): HttpState {
  return ctx.state as HttpState;
}

/** Set by requireAuth; a route mounted without it has no principal. */
export function principalOf(ctx: Context): Principal {
  const principal = httpState(ctx).principal;
  if (!principal) throw new AgentError('unknown', 'route served without authentication');
  return principal;
}

/**
 * Bearer authentication. It runs before the route handler calls `query.read()`, so an
 * unauthenticated caller can never trigger a refresh or a JIT decrypt. Every failure is
 * the same 401 (missing header, wrong scheme, wrong token): no oracle.
 */
export function requireAuth(authenticator: Authenticator): Middleware {
  return function authenticate(ctx, next) {
    const principal = authenticator.authenticate(ctx.req.headers.authorization);
    if (principal === null) throw new AgentError('unauthorized', 'unauthorized');
    httpState(ctx).principal = principal;
    return next();
  };
}
