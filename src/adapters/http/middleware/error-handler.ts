import type { Middleware } from 'koa';
import { toHttpError } from '../error-status';
import { sendJson } from '../json-response';

/**
 * The one place errors become HTTP: always a JSON body `{"error","code"}`, never HTML,
 * never a stack. Headers already set by the failing middleware (Allow, Cache-Control)
 * are kept on purpose. Unexpected errors (500) are re-emitted on the app so the owner's
 * `app.on('error')` logger sees them; expected failures are reported by the domain.
 */
export function errorHandler(): Middleware {
  return async function handleErrors(ctx, next) {
    try {
      await next();
    } catch (err) {
      const res = toHttpError(err);
      if (res.headers) ctx.set(res.headers);
      sendJson(ctx, res.status, JSON.stringify({ error: res.message, code: res.code }));
      if (res.status >= 500 && res.code === 'unknown') ctx.app.emit('error', err, ctx);
    }
  };
}
