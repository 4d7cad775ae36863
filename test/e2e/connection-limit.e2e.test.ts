/**
 * The connection bound through the built agent (issue 15): with CLEF_AGENT_MAX_CONNECTIONS
 * connections held open on loopback, a secrets request is answered 503
 * `too_many_connections` at once, while /v1/health, /v1/ready and `clef-agent probe ready`
 * keep answering; the metrics listener has its own bound; everything recovers when the
 * connections close.
 */
import http from 'node:http';
import net from 'node:net';
import { AGE_KEY_FILE, vectorPath } from '../support/vectors';
import { freePort, runAgentToExit, sendRequest, startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

const MAX = 8;
let agent: AgentProcess;
let metricsPort: number;
const held: net.Socket[] = [];

/** A request on a new connection (no pooled keep-alive socket from earlier requests). */
const fresh = (port: number, urlPath: string, headers: Record<string, string> = {}) =>
  sendRequest({ host: '127.0.0.1', port, path: urlPath, agent: false, headers: { host: `127.0.0.1:${port}`, ...headers } });
const secrets = () => fresh(agent.port, '/v1/secrets', { authorization: `Bearer ${agent.token}` });

beforeAll(async () => {
  metricsPort = await freePort();
  agent = await startAgent({
    env: {
      CLEF_AGENT_SOURCE: vectorPath('a-age-basic'),
      CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE,
      CLEF_AGENT_MAX_CONNECTIONS: String(MAX),
      CLEF_AGENT_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    },
  });
  await agent.waitReady();
  // Close the keep-alive sockets of those polls: the held connections below must be the only ones.
  http.globalAgent.destroy();
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await stopAllAgents();
});

/** Opens a connection and completes one keep-alive request on it, so the agent holds it. */
function holdOpen(port: number, urlPath: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET ${urlPath} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`));
    socket.once('data', (chunk: Buffer) => (chunk.toString().startsWith('HTTP/1.1 200') ? resolve(socket) : reject(new Error(chunk.toString()))));
    socket.once('error', reject);
    held.push(socket);
  });
}

const dropHeld = async () => {
  await Promise.all(
    held.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.destroyed) return resolve();
          s.once('close', () => resolve());
          s.destroy();
        }),
    ),
  );
};

/** Polls until a request answers `status` (the agent sees closes a moment after the client). */
async function eventually(get: () => Promise<{ status: number }>, status: number) {
  for (let i = 0; i < 200; i++) {
    if ((await get()).status === status) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never answered ${status}`);
}

it('API: beyond the bound secrets get 503 too_many_connections at once; probes keep answering', async () => {
  for (let i = 0; i < MAX; i++) await holdOpen(agent.port, '/v1/health');

  const rejected = await secrets();
  expect(rejected.status).toBe(503);
  expect(rejected.json()).toMatchObject({ code: 'too_many_connections' });
  expect(rejected.headers['retry-after']).toBe('1');

  expect((await fresh(agent.port, '/v1/health')).status).toBe(200);
  expect((await fresh(agent.port, '/v1/ready')).status).toBe(200);
  const probe = await runAgentToExit({ CLEF_AGENT_PORT: String(agent.port) }, ['probe', 'ready']);
  expect([probe.code, probe.stdout.trim()]).toEqual([0, 'ready: ready']);
  const status = await runAgentToExit({ CLEF_AGENT_PORT: String(agent.port) }, ['status']);
  expect(status.code).toBe(0);

  await dropHeld();
  await eventually(secrets, 200);
});

it('metrics listener: its own bound, 503 beyond it, scrapes again once connections close', async () => {
  for (let i = 0; i < MAX; i++) await holdOpen(metricsPort, '/metrics');
  const scrape = await fresh(metricsPort, '/metrics');
  expect(scrape.status).toBe(503);
  expect(scrape.json()).toMatchObject({ code: 'too_many_connections' });
  // The API listener is not affected by the metrics listener's pressure.
  expect((await secrets()).status).toBe(200);
  await dropHeld();
  await eventually(() => fresh(metricsPort, '/metrics'), 200);
});
