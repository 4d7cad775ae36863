import { ENV_HELP, type HelpTopic, TOPIC_TITLES, type VariableHelp } from './config/env-help';

/**
 * `--help` and `help <topic>`, generated from ENV_HELP (keyed by the configuration schema,
 * so a variable the parser reads cannot be missing here). env-help.ts imports the schema
 * as a type only: printing help loads neither zod nor any adapter.
 */
const TOPICS = Object.keys(TOPIC_TITLES) as HelpTopic[];

function variablesOf(topic: HelpTopic): Array<[string, VariableHelp]> {
  return Object.entries(ENV_HELP).filter(([, v]) => v.topic === topic);
}

function section(topic: HelpTopic): string {
  const rows = variablesOf(topic);
  if (rows.length === 0) return '';
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = rows.map(([name, v]) => `  ${name.padEnd(width)}  [${v.default}]\n  ${' '.repeat(width)}  ${v.help}`);
  return `${TOPIC_TITLES[topic]}:\n${lines.join('\n')}`;
}

/** Every CLEF_AGENT_* variable, grouped by topic, with its default in brackets. */
export function variablesHelp(): string {
  const sections = TOPICS.map(section).filter((s) => s !== '');
  return `Configuration (environment variables; default in [brackets], — = unset):\n\n${sections.join('\n\n')}`;
}

/** Longer texts for `clef-agent help <topic>`, beyond the one line per variable. */
const GUIDES: Readonly<Record<string, string>> = {
  sources: `Sources
  One of: CLEF_AGENT_SOURCE as a file path or an http(s):// URL (S3: an https or presigned
  URL), or a repository through CLEF_AGENT_VCS_PROVIDER=github|gitlab|bitbucket with
  _REPO, _TOKEN, _IDENTITY and _ENVIRONMENT (the artifact is read at
  .clef/packed/<identity>/<environment>.age.json on _REF). HTTP sources are polled with
  If-None-Match / If-Modified-Since; plain http:// to a non-loopback host needs
  CLEF_AGENT_ALLOW_INSECURE_HTTP=true (set CLEF_AGENT_VERIFY_KEY then). A failed poll keeps
  serving the held revision until CLEF_AGENT_CACHE_TTL runs out.`,
  kms: `KMS envelopes
  Artifacts packed with a KMS envelope (envelope.provider = aws) are unwrapped with AWS KMS
  Decrypt through the SDK's default credential chain (AWS_REGION, web identity, IMDS, ...);
  the key comes from the artifact. No age key is needed for KMS-only artifacts. Failures
  are kms_access_denied, kms_key_unavailable, kms_invalid_ciphertext, kms_throttled,
  kms_network; in JIT mode (CLEF_AGENT_CACHE_TTL=0) every read decrypts again.`,
  fleet: `Fleet tier
  With CLEF_AGENT_CACHE_URL (redis:// or rediss://, Valkey works too) the agents of one
  identity/environment share the verified artifact: per poll interval one agent holds a
  lease and reads the source, the others verify and use what it stored. Everything read
  from Redis is verified like a source document; when Redis fails, each agent reads the
  source itself. The URL may carry a password and is never logged.`,
  metrics: `Metrics
  CLEF_AGENT_METRICS_ADDRESS=host:port (e.g. 0.0.0.0:9779) serves GET /metrics in the
  Prometheus text format and nothing else (no token; it may bind beyond loopback, the
  secrets API never does). Series are clef_agent_*: clef_agent_ready,
  clef_agent_serving_status, clef_agent_artifact_age_seconds,
  clef_agent_artifact_expires_in_seconds, clef_agent_refresh_last_success_timestamp_seconds,
  clef_agent_poll_interval_seconds, clef_agent_refreshes_total{outcome},
  clef_agent_refresh_errors_total{code}, clef_agent_source_requests_total{outcome},
  clef_agent_decrypts_total / clef_agent_kms_calls_total{provider,outcome},
  clef_agent_cache_lookups_total{tier,outcome}, clef_agent_http_requests_total{http_route,...},
  and refresh/decrypt duration histograms. No label carries a secret, key name or token.
  OTLP (CLEF_AGENT_TELEMETRY_URL / OTEL_EXPORTER_OTLP_*) exports the same meters.`,
  connections: `Connections
  Each listener (TCP, unix socket, metrics) serves at most CLEF_AGENT_MAX_CONNECTIONS open
  connections. Beyond it a request is answered at once with 503 and
  {"code":"too_many_connections"} (Retry-After: 1) and the connection is closed; GET
  /v1/health and /v1/ready are still served on up to 16 extra connections, so probes keep
  answering under that pressure.`,
};

/** The variables printed after each guide. */
const GUIDE_GROUP: Readonly<Record<string, HelpTopic>> = { sources: 'source', kms: 'keys', fleet: 'fleet', metrics: 'telemetry', connections: 'listen' };

export const HELP_TOPICS: readonly string[] = [...Object.keys(GUIDES), ...TOPICS.filter((t) => !(t in GUIDES) && variablesOf(t).length > 0)];

/** The text for `help <topic>`, or undefined for an unknown topic. */
export function topicHelp(topic: string): string | undefined {
  const guide = GUIDES[topic];
  const groupTopic = GUIDE_GROUP[topic] ?? ((TOPICS as string[]).includes(topic) ? (topic as HelpTopic) : undefined);
  const group = groupTopic === undefined ? '' : section(groupTopic);
  if (guide === undefined && group === '') return undefined;
  return [guide, group].filter((s) => s !== undefined && s !== '').join('\n\n');
}
