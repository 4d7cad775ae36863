/** Scenario 7: cost of polling a source that answers 304 Not Modified. */
import { readFileSync } from 'node:fs';
import { ArtifactServer } from '../../test/support/fakes/artifact-server';
import { startAgent } from '../lib/agents';
import { SMALL_ARTIFACT } from '../lib/config';
import type { Ctx } from '../lib/context';
import { cpuMs, sleep, type Managed } from '../lib/proc';
import { fmt, table } from '../lib/report';

export async function scenario7(ctx: Ctx, idleReference?: Managed): Promise<void> {
  const server = await ArtifactServer.start();
  server.publish(readFileSync(SMALL_ARTIFACT, 'utf8'));
  const interval = ctx.cfg.pollIntervalSeconds;
  const agent = await startAgent({ name: 'agent-poll', source: server.url, env: { CLEF_AGENT_POLL_INTERVAL: String(interval) } });
  try {
    await sleep(1_000); // past the first load and its JIT warm-up
    const n0 = server.log.length;
    const c0 = cpuMs(agent.pid);
    const r0 = idleReference ? cpuMs(idleReference.pid) : 0;
    const t0 = Date.now();
    await sleep(ctx.cfg.pollWindowSeconds * 1000);
    const seconds = (Date.now() - t0) / 1000;
    const window = server.log.slice(n0);
    const cpu = cpuMs(agent.pid) - c0;
    const refCpu = idleReference ? cpuMs(idleReference.pid) - r0 : NaN;
    const byStatus = new Map<string, number>();
    for (const e of window) byStatus.set(String(e.status ?? e.outcome ?? '?'), (byStatus.get(String(e.status ?? e.outcome ?? '?')) ?? 0) + 1);
    const polls = window.length;
    const conditional = window.filter((e) => e.headers['if-none-match'] !== undefined || e.headers['if-modified-since'] !== undefined).length;
    const statuses = [...byStatus].map(([s, n]) => `${n}× ${s}`).join(', ');
    const lines = ctx.report.section('7. Unchanged-source poll cost (HTTP source answering 304)');
    lines.push(
      `Agent polling the loopback artifact server (test/support/fakes/artifact-server.ts, strong ETag) every ${interval} s`,
      `(CLEF_AGENT_POLL_INTERVAL), observed for ${seconds.toFixed(1)} s after the first load. Requests counted on the fake; CPU is`,
      'utime+stime from /proc/<pid>/stat over the window (10 ms tick resolution).',
      '',
      ...table(
        ['Polls', 'Polls/s', 'Statuses', 'Conditional', 'Agent CPU ms', 'CPU ms per poll', 'CPU % of a core', 'Idle agent CPU ms (file source, 5 s interval)'],
        [[polls, fmt(polls / seconds, 1), statuses, `${conditional}/${polls}`, fmt(cpu), fmt(polls ? cpu / polls : NaN, 2), fmt((cpu / (seconds * 1000)) * 100, 2), fmt(refCpu)]],
      ),
    );
    ctx.log(`poll: ${polls} polls in ${seconds.toFixed(1)} s (${statuses}), CPU ${fmt(cpu)} ms → ${fmt(polls ? cpu / polls : NaN, 2)} ms/poll`);
  } finally {
    await agent.stop();
    await server.close();
  }
}
