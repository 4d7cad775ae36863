import { constants } from 'node:os';
import { socketPathProblem } from '../../adapters/http/unix-socket';
import { type AgentConfig, DEFAULT_SOCKET_MODE, type ExecConfig, type ExecOnRotate } from './agent-config';
import { ConfigError } from './config-error';
import type { Env } from './env-schema';
import { readSecretFile } from './secret-files';
import { parseTokensFile } from './tokens-file';

type Extensions = Pick<AgentConfig, 'socket' | 'tcp' | 'tokensFile' | 'scopedTokens' | 'watchFiles' | 'exec'>;

/** The listener, scoped-token and exec settings (docs/FEATURES.md), checked at startup. */
export async function extensionsConfig(env: Env, staticToken: string): Promise<Extensions> {
  const socket = socketConfig(env);
  const tcp = env.CLEF_AGENT_TCP ?? true;
  // Rendering files can be the only job (docs/FILES.md); otherwise something must listen.
  if (!tcp && socket === undefined && env.CLEF_AGENT_FILES === undefined) {
    throw new ConfigError('CLEF_AGENT_TCP', 'is false but CLEF_AGENT_SOCKET is not set: nothing would listen (and CLEF_AGENT_FILES names no outputs to render)');
  }
  const tokensFile = env.CLEF_AGENT_TOKENS_FILE;
  const scopedTokens = tokensFile === undefined ? [] : parseTokensFile(readSecretFile('CLEF_AGENT_TOKENS_FILE', tokensFile), tokensFile, staticToken);
  return { socket, tcp, tokensFile, scopedTokens, watchFiles: env.CLEF_AGENT_WATCH_FILES ?? false, exec: execConfig(env) };
}

function socketConfig(env: Env): AgentConfig['socket'] {
  const socketPath = env.CLEF_AGENT_SOCKET;
  if (socketPath === undefined) {
    if (env.CLEF_AGENT_SOCKET_MODE !== undefined) throw new ConfigError('CLEF_AGENT_SOCKET_MODE', 'is set but CLEF_AGENT_SOCKET is not');
    return undefined;
  }
  const problem = socketPathProblem(socketPath);
  if (problem) throw new ConfigError('CLEF_AGENT_SOCKET', problem);
  return { path: socketPath, mode: env.CLEF_AGENT_SOCKET_MODE ?? DEFAULT_SOCKET_MODE };
}

/** What env(1) and every shell accept as a variable name. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function execConfig(env: Env): ExecConfig {
  return { prefix: env.CLEF_AGENT_EXEC_PREFIX ?? '', keys: execKeys(env.CLEF_AGENT_EXEC_KEYS), onRotate: onRotate(env.CLEF_AGENT_EXEC_ON_ROTATE) };
}

/** `ns__KEY=ENV_NAME,...`; split at the last `=` (variable names cannot contain one). */
function execKeys(value: string | undefined): ReadonlyMap<string, string> | undefined {
  if (value === undefined) return undefined;
  const map = new Map<string, string>();
  const targets = new Set<string>();
  value.split(',').forEach((item, i) => {
    const pair = item.trim();
    const eq = pair.lastIndexOf('=');
    const from = pair.slice(0, eq);
    const to = pair.slice(eq + 1);
    if (eq <= 0 || !ENV_NAME.test(to)) {
      throw new ConfigError('CLEF_AGENT_EXEC_KEYS', `item ${i + 1} must be <namespace>__<key>=<VARIABLE_NAME> with a valid variable name`);
    }
    if (map.has(from)) throw new ConfigError('CLEF_AGENT_EXEC_KEYS', `item ${i + 1} maps a secret already mapped`);
    if (targets.has(to)) throw new ConfigError('CLEF_AGENT_EXEC_KEYS', `item ${i + 1} reuses the variable name ${to}`);
    map.set(from, to);
    targets.add(to);
  });
  return map;
}

function onRotate(value: string | undefined): ExecOnRotate {
  if (value === undefined || value === 'none') return { kind: 'none' };
  if (value === 'restart') return { kind: 'restart' };
  const signal = value.slice('signal:'.length);
  if (!(signal in constants.signals) || signal === 'SIGKILL' || signal === 'SIGSTOP') {
    throw new ConfigError('CLEF_AGENT_EXEC_ON_ROTATE', `names an unknown or uncatchable signal: ${signal}`);
  }
  return { kind: 'signal', signal: signal as NodeJS.Signals };
}
