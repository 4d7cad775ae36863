import type { Context } from 'koa';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Writes a prepared JSON string (or its UTF-8 bytes). The Content-Type is set before the
 * body so Koa never sniffs it (a string starting with `<` would otherwise be sent as
 * text/html, a Buffer as application/octet-stream).
 *
 * On the hot path of every response, so it skips two indirections that cost more than
 * what they lead to (issue 8, instruction profile): `ctx.status =` / `ctx.body =` are
 * `delegates` setters whose shared `this[target][name] = v` store is megamorphic and
 * goes through the V8 runtime, so `ctx.response` is assigned directly (what they do);
 * and `ctx.set` normalises its arguments on each call, so `res.setHeader` is called
 * directly (what it does; nothing is sent before the body is assigned).
 */
export function sendJson(ctx: Context, status: number, body: string | Buffer): void {
  const response = ctx.response;
  response.status = status;
  ctx.res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  response.body = body;
}
