/**
 * The one outbound HTTP path for every remote source (HTTP, GitHub, GitLab, Bitbucket),
 * so timeouts, size caps, redirect policy and error mapping are written once (W7).
 * Built on Node's global fetch (undici) with `redirect: 'manual'`: fetch's own redirect
 * handling would follow https→http downgrades and carry the whole chain unbounded.
 */
import { AgentError, isAgentError } from '../../domain/errors';
import { assertTransportAllowed, InsecureSourceError } from './url-policy';

export interface BoundedFetchOptions {
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Caller's signal, normally already combined with a deadline by `withDeadline`. */
  signal: AbortSignal;
  maxBytes: number;
  maxRedirects: number;
  allowInsecureHttp: boolean;
  userAgent: string;
}

export interface BoundedResponse {
  status: number;
  headers: Headers;
  /** Final URL after redirects. */
  url: URL;
  /** The body of a 2xx GET (≤ maxBytes); empty otherwise, as error bodies are never needed. */
  body: Buffer;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Dropped when a redirect leaves the origin, so a token never reaches a third party. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'private-token', 'proxy-authorization', 'cookie']);

export async function boundedFetch(url: URL, o: BoundedFetchOptions): Promise<BoundedResponse> {
  let current = url;
  let headers: Record<string, string> = { ...o.headers, 'user-agent': o.userAgent };
  const method = o.method ?? 'GET';
  for (let hop = 0; ; hop++) {
    // Local controller: lets us close the socket ourselves when a body runs over the cap.
    const local = new AbortController();
    const signal = AbortSignal.any([o.signal, local.signal]);
    const res = await send(current, { method, headers, signal, redirect: 'manual' }, o.signal);
    if (!REDIRECT_STATUSES.has(res.status)) {
      const body = res.ok && method === 'GET' ? await readBounded(res, o, local) : await discard(res);
      return { status: res.status, headers: res.headers, url: current, body };
    }
    await discard(res);
    if (hop >= o.maxRedirects) throw new AgentError('source_bad_response', `more than ${o.maxRedirects} redirects`);
    const next = redirectTarget(current, res.headers.get('location'));
    assertTransportAllowed(next, o.allowInsecureHttp);
    if (next.origin !== current.origin) {
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.has(k.toLowerCase())));
    }
    current = next;
  }
}

function redirectTarget(from: URL, location: string | null): URL {
  if (!location) throw new AgentError('source_bad_response', 'redirect without a Location header');
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new AgentError('source_bad_response', 'redirect to an invalid Location');
  }
  if (from.protocol === 'https:' && next.protocol !== 'https:') throw new InsecureSourceError(next, 'redirect would leave https');
  // fetch rejects userinfo URLs with a message that echoes the credentials.
  if (next.username || next.password) throw new AgentError('source_bad_response', 'redirect to a URL with credentials');
  return next;
}

async function send(url: URL, init: RequestInit, caller: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    if (caller.aborted) throw caller.reason;
    throw networkError(e);
  } finally {
    // fetch records a resource timing entry holding the full URL, presigned query included;
    // the agent never reads them, so they are not kept (they would also grow the heap).
    performance.clearResourceTimings();
  }
}

/** Network failures are reported by errno only: undici's messages and causes can carry
 * the request URL, which may hold a presigned query. */
function networkError(e: unknown): AgentError {
  const cause = (e as { cause?: { code?: unknown } })?.cause;
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  return new AgentError('source_unavailable', `source unreachable${code}`);
}

async function discard(res: Response): Promise<Buffer> {
  await res.body?.cancel().catch(() => undefined);
  return Buffer.alloc(0);
}

/** Checks Content-Length first, then counts while streaming: a lying or absent length
 * cannot make us buffer more than maxBytes + one chunk. */
async function readBounded(res: Response, o: BoundedFetchOptions, local: AbortController): Promise<Buffer> {
  const tooLarge = () => {
    local.abort(); // closes the connection instead of draining the rest
    return new AgentError('source_too_large', `source document exceeds ${o.maxBytes} bytes`);
  };
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > o.maxBytes) throw tooLarge();
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > o.maxBytes) throw tooLarge();
      chunks.push(value);
    }
  } catch (e) {
    if (isAgentError(e)) throw e;
    if (o.signal.aborted) throw o.signal.reason;
    throw networkError(e);
  }
  return Buffer.concat(chunks, total);
}

/**
 * Runs one source fetch under a total deadline (connect + redirects + every request +
 * body). The caller's own abort is rethrown as its `reason` (not mapped to a source
 * error) so a stopping poller can tell its cancellation from a failing source.
 */
export async function withDeadline<T>(caller: AbortSignal, timeoutMs: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  caller.throwIfAborted();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new AgentError('source_timeout', `source did not answer within ${timeoutMs} ms`)), timeoutMs);
  timer.unref();
  try {
    return await run(AbortSignal.any([caller, deadline.signal]));
  } catch (e) {
    if (caller.aborted) throw caller.reason;
    if (deadline.signal.aborted) throw deadline.signal.reason;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** Strict UTF-8: a document with invalid bytes is a bad response, not a silently
 * U+FFFD-patched text. The BOM, if any, is kept so the text stays byte-exact. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new AgentError('source_bad_response', 'source document is not valid UTF-8');
  }
}
