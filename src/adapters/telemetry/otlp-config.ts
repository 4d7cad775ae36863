/**
 * OTLP configuration, resolved without loading the OpenTelemetry SDK: the app decides
 * from this whether to call loadOtlpTelemetry at all.
 */
export type OtlpProtocol = 'http/json' | 'http/protobuf';

export interface OtlpResourceOptions {
  serviceVersion: string;
  agentId: string;
  /** VCS identity, else the literal `unknown` (AGENT.md §11). */
  identity: string;
  environment: string;
  /** `vcs` | `http` | `s3` | `file` — we classify S3 correctly, unlike the reference (W13). */
  sourceType: string;
}

export interface OtlpTelemetryOptions {
  /** Full POST URL for logs (used verbatim); no logs pipeline when absent. */
  logsUrl?: string;
  /** Full POST URL for metrics; no metrics pipeline when absent. */
  metricsUrl?: string;
  protocol: OtlpProtocol;
  /** Called at every export, so rotated credentials are picked up without a restart. */
  headers: () => Record<string, string>;
  /** Metric export interval (default 60 s). */
  exportIntervalMs?: number;
  /** Log batch delay (default 10 s, as the reference); a batch of 50 is sent at once. */
  logBatchDelayMs?: number;
  /** Bound on each export request (default 10 s). */
  timeoutMs?: number;
  /** Log records held while the collector is slow or down; beyond it new ones are dropped. */
  maxQueueSize?: number;
  resource: OtlpResourceOptions;
  /** Also send `http.request` events as log records (metrics are always kept). */
  accessLog?: boolean;
  /** Also send debug-level events (`artifact.unchanged`, `decrypt.completed`) as log records. */
  debugEvents?: boolean;
  /** Add the Prometheus exporter as a reader (CLEF_AGENT_METRICS_ADDRESS); works without OTLP. */
  prometheus?: boolean;
  /** Read at each collection for the serving-state gauges (ready, status, last refresh). */
  serving?: () => ServingObservation;
}

/** What the serving-state gauges show, read from the agent's health at collection time. */
export interface ServingObservation {
  ready: boolean;
  status: string;
  servedFrom: string | null;
  /** Epoch ms of the last successful refresh. */
  lastRefreshAt: number | null;
  pollIntervalSeconds?: number;
}

/** The Prometheus text of the agent's metrics, rendered per scrape. */
export interface MetricsText {
  readonly contentType: string;
  render(): Promise<string>;
}

export class OtlpConfigError extends Error {
  override readonly name = 'OtlpConfigError';
}

export interface ResolvedOtlpConfig {
  logsUrl?: string;
  metricsUrl?: string;
  protocol: OtlpProtocol;
  /** From OTEL_EXPORTER_OTLP_HEADERS; merge the §2.3 secret headers over them. */
  headers: Record<string, string>;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where and how to export, from the standard OTEL_EXPORTER_OTLP_* variables plus
 * CLEF_AGENT_TELEMETRY_URL. Returns undefined when nothing enables telemetry.
 *
 * Precedence (documented behaviour):
 * - logs: CLEF_AGENT_TELEMETRY_URL verbatim (the reference's full POST URL) >
 *   OTEL_EXPORTER_OTLP_LOGS_ENDPOINT verbatim > OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/logs`.
 * - metrics: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT verbatim > derived from
 *   CLEF_AGENT_TELEMETRY_URL (a trailing `/v1/logs` replaced by `/v1/metrics`, else its
 *   origin + `/v1/metrics`) > OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/metrics`.
 * - protocol: OTEL_EXPORTER_OTLP_PROTOCOL; when unset, `http/json` if
 *   CLEF_AGENT_TELEMETRY_URL is set (what the reference speaks) else `http/protobuf`
 *   (the OTel default). `grpc` is a configuration error: no gRPC exporter is shipped.
 * Error messages never quote a URL or header value: they may carry credentials.
 */
export function resolveOtlpConfig(env: Env, telemetryUrl?: string): ResolvedOtlpConfig | undefined {
  const clefUrl = nonEmpty(telemetryUrl);
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const logsEndpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT);
  const metricsEndpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT);

  const logsUrl =
    (clefUrl && checkUrl(clefUrl, 'CLEF_AGENT_TELEMETRY_URL')) ??
    (logsEndpoint && checkUrl(logsEndpoint, 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT')) ??
    (base && signalUrl(checkUrl(base, 'OTEL_EXPORTER_OTLP_ENDPOINT'), 'v1/logs'));
  const metricsUrl =
    (metricsEndpoint && checkUrl(metricsEndpoint, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT')) ??
    (clefUrl && metricsUrlFromLogsUrl(clefUrl)) ??
    (base && signalUrl(checkUrl(base, 'OTEL_EXPORTER_OTLP_ENDPOINT'), 'v1/metrics'));
  if (!logsUrl && !metricsUrl) return undefined;

  return {
    logsUrl,
    metricsUrl,
    protocol: resolveProtocol(nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL), clefUrl !== undefined),
    headers: parseOtelHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
  };
}

function resolveProtocol(raw: string | undefined, clefUrl: boolean): OtlpProtocol {
  if (raw === undefined) return clefUrl ? 'http/json' : 'http/protobuf';
  if (raw === 'http/json' || raw === 'http/protobuf') return raw;
  if (raw === 'grpc') {
    throw new OtlpConfigError('OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported: use http/protobuf or http/json');
  }
  throw new OtlpConfigError('OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json');
}

/** OTel spec: the signal path is appended to the base endpoint, keeping any path prefix. */
function signalUrl(base: string, path: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}${path}`;
  return url.href;
}

function metricsUrlFromLogsUrl(logsUrl: string): string {
  const url = new URL(logsUrl);
  // Keep a collector path prefix (`https://host/otlp/v1/logs`) and any query the collector
  // may need for auth; otherwise fall back to the standard path at the same origin.
  url.pathname = url.pathname.endsWith('/v1/logs') ? `${url.pathname.slice(0, -'logs'.length)}metrics` : '/v1/metrics';
  return url.href;
}

function checkUrl(raw: string, variable: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OtlpConfigError(`${variable} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OtlpConfigError(`${variable} must be an http:// or https:// URL`);
  }
  return raw;
}

/** OTEL_EXPORTER_OTLP_HEADERS: comma-separated `key=value`, values percent-decoded (OTel spec,
 * W3C Baggage format). Malformed pairs are skipped rather than failing startup. */
export function parseOtelHeaders(raw: string | undefined): Record<string, string> {
  return parsePairs(raw, (value) => decodeURIComponent(value));
}

/**
 * Export headers from the decrypted secrets (AGENT.md §2.3): CLEF_TELEMETRY_HEADERS as
 * comma-separated `name=value` pairs (split at the first `=`, trimmed, pairs without `=`
 * or a name skipped), else CLEF_TELEMETRY_TOKEN as `Authorization: Bearer <token>`.
 * Unlike the reference (W13) values are percent-decoded (a value that is not valid
 * percent-encoding is kept as written), and names or values that Node would refuse to
 * send are skipped instead of breaking every export.
 */
export function telemetryHeadersFromSecrets(get: (flatKey: string) => string | undefined): Record<string, string> {
  const raw = nonEmpty(get('CLEF_TELEMETRY_HEADERS'));
  if (raw !== undefined) return parsePairs(raw, decodeLeniently);
  const token = nonEmpty(get('CLEF_TELEMETRY_TOKEN'));
  return token !== undefined && isHeaderValue(token) ? { Authorization: `Bearer ${token}` } : {};
}

function decodeLeniently(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function parsePairs(raw: string | undefined, decode: (value: string) => string): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  for (const pair of (raw ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    let value: string;
    try {
      value = decode(pair.slice(eq + 1).trim());
    } catch {
      continue;
    }
    if (isHeaderName(name) && isHeaderValue(value)) headers[name] = value;
  }
  return { ...headers };
}

/** RFC 9110 token characters: what Node's http client accepts as a header name. */
export function isHeaderName(name: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name);
}

/** No control characters (CR/LF would be header injection; Node rejects them anyway). */
export function isHeaderValue(value: string): boolean {
  return !/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}
