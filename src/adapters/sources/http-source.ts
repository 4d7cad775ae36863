/**
 * Plain HTTP(S) source: CDNs, buckets via public or presigned URLs, broker endpoints.
 * Not S3-aware (DIFFERENCES D7/W9): plain S3 object URLs are routed to the S3 source by
 * configuration, but a presigned `https://bucket.s3.amazonaws.com/key?X-Amz-Signature=…`
 * comes here and is fetched as ordinary HTTPS with its query string intact, so it works
 * with no AWS credentials.
 */
import type { ArtifactSource, FetchRequest, FetchResult, SourceCapabilities } from '../../domain/ports/artifact-source';
import { AgentError } from '../../domain/errors';
import { boundedFetch, decodeUtf8, withDeadline } from './bounded-fetch';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_REDIRECTS, DEFAULT_TIMEOUT_MS, DEFAULT_USER_AGENT } from './defaults';
import { sha256Hex } from './digest';
import { statusError } from './http-status';
import { redactUrl } from './redact';
import { parseSourceUrl } from './url-policy';

export interface HttpSourceOptions {
  url: string;
  maxBytes?: number;
  /** Total budget per fetch: connect, redirects, headers and body. */
  timeoutMs?: number;
  maxRedirects?: number;
  userAgent?: string;
  /** Permit http:// to non-loopback hosts (loopback is always allowed). */
  allowInsecureHttp?: boolean;
  /** Extra request headers (e.g. a broker's auth header). Never logged. */
  headers?: Record<string, string>;
}

export class HttpSource implements ArtifactSource {
  readonly type = 'http';
  readonly description: string;
  readonly cacheKey: string;
  readonly capabilities: SourceCapabilities = { conditional: true };
  private readonly url: URL;
  private readonly headers: Record<string, string>;
  private readonly o: Required<Omit<HttpSourceOptions, 'url' | 'headers'>>;

  /** @throws InsecureSourceError for http:// to a non-loopback host without allowInsecureHttp;
   *  TypeError for an invalid URL or a scheme other than http/https. */
  constructor(options: HttpSourceOptions) {
    this.o = {
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
      userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
      allowInsecureHttp: options.allowInsecureHttp ?? false,
    };
    const url = parseSourceUrl(options.url, this.o.allowInsecureHttp);
    this.description = redactUrl(url);
    this.cacheKey = `http:${sha256Hex(url.origin + url.pathname)}`;
    this.headers = { ...options.headers };
    // fetch refuses userinfo URLs (echoing them in its error), so send them as Basic auth.
    if (url.username || url.password) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      this.headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    this.url = url;
  }

  fetch({ previous, signal }: FetchRequest): Promise<FetchResult> {
    return withDeadline(signal, this.o.timeoutMs, async (s) => {
      const headers: Record<string, string> = { accept: 'application/json, */*;q=0.5', ...this.headers };
      if (previous?.etag) headers['if-none-match'] = previous.etag;
      if (previous?.lastModified) headers['if-modified-since'] = previous.lastModified;
      const res = await boundedFetch(this.url, { ...this.o, headers, signal: s });
      if (res.status === 304) {
        if (!previous?.etag && !previous?.lastModified) throw new AgentError('source_bad_response', `${this.description} answered 304 to an unconditional request`);
        return { kind: 'unchanged' };
      }
      if (res.status < 200 || res.status > 299) throw statusError(res.status, res.headers, this.description);
      const document = decodeUtf8(res.body);
      const etag = res.headers.get('etag') ?? undefined;
      const lastModified = res.headers.get('last-modified') ?? undefined;
      // A strong ETag names these exact bytes; a weak one (W/) only "equivalent" content.
      const contentId = etag && !etag.startsWith('W/') ? etag : sha256Hex(res.body);
      return { kind: 'fetched', document, contentId, validator: { etag, lastModified, contentId } };
    });
  }
}
