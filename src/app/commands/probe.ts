import { request } from 'node:http';
import type { ProbeTarget } from '../cli';

/** Default port, repeated here rather than imported so a probe loads no config module. */
const DEFAULT_PORT = 7779;
/** Below the usual exec-probe timeoutSeconds, so a hung agent fails the probe instead of the kubelet killing it. */
const PROBE_TIMEOUT_MS = 2_000;
const MAX_BODY = 64 * 1024;

export interface Reply {
  status: number;
  body: string;
}

/**
 * `clef-agent probe ready|health`: the API binds 127.0.0.1 only, so kubelet httpGet
 * probes (pod IP) cannot reach it (D15); an exec probe runs this inside the pod's network
 * namespace instead. No token: /v1/ready and /v1/health are unauthenticated and carry no
 * secrets. Prints one status line; exit 0 on HTTP 200, 1 otherwise, 2 on a bad port.
 */
export async function probe(target: ProbeTarget, env: NodeJS.ProcessEnv): Promise<number> {
  const agent = localAgent(env);
  if (agent === null) return 2;
  return report(target, agent.where, get(agent.target, `/v1/${target}`));
}

export type AgentTarget = { host: string; port: number } | { socketPath: string };

/** Where the local agent listens, from the same variables it reads (socket first: it
 * answers whenever configured, including with CLEF_AGENT_TCP=false). Null (after one
 * line on stderr) on a bad port. Shared with `clef-agent status`. */
export function localAgent(env: NodeJS.ProcessEnv): { target: AgentTarget; where: string } | null {
  const socketPath = env.CLEF_AGENT_SOCKET?.trim() || undefined;
  if (socketPath !== undefined) return { target: { socketPath }, where: socketPath };
  const port = probePort(env.CLEF_AGENT_PORT);
  if (port === null) {
    process.stderr.write('clef-agent: configuration error: CLEF_AGENT_PORT must be an integer from 1 to 65535\n');
    return null;
  }
  return { target: { host: '127.0.0.1', port }, where: `127.0.0.1:${port}` };
}

async function report(target: ProbeTarget, where: string, pending: Promise<Reply>): Promise<number> {
  let reply: Reply;
  try {
    reply = await pending;
  } catch (e) {
    process.stdout.write(`${target}: unreachable on ${where} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
    return 1;
  }
  process.stdout.write(`${target}: ${summary(target, reply)}\n`);
  return reply.status === 200 ? 0 : 1;
}

function probePort(raw: string | undefined): number | null {
  if (raw === undefined) return DEFAULT_PORT;
  if (!/^\d+$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && n <= 65535 ? n : null;
}

/** One line from the JSON body; only non-secret status fields are echoed. */
function summary(target: ProbeTarget, reply: Reply): string {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(reply.body) as Record<string, unknown>;
  } catch {
    // not JSON: the status code says enough
  }
  const field = (k: string) => (typeof body[k] === 'string' || typeof body[k] === 'number' ? String(body[k]) : undefined);
  if (target === 'ready') {
    if (reply.status === 200) return 'ready';
    const why = field('reason') ?? field('code');
    return `not ready (HTTP ${reply.status}${why ? `, ${why}` : ''})`;
  }
  if (reply.status !== 200) return `HTTP ${reply.status}${field('code') ? ` (${field('code')})` : ''}`;
  const parts = [field('status') ?? 'unknown', `mode=${field('mode') ?? '?'}`, `revision=${field('revision') ?? 'none'}`];
  const lastError = body.lastError as { code?: unknown } | null | undefined;
  if (lastError && typeof lastError.code === 'string') parts.push(`lastError=${lastError.code}`);
  return parts.join(' ');
}

export function get(target: AgentTarget, path: string): Promise<Reply> {
  // Host must be on the agent's allowlist (127.0.0.1 / localhost), as any local client's.
  const host = 'socketPath' in target ? 'localhost' : `127.0.0.1:${target.port}`;
  return new Promise((resolve, reject) => {
    const req = request({ ...target, path, headers: { host, accept: 'application/json' }, timeout: PROBE_TIMEOUT_MS, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < MAX_BODY) body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}
