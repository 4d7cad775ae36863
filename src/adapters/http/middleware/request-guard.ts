import type { Middleware } from 'koa';
import { hostChecker } from './host-allowlist';
import { checkNotProxied } from './reject-proxied';
import { setSecurityHeaders } from './security-headers';

/**
 * Everything that must happen before routing, as one middleware (issue 8: one Koa hop
 * instead of three on every request). The order is the contract:
 *
 * 1. security headers, before any check can fail, so error responses carry them;
 * 2. Host allowlist (403 forbidden_host; duplicate Host: 400 bad_request);
 * 3. not proxied (400 forwarded_request; non-origin-form target: 400 bad_request).
 *
 * All run before routing, so unknown paths are covered too; a failed check throws, and
 * koa-compose hands the error to the error handler above as a rejection.
 */
export function requestGuard(port: number): Middleware {
  const checkHost = hostChecker(port);
  return function guardRequest(ctx, next) {
    setSecurityHeaders(ctx.res);
    checkHost(ctx.req);
    checkNotProxied(ctx.req);
    return next();
  };
}
