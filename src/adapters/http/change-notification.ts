import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { AgentError } from '../../domain/errors';
import type { SecretsQuery } from '../../domain/inbound';
import type { Principal } from './authenticator';

/**
 * Change notification for clients that hold secrets: validators (ETag / If-None-Match)
 * and a bounded long-poll on `GET /v1/secrets?wait=<s>&since=<revision>`.
 */

/** Upper bound of `wait`: long enough to save polls, short enough for proxies and drains. */
export const MAX_WAIT_SECONDS = 300;
/** Socket inactivity allowance beyond the wait itself, so the server's own socket
 * timeout (30 s by default) does not cut a long-poll short. */
const SOCKET_SLACK_MS = 5_000;
const MAX_SINCE_LENGTH = 512;
/** Header-safe revision (a packer-chosen string); anything else is simply not echoed. */
const HEADER_SAFE = /^[\x21-\x7e]{1,512}$/;

function scopeOf(principal: Principal): string {
  return principal.namespaces === 'all' ? '*' : [...principal.namespaces].sort().join('\0');
}

/**
 * `"r-" + sha256(revision, scope, resource)` truncated. Derived from the revision and from
 * what this principal may see of which resource, never from the body: computing it costs
 * no serialisation, and it cannot serve as an oracle on secret values.
 */
export function etagFor(revision: string, principal: Principal, resource: string): string {
  let byResource = etagMemo.get(principal);
  if (byResource === undefined) etagMemo.set(principal, (byResource = new Map()));
  const held = byResource.get(resource);
  if (held !== undefined && held.revision === revision) return held.etag;
  const h = createHash('sha256').update(revision).update('\0').update(scopeOf(principal)).update('\0').update(resource);
  const etag = `"r-${h.digest('hex').slice(0, 32)}"`;
  if (held !== undefined || byResource.size < ETAG_MEMO_PER_PRINCIPAL) byResource.set(resource, { revision, etag });
  return etag;
}

/**
 * The last ETag per (principal, resource), so the hot path does not hash on every request
 * (issue 8: a SHA-256 and a sort per request, measured in bench/RESULTS.md). Principals
 * are immutable and long-lived (the authenticators hand out the same object each time), so
 * they key a WeakMap; each keeps a bounded number of resources (single-secret paths are
 * many): beyond it, ETags are computed as before. A new revision replaces an entry.
 */
const etagMemo = new WeakMap<Principal, Map<string, { revision: string; etag: string }>>();
const ETAG_MEMO_PER_PRINCIPAL = 64;

/** RFC 9110 §13.1.2: weak comparison; `*` matches any current representation. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  for (const raw of header.split(',')) {
    const tag = raw.trim();
    if (tag === '*' || tag === etag || (tag.startsWith('W/') && tag.slice(2) === etag)) return true;
  }
  return false;
}

/**
 * Sets `ETag` (and `Clef-Revision`, so long-poll clients know what to pass as `since`)
 * and answers 304 when the client already holds this representation. Returns true when
 * the 304 was sent. `Cache-Control: no-store` stays: validators are for the client's own
 * copy, never for shared caches.
 */
export function sendIfModified(ctx: Context, revision: string, principal: Principal): boolean {
  const etag = etagFor(revision, principal, ctx.request.path);
  // `res.setHeader` / `req.headers` / `ctx.response` rather than `ctx.set` / `ctx.get` /
  // `ctx.status`: the same operations without Koa's per-call normalisation and delegate
  // indirection (issue 8, see json-response.ts). Nothing is sent before the handler.
  const res = ctx.res;
  res.setHeader('ETag', etag);
  if (isHeaderSafe(revision)) res.setHeader('Clef-Revision', revision);
  if (!matchesIfNoneMatch(ctx.req.headers['if-none-match'] || undefined, etag)) return false;
  ctx.response.status = 304;
  return true;
}

/** HEADER_SAFE, remembered for the last revision tested: it changes once per snapshot,
 * not per request. */
let lastTested: { revision: string; safe: boolean } | undefined;
function isHeaderSafe(revision: string): boolean {
  if (lastTested?.revision !== revision) lastTested = { revision, safe: HEADER_SAFE.test(revision) };
  return lastTested.safe;
}

export interface LongPoll {
  waitSeconds: number;
  /** Revision the client holds; `undefined`: whatever is served when the request arrives. */
  since: string | null | undefined;
}

function single(ctx: Context, name: string): string | undefined {
  const v = ctx.query[name];
  if (Array.isArray(v)) throw new AgentError('bad_request', `bad request: ${name} given more than once`);
  return v;
}

/** Parses `wait` / `since`; null when the request is not a long-poll. Invalid values are a 400. */
export function parseLongPoll(ctx: Context): LongPoll | null {
  // No query string at all (nearly every request): no `wait`, no `since`, so not a
  // long-poll, without parsing one into `ctx.query` (issue 8).
  if (ctx.request.querystring === '') return null;
  const wait = single(ctx, 'wait');
  const since = single(ctx, 'since');
  if (wait === undefined) {
    if (since !== undefined) throw new AgentError('bad_request', 'bad request: since needs wait');
    return null;
  }
  if (!/^\d{1,3}$/.test(wait) || Number(wait) > MAX_WAIT_SECONDS) {
    throw new AgentError('bad_request', `bad request: wait must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}`);
  }
  if (since !== undefined && since.length > MAX_SINCE_LENGTH) throw new AgentError('bad_request', 'bad request: since is too long');
  // `since=` (empty) means "I hold nothing": wait until something is served.
  return { waitSeconds: Number(wait), since: since === undefined ? undefined : since === '' ? null : since };
}

/**
 * Holds the request until the served revision differs from `since`, the wait elapses or
 * the client goes away. Exactly one timer and one `close` listener per waiter, both
 * removed on every path; the domain removes its own listener too. Returns false when the
 * client disconnected (nothing should be read or sent then).
 */
export async function awaitChange(ctx: Context, query: SecretsQuery, poll: LongPoll): Promise<boolean> {
  const since = poll.since === undefined ? query.currentRevision() : poll.since;
  if (poll.waitSeconds === 0 || query.currentRevision() !== since) return true;
  const controller = new AbortController();
  let gone = false;
  const onClose = () => {
    gone = true;
    controller.abort();
  };
  const timer = setTimeout(() => controller.abort(), poll.waitSeconds * 1000);
  const socket = ctx.req.socket;
  const previousTimeout = socket.timeout ?? 0;
  socket.setTimeout(poll.waitSeconds * 1000 + SOCKET_SLACK_MS);
  ctx.res.once('close', onClose);
  try {
    await query.waitForRevision(since, controller.signal);
  } finally {
    clearTimeout(timer);
    ctx.res.off('close', onClose);
    if (!socket.destroyed) socket.setTimeout(previousTimeout);
  }
  return !gone;
}
