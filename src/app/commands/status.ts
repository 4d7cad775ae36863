import { get, localAgent, type Reply } from './probe';

/** The fields of /v1/health that `status` shows; none can carry a secret (AGENT.md §9). */
interface Health {
  status?: string;
  mode?: string;
  ready?: boolean;
  reason?: string | null;
  revision?: string | null;
  servedFrom?: string | null;
  packedAt?: string | null;
  expiresAt?: string | null;
  lastRefreshAt?: number | null;
  revokedAt?: string | null;
  lastError?: { code?: string; at?: number | string; message?: string } | null;
  source?: { type?: string; description?: string };
}

/**
 * `clef-agent status [--json]`: the local agent's /v1/health (TCP or unix socket, no token)
 * as a short summary for a person, or as JSON for scripts. Exit 0 when the agent is ready,
 * 1 otherwise (including unreachable), 2 on a bad CLEF_AGENT_PORT.
 */
export async function status(env: NodeJS.ProcessEnv, json: boolean, now: () => number = Date.now): Promise<number> {
  const agent = localAgent(env);
  if (agent === null) return 2;
  let reply: Reply;
  let health: Health;
  try {
    reply = await get(agent.target, '/v1/health');
    health = JSON.parse(reply.body) as Health;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'bad_response';
    if (json) process.stdout.write(`${JSON.stringify({ reachable: false, address: agent.where, error: code })}\n`);
    else process.stdout.write(`clef-agent on ${agent.where}: unreachable (${code})\n`);
    return 1;
  }
  const ready = reply.status === 200 && health.ready === true;
  if (json) process.stdout.write(`${JSON.stringify({ reachable: true, address: agent.where, ...health })}\n`);
  else process.stdout.write(`${summary(agent.where, health, now())}\n`);
  return ready ? 0 : 1;
}

function summary(where: string, h: Health, now: number): string {
  const state = h.ready ? (h.status === 'degraded' ? 'ready, degraded (last refresh failed)' : 'ready') : `not ready${h.reason ? ` (${h.reason})` : ''}`;
  const rows: Array<[string, string]> = [
    ['state', state],
    ['mode', h.mode ?? '?'],
    ['revision', h.revision ?? 'none'],
    ['served from', h.servedFrom ?? '—'],
    ['source', h.source?.description ?? '—'],
  ];
  if (h.packedAt) rows.push(['age', `${duration(now - Date.parse(h.packedAt))} (packed ${h.packedAt})`]);
  if (h.expiresAt) {
    const left = Date.parse(h.expiresAt) - now;
    rows.push(left >= 0 ? ['expires in', `${duration(left)} (${h.expiresAt})`] : ['expired', `${duration(-left)} ago (${h.expiresAt})`]);
  }
  if (typeof h.lastRefreshAt === 'number') rows.push(['last refresh', `${duration(now - h.lastRefreshAt)} ago`]);
  if (h.revokedAt) rows.push(['revoked at', h.revokedAt]);
  if (h.lastError) rows.push(['last error', lastError(h.lastError, now)]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`clef-agent on ${where}`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}

function lastError(e: NonNullable<Health['lastError']>, now: number): string {
  const at = typeof e.at === 'number' ? e.at : typeof e.at === 'string' ? Date.parse(e.at) : NaN;
  const when = Number.isFinite(at) ? `, ${duration(now - at)} ago` : '';
  return `${e.code ?? 'unknown'}${when}${e.message ? `: ${e.message}` : ''}`;
}

/** 3d 4h, 2h 5m, 4m 10s, 12s; negative durations (in the past) say so. */
function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms < 0) return `${duration(-ms)} ago`;
  const s = Math.floor(ms / 1000);
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}
