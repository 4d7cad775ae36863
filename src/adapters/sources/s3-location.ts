/**
 * Recognises the S3 object URLs of AGENT.md §9.4 and turns them into bucket, key and
 * (when the URL names one) region. Pure string work, shared by configuration (routing
 * CLEF_AGENT_SOURCE) and the S3 source.
 *
 * Forms:
 *   s3://<bucket>/<key>                                  region from the environment
 *   https://<bucket>.s3.<region>.amazonaws.com/<key>
 *   https://<bucket>.s3.amazonaws.com/<key>              us-east-1 (global endpoint)
 *   https://s3.<region>.amazonaws.com/<bucket>/<key>
 *   https://s3.amazonaws.com/<bucket>/<key>              us-east-1
 * plus the legacy dash spelling `s3-<region>` of the two regional forms.
 *
 * An https URL with any query string (a presigned `X-Amz-Signature=…` URL above all) is
 * NOT an S3 location: it is fetched as given by the plain HTTP source, which keeps the
 * query. Clef's agent drops the query and breaks presigned URLs (DIFFERENCES D7/W9).
 */
export interface S3Location {
  bucket: string;
  key: string;
  /** From the URL; undefined for `s3://` (the caller supplies the environment's region). */
  region?: string;
}

/** AWS region names: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, ... */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const GLOBAL_REGION = 'us-east-1';
/** S3 bucket naming rules (general purpose buckets): 3–63 chars, lower case, digits, dots, hyphens. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** True for strings the S3 source handles; the router checks this before `http(s)://`. */
export function isS3Url(raw: string): boolean {
  return parseS3Url(raw) !== undefined;
}

/** The location named by an S3 URL, or undefined when `raw` is not one of the S3 forms. */
export function parseS3Url(raw: string): S3Location | undefined {
  if (/^s3:\/\//i.test(raw)) return parseS3Scheme(raw);
  if (!/^https:\/\//i.test(raw)) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.search || url.hash || url.username || url.password || url.port) return undefined;
  const endpoint = s3Endpoint(url.hostname);
  if (!endpoint) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname.slice(1));
  } catch {
    return undefined;
  }
  let bucket = endpoint.bucket;
  if (bucket === undefined) {
    const slash = path.indexOf('/');
    if (slash < 0) return undefined;
    bucket = path.slice(0, slash);
    path = path.slice(slash + 1);
  }
  if (!BUCKET.test(bucket) || path === '') return undefined;
  return { bucket, key: path, region: endpoint.region };
}

/** `s3://bucket/key`: the key is taken literally (as the AWS CLI does), no percent-decoding. */
function parseS3Scheme(raw: string): S3Location | undefined {
  const m = /^s3:\/\/([^/?#]+)\/(.+)$/i.exec(raw);
  if (!m || !BUCKET.test(m[1])) return undefined;
  return { bucket: m[1], key: m[2] };
}

/** Virtual-hosted (`<bucket>.s3…`) or path-style (`s3…`) endpoint host; region if named. */
function s3Endpoint(host: string): { bucket?: string; region: string } | undefined {
  const h = host.toLowerCase();
  const m = /^(?:(.+)\.)?s3(?:([.-])([a-z0-9-]+))?\.amazonaws\.com$/.exec(h);
  if (!m) return undefined;
  const [, bucket, , region] = m;
  if (region !== undefined && !REGION.test(region)) return undefined; // s3-website-…, s3-accesspoint…
  return { bucket, region: region ?? GLOBAL_REGION };
}
