/**
 * Credential redaction for anything derived from a source location (descriptions,
 * error messages, logs). Presigned S3/GCS URLs carry their signature, credential and
 * session token in the query string, and users put tokens in userinfo, so both are
 * masked wholesale: an allowlist of "safe" query names would rot as providers add
 * parameters.
 */
const MASK = '***';

export function redactUrl(input: string | URL): string {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    return '<invalid url>'; // never echo an unparseable string: it may be all credential
  }
  if (url.username || url.password) {
    url.username = MASK;
    url.password = '';
  }
  if (url.search) {
    const names = [...url.searchParams.keys()];
    // Rebuilt by hand so the mask is not percent-encoded by URLSearchParams.
    url.search = names.map((n) => `${encodeURIComponent(n)}=${MASK}`).join('&');
  }
  url.hash = '';
  return url.href;
}
