/**
 * Issue 10.3 through the real process: `clef-agent exec -- node -e …` gets the secrets as
 * environment variables (never argv), exit status and signals pass through, and a
 * rotation on a loopback HTTP source restarts or signals the child.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { packAge } from '../support/pack';
import { AGE_KEY_FILE, VECTORS_DIR } from '../support/vectors';
import { startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();
const TREE = {
  app: { DB_URL: 'postgres://exec-secret-value-1', 'not-a-name': 'hidden-value-xyz', API_KEY: 'exec-api-key-2' },
  shared: { LOG_LEVEL: 'debug' },
};

let dir: string;
let artifact: string;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'clef-peers-exec-'));
  artifact = path.join(dir, 'artifact.json');
  writeFileSync(artifact, await packAge(TREE, RECIPIENT));
});
afterEach(async () => {
  await stopAllAgents();
  rmSync(dir, { recursive: true, force: true });
});

/** A child that prints its argv and the variables it was given as one JSON line. */
const PRINT_ENV = `process.stdout.write(JSON.stringify({ argv: process.argv, env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !['PATH'].includes(k) && !k.startsWith('npm_'))) }) + '\\n')`;

function execAgent(script: string, env: Record<string, string> = {}, extraArgs: string[] = []): Promise<AgentProcess> {
  return startAgent({
    env: { CLEF_AGENT_SOURCE: artifact, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_TOKEN: undefined, CLEF_AGENT_LOG_LEVEL: undefined, ...env },
    args: ['exec', '--', process.execPath, '-e', script, ...extraArgs],
    waitListening: false,
  });
}

function printed(agent: AgentProcess): Array<{ argv: string[]; env: Record<string, string> }> {
  return agent.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

async function until(cond: () => boolean, agent: AgentProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out\nstdout: ${agent.stdout.slice(-2000)}\nstderr: ${agent.stderr.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

it('runs the command with <namespace>__<key> variables and exits with its status', async () => {
  const agent = await execAgent(`${PRINT_ENV}; process.exit(7)`, { CLEF_AGENT_LOG_LEVEL: 'warn' });
  expect(await agent.exited).toBe(7);
  const [{ argv, env }] = printed(agent);
  expect(env).toMatchObject({ app__DB_URL: 'postgres://exec-secret-value-1', app__API_KEY: 'exec-api-key-2', shared__LOG_LEVEL: 'debug' });
  // The agent's own configuration (age key file, token…) is not the child's business.
  expect(Object.keys(env).filter((k) => k.startsWith('CLEF_AGENT_'))).toEqual([]);
  // Values never travel on argv.
  expect(JSON.stringify(argv)).not.toMatch(/exec-secret-value|exec-api-key/);
  // An invalid variable name is skipped with a warning naming the key, never the value.
  expect(env['app__not-a-name']).toBeUndefined();
  const warning = agent.logLines().find((l) => l.event === 'exec.variable_skipped');
  expect(warning).toMatchObject({ code: 'exec_env_skipped', key: 'app__not-a-name', reason: 'invalid_name' });
  expect(agent.stderr).not.toContain('hidden-value-xyz');
});

it("does not hand the agent's OTLP exporter credentials to the child, but keeps other OTEL_* settings", async () => {
  const agent = await execAgent(PRINT_ENV, {
    OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=agent-telemetry-credential',
    OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-api-key=agent-logs-credential',
    OTEL_EXPORTER_OTLP_CLIENT_KEY: '/keys/agent-otlp.key',
    OTEL_SERVICE_NAME: 'billing',
  });
  expect(await agent.exited).toBe(0);
  const [{ env }] = printed(agent);
  expect(Object.keys(env).filter((k) => k.startsWith('OTEL_'))).toEqual(['OTEL_SERVICE_NAME']);
  expect(JSON.stringify(env)).not.toMatch(/agent-telemetry-credential|agent-logs-credential|agent-otlp\.key/);
});

it('applies CLEF_AGENT_EXEC_KEYS (only the mapped secrets, renamed) and exits 0', async () => {
  const agent = await execAgent(PRINT_ENV, { CLEF_AGENT_EXEC_KEYS: 'app__DB_URL=DATABASE_URL,shared__LOG_LEVEL=LOG_LEVEL' });
  expect(await agent.exited).toBe(0);
  const [{ env }] = printed(agent);
  expect(env.DATABASE_URL).toBe('postgres://exec-secret-value-1');
  expect(env.LOG_LEVEL).toBe('debug');
  expect(Object.keys(env).filter((k) => k.includes('__'))).toEqual([]);
});

it('applies CLEF_AGENT_EXEC_PREFIX', async () => {
  const agent = await execAgent(PRINT_ENV, { CLEF_AGENT_EXEC_PREFIX: 'SECRET_' });
  expect(await agent.exited).toBe(0);
  expect(printed(agent)[0].env.SECRET_app__DB_URL).toBe('postgres://exec-secret-value-1');
});

it('reports a child killed by a signal as 128+n, and a missing command as 127', async () => {
  const killed = await execAgent(`process.kill(process.pid, 'SIGKILL')`);
  expect(await killed.exited).toBe(128 + 9);
  const missing = await startAgent({
    env: { CLEF_AGENT_SOURCE: artifact, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE },
    args: ['exec', '--', path.join(dir, 'no-such-command')],
    waitListening: false,
  });
  expect(await missing.exited).toBe(127);
  expect(missing.stderr).toMatch(/cannot start .*no-such-command \(ENOENT\)/);
});

it('forwards SIGTERM and SIGHUP to the child and exits with its status', async () => {
  const script = `
    process.on('SIGHUP', () => process.stdout.write('hup\\n'));
    process.on('SIGTERM', () => { process.stdout.write('term\\n'); process.exit(42); });
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);`;
  const agent = await execAgent(script);
  await until(() => agent.stdout.includes('ready'), agent);
  agent.child.kill('SIGHUP');
  await until(() => agent.stdout.includes('hup'), agent);
  agent.child.kill('SIGTERM');
  expect(await agent.exited).toBe(42);
  expect(agent.stdout).toContain('term');
});

it('a child that does not handle a forwarded SIGTERM ends the agent with 143', async () => {
  const agent = await execAgent(`process.stdout.write('ready\\n'); setInterval(() => {}, 1000)`);
  await until(() => agent.stdout.includes('ready'), agent);
  agent.child.kill('SIGTERM');
  expect(await agent.exited).toBe(128 + 15);
});

it('does not start the command when the secrets cannot be loaded (exit 1)', async () => {
  const agent = await startAgent({
    env: { CLEF_AGENT_SOURCE: path.join(dir, 'missing.json'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE },
    args: ['exec', '--', process.execPath, '-e', `process.stdout.write('started')`],
    waitListening: false,
  });
  expect(await agent.exited).toBe(1);
  expect(agent.stdout).not.toContain('started');
  expect(agent.stderr).toMatch(/exec: secrets unavailable: source_not_found/);
});

it('needs a command: `clef-agent exec` alone is a usage error (exit 2)', async () => {
  const agent = await startAgent({ env: {}, args: ['exec', '--'], waitListening: false });
  expect(await agent.exited).toBe(2);
  expect(agent.stderr).toMatch(/exec needs a command/);
});

describe('on rotation (loopback HTTP source, polled in the background)', () => {
  let server: ArtifactServer;
  beforeEach(async () => {
    server = await ArtifactServer.start();
    server.publish(await packAge({ app: { PASSWORD: 'rotation-one' } }, RECIPIENT, { revision: '1800000000001-000000aa' }));
  });
  afterEach(() => server.close());

  const LONG_RUNNING = `
    process.stdout.write(JSON.stringify({ env: { app__PASSWORD: process.env.app__PASSWORD }, pid: process.pid }) + '\\n');
    process.on('SIGUSR2', () => process.stdout.write('{"rotated":true}\\n'));
    setInterval(() => {}, 1000);`;

  function rotatingAgent(onRotate: string): Promise<AgentProcess> {
    return startAgent({
      env: { CLEF_AGENT_SOURCE: server.url, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_POLL_INTERVAL: '0.2', CLEF_AGENT_EXEC_ON_ROTATE: onRotate },
      args: ['exec', '--', process.execPath, '-e', LONG_RUNNING],
      waitListening: false,
    });
  }

  it('restart: the command is restarted with the new values', async () => {
    const agent = await rotatingAgent('restart');
    await until(() => printed(agent).length === 1, agent);
    expect(printed(agent)[0].env.app__PASSWORD).toBe('rotation-one');
    server.publish(await packAge({ app: { PASSWORD: 'rotation-two' } }, RECIPIENT, { revision: '1800000000002-000000bb' }));
    await until(() => printed(agent).length === 2, agent);
    const [first, second] = printed(agent) as unknown as Array<{ env: Record<string, string>; pid: number }>;
    expect(second.env.app__PASSWORD).toBe('rotation-two');
    expect(second.pid).not.toBe(first.pid);
    expect(agent.logLines().find((l) => l.event === 'exec.rotated')).toMatchObject({ action: 'restart', revision: '1800000000002-000000bb' });
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(128 + 15);
  });

  it('signal:SIGUSR2: the running command is signalled, not restarted', async () => {
    const agent = await rotatingAgent('signal:SIGUSR2');
    await until(() => printed(agent).length === 1, agent);
    server.publish(await packAge({ app: { PASSWORD: 'rotation-two' } }, RECIPIENT, { revision: '1800000000002-000000bb' }));
    await until(() => agent.stdout.includes('"rotated":true'), agent);
    expect(printed(agent).filter((p) => p.env)).toHaveLength(1);
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(128 + 15);
  });
});
