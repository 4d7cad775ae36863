/**
 * Issue 10.1 through the real process: the unix socket listener (mode, same API and
 * auth, Host rule), TCP off, stale-socket cleanup and refusals, removal at shutdown.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AGENT_MAIN, httpGet, startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';
import { socketGet, waitSocketHealth } from '../support/socket-http';
import { AGE_KEY_FILE, loadExpect, vectorPath } from '../support/vectors';

let dir: string;
let sock: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'clef-peers-sock-'));
  sock = path.join(dir, 'agent.sock');
});
afterEach(async () => {
  await stopAllAgents();
  rmSync(dir, { recursive: true, force: true });
});

const BASE = { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE };
const bearer = (a: AgentProcess) => ({ authorization: `Bearer ${a.token}` });

async function startOnSocket(env: Record<string, string>): Promise<AgentProcess> {
  const agent = await startAgent({ env: { ...BASE, CLEF_AGENT_SOCKET: sock, ...env }, waitListening: false });
  await waitSocketHealth(sock, 15_000, () => agent.stderr.slice(-2000));
  return agent;
}

/** A socket file left by a process killed without cleanup. */
async function leaveStaleSocket(socketPath: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.stdout.write('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

it('serves the API on a 0660 socket with TCP off, and removes the socket at shutdown', async () => {
  const agent = await startOnSocket({ CLEF_AGENT_TCP: 'false' });
  const st = lstatSync(sock);
  expect(st.isSocket()).toBe(true);
  expect(st.mode & 0o777).toBe(0o660);

  await waitFor(async () => (await socketGet(sock, '/v1/ready')).status === 200);
  const secrets = await socketGet(sock, '/v1/secrets', bearer(agent));
  expect(secrets.status).toBe(200);
  expect(secrets.json()).toEqual(loadExpect('a-age-basic').secrets);
  // Same auth and Host rules as TCP.
  expect((await socketGet(sock, '/v1/secrets')).status).toBe(401);
  expect((await socketGet(sock, '/v1/secrets', { ...bearer(agent), authorization: 'Bearer wrong-token-000000' })).status).toBe(401);
  const evil = await socketGet(sock, '/v1/health', { host: 'evil.example' });
  expect(evil.status).toBe(403);
  expect(evil.json()).toMatchObject({ code: 'forbidden_host' });
  // Nothing on TCP.
  await expect(httpGet(agent.port, '/v1/health')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  expect(agent.logLines().find((l) => l.event === 'agent.listening_socket')).toMatchObject({ path: sock, mode: '0660' });

  expect(await agent.stop('SIGTERM')).toBe(0);
  expect(existsSync(sock)).toBe(false);
});

it('honours CLEF_AGENT_SOCKET_MODE and serves TCP alongside when TCP stays on', async () => {
  const agent = await startOnSocket({ CLEF_AGENT_SOCKET_MODE: '0600' });
  expect(lstatSync(sock).mode & 0o777).toBe(0o600);
  expect((await socketGet(sock, '/v1/keys', bearer(agent))).status).toBe(200);
  expect((await agent.waitFor('/v1/health', (r) => r.status === 200)).status).toBe(200);
  // The Host allowlist of the TCP port applies to the socket too.
  expect((await socketGet(sock, '/v1/health', { host: `localhost:${agent.port}` })).status).toBe(200);
});

it('replaces a stale socket left by a killed process', async () => {
  await leaveStaleSocket(sock);
  expect(lstatSync(sock).isSocket()).toBe(true);
  const agent = await startOnSocket({ CLEF_AGENT_TCP: 'false' });
  expect((await socketGet(sock, '/v1/secrets', bearer(agent))).status).not.toBe(404);
});

it('refuses (exit 2) a path that is a regular file, and leaves the file alone', async () => {
  writeFileSync(sock, 'not a socket');
  const agent = await startAgent({ env: { ...BASE, CLEF_AGENT_SOCKET: sock, CLEF_AGENT_TCP: 'false' }, waitListening: false });
  expect(await agent.exited).toBe(2);
  expect(agent.stderr).toMatch(/configuration error: CLEF_AGENT_SOCKET is unusable \(socket_path_conflict\)/);
  expect(readFileSync(sock, 'utf8')).toBe('not a socket');
});

it('refuses (exit 2) a socket another agent is serving, which keeps serving', async () => {
  const first = await startOnSocket({ CLEF_AGENT_TCP: 'false' });
  const second = await startAgent({ env: { ...BASE, CLEF_AGENT_SOCKET: sock, CLEF_AGENT_TCP: 'false' }, waitListening: false });
  expect(await second.exited).toBe(2);
  expect(second.stderr).toMatch(/socket_in_use/);
  expect((await socketGet(sock, '/v1/secrets', bearer(first))).status).toBe(200);
});

it('refuses configurations where nothing would listen, or the path is unusable', async () => {
  for (const [env, message] of [
    [{ CLEF_AGENT_TCP: 'false' }, /CLEF_AGENT_TCP is false but CLEF_AGENT_SOCKET is not set/],
    [{ CLEF_AGENT_SOCKET: 'relative.sock' }, /CLEF_AGENT_SOCKET must be an absolute path/],
    [{ CLEF_AGENT_SOCKET: sock, CLEF_AGENT_SOCKET_MODE: 'rw-rw----' }, /CLEF_AGENT_SOCKET_MODE must be an octal mode/],
  ] as const) {
    const agent = await startAgent({ env: { ...BASE, ...env }, waitListening: false });
    expect(await agent.exited).toBe(2);
    expect(agent.stderr).toMatch(message);
  }
});

it('probes over the socket when TCP is off (clef-agent probe ready)', async () => {
  await startOnSocket({ CLEF_AGENT_TCP: 'false' });
  await waitFor(async () => (await socketGet(sock, '/v1/ready')).status === 200);
  const probe = spawnSync(process.execPath, [AGENT_MAIN, 'probe', 'ready'], { env: { PATH: process.env.PATH, CLEF_AGENT_SOCKET: sock }, encoding: 'utf8' });
  expect(probe.status).toBe(0);
  expect(probe.stdout).toMatch(/^ready: ready/);
});

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 25));
  }
}
