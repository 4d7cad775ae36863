import { flatName, type SecretsSnapshot } from '../../domain/snapshot';
import type { ExecConfig } from '../config/agent-config';
import { ENV_NAME } from '../config/extensions-config';

/** Why a secret was not exported; reported with the key's name, never its value. */
export type SkipReason = 'invalid_name' | 'duplicate_name' | 'nul_in_value' | 'not_in_artifact';

export type OnSkip = (key: string, reason: SkipReason) => void;

/**
 * The variables a child of `clef-agent exec` receives for one snapshot. Default names are
 * `<prefix><namespace>__<key>`, case kept; with CLEF_AGENT_EXEC_KEYS only the listed
 * secrets are exported, under the given names. Names that are not valid variable names
 * and values that cannot be in an environment (NUL) are skipped, never mangled: a
 * silently renamed variable would be read by nobody.
 */
export function secretVariables(snapshot: SecretsSnapshot, exec: ExecConfig, onSkip: OnSkip): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  const put = (key: string, name: string, value: string) => {
    if (!ENV_NAME.test(name)) return onSkip(key, 'invalid_name');
    if (value.includes('\0')) return onSkip(key, 'nul_in_value');
    if (name in out) return onSkip(key, 'duplicate_name');
    out[name] = value;
  };
  if (exec.keys) {
    for (const [key, name] of exec.keys) {
      const value = snapshot.getFlat(key);
      if (value === undefined) onSkip(key, 'not_in_artifact');
      else put(key, name, value);
    }
    return out;
  }
  const tree = snapshot.subset(new Set(snapshot.namespaces));
  for (const ns of Object.keys(tree)) {
    for (const key of Object.keys(tree[ns])) put(flatName(ns, key), exec.prefix + flatName(ns, key), tree[ns][key]);
  }
  return out;
}

/**
 * The OpenTelemetry exporter variables that carry credentials the agent consumed for its
 * own telemetry: headers (usually an API key) and the mTLS client key/certificate, for all
 * signals or one. Endpoints, protocol, service name and resource attributes are not
 * credentials and are passed on.
 */
const OTEL_CREDENTIAL = /^OTEL_EXPORTER_OTLP_(?:(?:TRACES|METRICS|LOGS)_)?(?:HEADERS|CLIENT_KEY|CLIENT_CERTIFICATE)$/;

/** True for a variable of the agent's own that a child must not inherit. */
export function isAgentOnlyVariable(name: string): boolean {
  return name.startsWith('CLEF_AGENT_') || OTEL_CREDENTIAL.test(name);
}

/**
 * The child's environment: the agent's own, minus every CLEF_AGENT_* variable (the age
 * key, the bearer token, VCS and Redis credentials are the agent's, not the workload's)
 * and minus the agent's OTLP exporter credentials (least privilege: a workload needing
 * its own telemetry credentials gets them from the artifact, as the secrets they are),
 * plus the secrets, which win over an inherited variable of the same name.
 */
export function childEnvironment(parent: NodeJS.ProcessEnv, secrets: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(parent)) if (!isAgentOnlyVariable(k) && v !== undefined) env[k] = v;
  return Object.assign(env, secrets);
}
