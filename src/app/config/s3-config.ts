import { parseS3Url } from '../../adapters/sources/s3-location';
import { assertTransportAllowed } from '../../adapters/sources/url-policy';
import type { SourceConfig } from './agent-config';
import { ConfigError } from './config-error';

/** Whether CLEF_AGENT_SOURCE names an S3 object (checked before the http(s) rule). A URL with
 * a query string (presigned) is not: the HTTP source fetches it as given. */
export function isS3Source(src: string): boolean {
  return /^s3:\/\//i.test(src) || parseS3Url(src) !== undefined;
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/**
 * CLEF_AGENT_SOURCE as an S3 location, with the region (URL first, then AWS_REGION,
 * AWS_DEFAULT_REGION) and the custom endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL),
 * read here from the standard AWS variables so mistakes are configuration errors at start.
 */
export function s3SourceConfig(src: string, raw: NodeJS.ProcessEnv, allowInsecureHttp: boolean): Extract<SourceConfig, { kind: 's3' }> {
  const loc = parseS3Url(src);
  if (!loc) throw new ConfigError('CLEF_AGENT_SOURCE', 'is not a usable S3 URL: expected s3://<bucket>/<key> with a valid bucket name');
  const region = loc.region ?? nonEmpty(raw.AWS_REGION) ?? nonEmpty(raw.AWS_DEFAULT_REGION);
  if (region === undefined) {
    throw new ConfigError('AWS_REGION', 'is not set (nor AWS_DEFAULT_REGION): an s3:// source needs the bucket\'s region; set one, or use https://<bucket>.s3.<region>.amazonaws.com/<key>');
  }
  return { kind: 's3', url: src, bucket: loc.bucket, key: loc.key, region, endpoint: s3Endpoint(raw, allowInsecureHttp) };
}

function s3Endpoint(raw: NodeJS.ProcessEnv, allowInsecureHttp: boolean): string | undefined {
  if (raw.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  const variable = nonEmpty(raw.AWS_ENDPOINT_URL_S3) !== undefined ? 'AWS_ENDPOINT_URL_S3' : 'AWS_ENDPOINT_URL';
  const value = nonEmpty(raw[variable]);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(variable, 'is not a valid URL');
  }
  try {
    assertTransportAllowed(url, allowInsecureHttp);
  } catch {
    throw new ConfigError(variable, 'must be https:// (http:// only for loopback, or with CLEF_AGENT_ALLOW_INSECURE_HTTP=true)');
  }
  if (url.username || url.password || url.search) throw new ConfigError(variable, 'must not carry credentials or a query string');
  return value;
}
