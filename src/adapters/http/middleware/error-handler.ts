import type { Context, Middleware } from 'koa';
import { toHttpError } from '../error-status';
import { sendJson } from '../json-response';

function answerError(ctx: Context, err: unknown): void {
  const res = toHttpError(err);
  if (res.headers) ctx.set(res.headers);
  sendJson(ctx, res.status, JSON.stringify({ error: res.message, code: res.code }));
  if (res.status >= 500 && res.code === 'unknown') ctx.app.emit('error', err, ctx);
}

/**
 * The one place errors become HTTP: always a JSON body `{"error","code"}`, never HTML,
 * never a stack. Headers already set by the failing middleware (Allow, Cache-Control)
 * are kept on purpose. Unexpected errors (500) are re-emitted on the app so the owner's
 * `app.on('error')` logger sees them; expected failures are reported by the domain.
 *
 * Not an `async` function: on the success path it hands back downstream's promise with a
 * rejection handler attached, instead of an async frame that awaits it and resolves a
 * promise of its own on every request (issue 8). A middleware below that throws
 * synchronously is covered too: koa-compose turns the throw into a rejected promise, and
 * the `catch` here covers a `next` that would throw instead.
 */
export function errorHandler(): Middleware {
  return function handleErrors(ctx, next) {
    let downstream: Promise<unknown>;
    try {
      downstream = next();
    } catch (err) {
      answerError(ctx, err);
      return Promise.resolve();
    }
    return downstream.then(undefined, (err: unknown) => answerError(ctx, err));
  };
}
