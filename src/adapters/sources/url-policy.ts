import { isIP } from 'node:net';
import { AgentError } from '../../domain/errors';
import { redactUrl } from './redact';

/**
 * Thrown at construction (and on a redirect) when a source would fetch over plain HTTP
 * from a non-loopback host without `allowInsecureHttp`. It is an AgentError with code
 * `source_insecure`, so configuration validation and the poller can both key on it.
 */
export class InsecureSourceError extends AgentError {
  constructor(url: string | URL, detail = 'plain http:// to a non-loopback host needs allowInsecureHttp') {
    super('source_insecure', `refusing insecure source ${redactUrl(url)}: ${detail}`);
    this.name = 'InsecureSourceError';
  }
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`: traffic that never leaves the host. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** Parses a source URL and enforces the transport policy: https always, http only to
 * loopback or when explicitly allowed. Other schemes are configuration errors (TypeError). */
export function parseSourceUrl(raw: string | URL, allowInsecureHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(String(raw));
  } catch {
    // Not echoed: an unparseable string may be mostly credential.
    throw new TypeError('source URL is not a valid absolute URL');
  }
  assertTransportAllowed(url, allowInsecureHttp);
  return url;
}

export function assertTransportAllowed(url: URL, allowInsecureHttp: boolean): void {
  if (url.protocol === 'https:') return;
  if (url.protocol !== 'http:') throw new TypeError(`unsupported source URL scheme ${url.protocol}`);
  if (!allowInsecureHttp && !isLoopbackHost(url.hostname)) throw new InsecureSourceError(url);
}
