import type { Middleware } from 'koa';

/**
 * Set before anything can fail, so error responses carry them too. `no-store` goes on
 * every response rather than only /v1/secrets* and /v1/keys (D14/W12): it is free, and a
 * 401/404/503 on a secrets path must not be cacheable either. Koa adds no ETag,
 * X-Powered-By or CORS headers, and none are added here: no browser origin may read
 * this API.
 */
export function securityHeaders(): Middleware {
  return function setSecurityHeaders(ctx, next) {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Content-Type-Options', 'nosniff');
    return next();
  };
}
