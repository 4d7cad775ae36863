/** Scenario 6: JIT mode (CLEF_AGENT_CACHE_TTL=0): age req/s, and KMS envelope calls with coalescing. */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { packEnvelope } from '../../test/support/pack';
import { tree } from '../gen-10k';
import { AUTH, startAgent } from '../lib/agents';
import { OUT_DIR, SMALL_ARTIFACT } from '../lib/config';
import type { Ctx } from '../lib/context';
import { runLoad, summarise, type LoadResult, type Summary } from '../lib/load';
import type { Managed } from '../lib/proc';
import { fmt, ms, pct, table } from '../lib/report';

interface KmsInfo {
  endpoint: string;
  dek: string;
  wrappedKey: string;
  keyId: string;
}

async function rounds(ctx: Ctx, agent: Managed, between?: () => Promise<void>): Promise<LoadResult[]> {
  await runLoad({ port: agent.port, path: '/v1/secrets', connections: 50, seconds: ctx.cfg.warmupSeconds, headers: AUTH });
  const out: LoadResult[] = [];
  for (let i = 0; i < ctx.cfg.rounds; i++) {
    await between?.();
    out.push(await runLoad({ port: agent.port, path: '/v1/secrets', connections: 50, seconds: ctx.cfg.seconds, headers: AUTH, serverPid: agent.pid }));
  }
  await between?.();
  return out;
}

export async function scenario6(ctx: Ctx, cachedSmall50: Summary | undefined): Promise<void> {
  const lines = ctx.report.section('6. JIT mode (CLEF_AGENT_CACHE_TTL=0) at 50 connections');
  const rows: Array<Array<string | number>> = [];

  // age: every read decrypts the held ciphertext; concurrent reads share one decrypt.
  const age = await startAgent({ name: 'agent-jit-age', source: SMALL_ARTIFACT, jit: true });
  let ageSummary: Summary;
  try {
    ageSummary = summarise(await rounds(ctx, age));
  } finally {
    await age.stop();
  }
  rows.push(['age, small (20 keys)', fmt(ageSummary.rps), ms(ageSummary.p50), ms(ageSummary.p99), fmt(ageSummary.cpuUsPerReq), '—', '—']);
  ctx.log(`JIT age: ${fmt(ageSummary.rps)} req/s, p99 ${ms(ageSummary.p99)} ms`);

  // KMS envelope: every decrypt is one KMS Decrypt call to the loopback fake (own process).
  const fake = fork(path.join(OUT_DIR, 'kms-fake.js'), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  try {
    const info = await new Promise<KmsInfo>((resolve, reject) => {
      fake.once('message', (m) => resolve(m as KmsInfo));
      fake.once('exit', (code) => reject(new Error(`kms fake exited ${code}`)));
    });
    const calls = () =>
      new Promise<number>((resolve) => {
        fake.once('message', (m) => resolve((m as { calls: number }).calls));
        fake.send('calls');
      });
    const file = path.join(OUT_DIR, 'envelope-small.json');
    writeFileSync(
      file,
      packEnvelope(tree(20), { dek: Buffer.from(info.dek, 'base64'), wrappedKey: Buffer.from(info.wrappedKey, 'base64'), keyId: info.keyId }, { identity: 'bench-svc', environment: 'production' }),
    );
    const kmsAgent = await startAgent({
      name: 'agent-jit-kms',
      source: file,
      jit: true,
      noAgeKey: true,
      env: {
        AWS_ENDPOINT_URL_KMS: info.endpoint,
        AWS_ACCESS_KEY_ID: 'AKIDBENCHLOOPBACK',
        AWS_SECRET_ACCESS_KEY: 'bench-loopback-secret',
        AWS_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    try {
      const counts: number[] = [];
      const results = await rounds(ctx, kmsAgent, async () => void counts.push(await calls()));
      // counts[i] is taken before round i, counts[i + 1] after it.
      const perRound = results.map((r, i) => ({ r, kms: counts[i + 1] - counts[i] }));
      const s = summarise(results);
      const kmsPerSec = perRound.map(({ r, kms }) => kms / (r.requests / r.rps));
      const reqPerCall = perRound.map(({ r, kms }) => r.requests / Math.max(1, kms));
      const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
      rows.push(['KMS envelope, 20 keys', fmt(s.rps), ms(s.p50), ms(s.p99), fmt(s.cpuUsPerReq), fmt(med(kmsPerSec)), fmt(med(reqPerCall), 1)]);
      ctx.log(`JIT KMS: ${fmt(s.rps)} req/s, ${fmt(med(kmsPerSec))} KMS calls/s, ${fmt(med(reqPerCall), 1)} requests per call`);
    } finally {
      await kmsAgent.stop();
    }
  } finally {
    fake.kill('SIGTERM');
  }

  lines.push(
    `Median of ${ctx.cfg.rounds} × ${ctx.cfg.seconds} s after a warm-up, GET /v1/secrets. In JIT mode only ciphertext is held; each read decrypts,`,
    'and reads arriving while a decrypt is in flight share it (coalescing). The KMS fake is test/support/fakes/kms-server.ts',
    'in its own process, reached through the real AWS SDK (AWS_ENDPOINT_URL_KMS, SigV4).',
    '',
    ...table(['Artifact', 'req/s', 'p50 ms', 'p99 ms', 'Agent CPU µs/req', 'KMS calls/s', 'Requests per KMS call'], rows),
  );
  if (cachedSmall50) lines.push('', `For comparison, cached mode (scenario 1, small, 50 connections): ${fmt(cachedSmall50.rps)} req/s; JIT age is ${pct(ageSummary.rps / cachedSmall50.rps)} of it.`);
}
