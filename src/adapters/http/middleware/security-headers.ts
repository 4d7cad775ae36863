import type { ServerResponse } from 'node:http';

/**
 * Set before anything can fail, so error responses carry them too. `no-store` goes on
 * every response rather than only /v1/secrets* and /v1/keys (D14/W12): it is free, and a
 * 401/404/503 on a secrets path must not be cacheable either. Koa adds no ETag,
 * X-Powered-By or CORS headers, and none are added here: no browser origin may read
 * this API.
 *
 * Written with `res.setHeader`, not `ctx.set`: Koa 3's `set` builds an entries array and
 * lower-cases the name on each call (issue 8: two `ctx.set` were ~5% of the instructions
 * per request), and it only differs from `setHeader` once headers are sent, which cannot
 * be the case before the request is routed.
 */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}
