/**
 * KMS envelope artifacts through the real `clef-agent` process and the real AWS SDK,
 * pointed at a loopback KMS by the standard AWS_ENDPOINT_URL_KMS variable.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FAKE_KEY_ARN, FakeKmsServer } from '../support/fakes/kms-server';
import { packEnvelope } from '../support/pack';
import { request } from 'node:http';
import { startAgent, stopAllAgents, type AgentProcess, type HttpReply } from '../support/agent-process';
import { awsProcessEnv } from '../support/cloud-kms-env';

const TREE = { db: { PASSWORD: 'kms-protected-password-123' }, api: { KEY: 'kms-api-key-456' } };
let kms: FakeKmsServer;
let dir: string;
let artifactPath: string;

beforeAll(async () => {
  kms = await FakeKmsServer.start();
  dir = mkdtempSync(path.join(tmpdir(), 'clef-kms-'));
  const dek = randomBytes(32);
  artifactPath = path.join(dir, 'artifact.json');
  writeFileSync(artifactPath, packEnvelope(TREE, { dek, wrappedKey: kms.wrapDek(dek), keyId: FAKE_KEY_ARN }));
});
afterAll(async () => {
  await stopAllAgents();
  await kms.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => kms.allow());

/**
 * Whether the agent has read everything sent on each of these connections: its side of
 * each (local port `port`, remote port one of `clientPorts`, Linux /proc/net/tcp) exists
 * and has an empty receive queue. Node parses and dispatches a request in the same turn
 * as it reads it, so a request read is a request that has reached the agent's handler.
 */
function agentHasRead(port: number, clientPorts: readonly number[]): boolean {
  const hex = (p: number) => p.toString(16).toUpperCase().padStart(4, '0');
  const rxByClient = new Map<string, number>();
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (!cols[1]?.endsWith(`:${hex(port)}`) || cols[3] !== '01') continue;
    rxByClient.set(cols[2].split(':')[1], parseInt(cols[4].split(':')[1], 16));
  }
  return clientPorts.every((p) => rxByClient.get(hex(p)) === 0);
}

/** An authenticated GET; `sent` resolves with the client's port once node has handed the whole request to the kernel. */
function trackedGet(agent: AgentProcess, urlPath: string): { sent: Promise<number>; reply: Promise<HttpReply> } {
  let sent!: (port: number) => void;
  const sentPromise = new Promise<number>((r) => (sent = r));
  const reply = new Promise<HttpReply>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: agent.port, path: urlPath, agent: false, headers: { host: `127.0.0.1:${agent.port}`, authorization: `Bearer ${agent.token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
      });
    });
    req.on('finish', () => sent(req.socket!.localPort!));
    req.on('error', reject);
    req.end();
  });
  return { sent: sentPromise, reply };
}

async function waitUntil(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

function awsEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    CLEF_AGENT_SOURCE: artifactPath,
    ...awsProcessEnv(kms.endpoint, dir),
    ...extra,
  };
}

it('serves an envelope artifact with no age key (cached mode), signed by SigV4 for the ARN region', async () => {
  const before = kms.calls.length;
  const agent = await startAgent({ env: awsEnv() });
  await agent.waitReady();
  expect((await agent.authGet('/v1/secrets')).json()).toEqual(TREE);
  const calls = kms.calls.slice(before);
  expect(calls).toHaveLength(1);
  expect(calls[0]).toMatchObject({ target: 'TrentService.Decrypt', region: 'us-east-1', signed: true });
  for (const value of ['kms-protected-password-123', 'kms-api-key-456']) expect(agent.output).not.toContain(value);
  await agent.stop();
});

describe('JIT mode (CLEF_AGENT_CACHE_TTL=0)', () => {
  let agent: AgentProcess;
  beforeAll(async () => {
    agent = await startAgent({ env: awsEnv({ CLEF_AGENT_CACHE_TTL: '0' }) });
    await agent.waitReady();
  });
  afterAll(() => agent.stop());

  it('coalesces concurrent reads: 40 requests during one held decrypt, one KMS call', async () => {
    const before = kms.calls.length;
    let release!: () => void;
    kms.slow(new Promise<void>((r) => (release = r)));
    const reads = Array.from({ length: 40 }, () => trackedGet(agent, '/v1/secrets'));
    await kms.untilCalls(before + 1);
    // Release KMS only once the agent has read every request, so all of them are there to
    // join the one held decrypt.
    const clientPorts = await Promise.all(reads.map((r) => r.sent));
    await waitUntil(() => agentHasRead(agent.port, clientPorts));
    release();
    const replies = await Promise.all(reads.map((r) => r.reply));
    for (const r of replies) expect(r.json()).toEqual(TREE);
    // Every request was at the agent before the one decrypt finished: they all shared it.
    expect(kms.calls.length - before).toBe(1);
  });

  it('a revoked IAM grant turns the next read into 503 with a code, and health shows it', async () => {
    expect((await agent.authGet('/v1/keys')).status).toBe(200);
    kms.deny();
    const r = await agent.authGet('/v1/secrets');
    expect(r.status).toBe(503);
    expect(r.json()).toMatchObject({ code: 'kms_access_denied' });
    const health = (await agent.get('/v1/health')).json<{ lastError: { code: string } }>();
    expect(health.lastError.code).toBe('kms_access_denied');
    kms.allow();
    expect((await agent.authGet('/v1/secrets')).status).toBe(200);
  });
});
