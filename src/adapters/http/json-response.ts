import type { Context } from 'koa';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Writes a prepared JSON string (or its UTF-8 bytes). The Content-Type is set before the
 * body so Koa never sniffs it (a string starting with `<` would otherwise be sent as
 * text/html, a Buffer as application/octet-stream).
 */
export function sendJson(ctx: Context, status: number, body: string | Buffer): void {
  ctx.status = status;
  ctx.set('Content-Type', JSON_CONTENT_TYPE);
  ctx.body = body;
}
