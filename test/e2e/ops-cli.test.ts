/**
 * Operators' command line (issue 19): `--help` documents every CLEF_AGENT_* variable the
 * configuration reads (scanned from src/, so a new variable without help fails here), fast
 * and without loading zod; `help <topic>`; `clef-agent status` against ready, degraded
 * (serving from the disk cache during an outage), not-ready and unreachable agents.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { packAge } from '../support/pack';
import { hasCachedEntry } from '../support/cache-dir';
import { AGE_KEY_FILE, VECTORS_DIR, vectorPath, allVectorSecretValues } from '../support/vectors';
import { AGENT_MAIN, freePort, runAgentToExit, startAgent, stopAllAgents } from '../support/agent-process';

const SRC = path.resolve(__dirname, '../../src');
const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** Every complete CLEF_AGENT_* name in src/ (prefixes such as `CLEF_AGENT_VCS_${v}` end in `_`). */
function variablesInSource(): string[] {
  const names = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bCLEF_AGENT_[A-Z0-9_]*[A-Z0-9]\b/g)) names.add(m[0]);
  }
  return [...names].sort();
}

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'clef-ops-cli-'))));
afterAll(async () => {
  await stopAllAgents();
  rmSync(dir, { recursive: true, force: true });
});

describe('--help', () => {
  it('lists every CLEF_AGENT_* variable the source reads, each with a default and a line of help', async () => {
    const r = await runAgentToExit({}, ['--help']);
    expect(r.code).toBe(0);
    const vars = variablesInSource();
    expect(vars.length).toBeGreaterThan(35);
    for (const name of vars) {
      const at = r.stdout.indexOf(`  ${name} `);
      expect([name, at >= 0]).toEqual([name, true]);
      // `NAME  [default]` then the help line below it.
      const [head, help] = r.stdout.slice(at).split('\n');
      expect(head).toMatch(new RegExp(`^  ${name} +\\[[^\\]]+\\]$`));
      expect(help.trim().length).toBeGreaterThan(10);
    }
    for (const title of ['Source (where', 'Listeners and authentication', 'Logs and telemetry']) expect(r.stdout).toContain(title);
  });

  it('loads neither zod nor any adapter to print it', () => {
    const script = `require(${JSON.stringify(path.join(path.dirname(AGENT_MAIN), 'help-text.js'))}).variablesHelp();
      const loaded = Object.keys(require.cache).filter((f) => /node_modules|adapters/.test(f));
      process.stdout.write(JSON.stringify(loaded));`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('help <topic> prints the longer text with its variables; an unknown topic is a usage error', async () => {
    const metrics = await runAgentToExit({}, ['help', 'metrics']);
    expect(metrics.code).toBe(0);
    expect(metrics.stdout).toContain('clef_agent_refreshes_total');
    expect(metrics.stdout).toContain('CLEF_AGENT_METRICS_ADDRESS');
    const conn = await runAgentToExit({}, ['help', 'connections']);
    expect(conn.stdout).toContain('CLEF_AGENT_MAX_CONNECTIONS');
    const bad = await runAgentToExit({}, ['help', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown help topic: nope');
  });
});

describe('status', () => {
  it('ready: exit 0, a summary of state, revision, origin and age; --json for scripts; over the unix socket too', async () => {
    const socket = path.join(dir, 'agent.sock');
    const env = { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_SOCKET: socket };
    const agent = await startAgent({ env });
    await agent.waitReady();
    const revision = (await agent.get('/v1/health')).json<{ revision: string }>().revision;

    const text = await runAgentToExit({ CLEF_AGENT_PORT: String(agent.port), CLEF_AGENT_SOCKET: undefined }, ['status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/state +ready\n/);
    expect(text.stdout).toContain(revision);
    expect(text.stdout).toMatch(/served from +source/);
    expect(text.stdout).toMatch(/age +\S+/);
    expect(text.stdout).not.toContain('last error');

    const json = await runAgentToExit({ CLEF_AGENT_SOCKET: socket, CLEF_AGENT_PORT: '1' }, ['status', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ reachable: true, address: socket, ready: true, status: 'ok', servedFrom: 'source' });
    for (const v of allVectorSecretValues()) expect(text.stdout + json.stdout).not.toContain(v);
    await agent.stop();
  });

  it('degraded: serving from the disk cache during an outage is ready (exit 0) and shows the last error with its code', async () => {
    const server = await ArtifactServer.start();
    const cacheDir = path.join(dir, 'cache');
    try {
      server.publish(await packAge({ app: { K: 'status-secret-1' } }, RECIPIENT, { revision: '1800000000001-00000001' }));
      const env = { CLEF_AGENT_SOURCE: server.url, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_CACHE_PATH: cacheDir, CLEF_AGENT_POLL_INTERVAL: '0.2' };
      const first = await startAgent({ env });
      await first.waitReady();
      // The cache entry is written after the swap: wait for it before stopping.
      await first.waitFor('/v1/health', () => hasCachedEntry(cacheDir));
      await first.stop();
      server.http.fault = { kind: 'status', status: 503 };
      const agent = await startAgent({ env });
      await agent.waitFor('/v1/health', (r) => r.json<{ servedFrom: string; lastError: unknown }>().servedFrom === 'cache' && r.json<{ lastError: unknown }>().lastError !== null);

      const text = await runAgentToExit({ CLEF_AGENT_PORT: String(agent.port) }, ['status']);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/state +ready, degraded/);
      expect(text.stdout).toMatch(/served from +cache/);
      expect(text.stdout).toMatch(/last error +source_unavailable, \d+s ago/);
      const json = await runAgentToExit({ CLEF_AGENT_PORT: String(agent.port) }, ['status', '--json']);
      expect(JSON.parse(json.stdout)).toMatchObject({ ready: true, status: 'degraded', servedFrom: 'cache', lastError: { code: 'source_unavailable' } });
      expect(text.stdout + json.stdout).not.toContain('status-secret-1');
      await agent.stop();
    } finally {
      await server.close();
    }
  });

  it('not ready: exit 1 with the reason and the last error code', async () => {
    const agent = await startAgent({ env: { CLEF_AGENT_SOURCE: path.join(dir, 'missing.age.json'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE } });
    await agent.waitFor('/v1/health', (r) => r.json<{ lastError: unknown }>().lastError !== null);
    const text = await runAgentToExit({ CLEF_AGENT_PORT: String(agent.port) }, ['status']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/state +not ready/);
    expect(text.stdout).toMatch(/revision +none/);
    expect(text.stdout).toMatch(/last error +source_not_found/);
    const json = await runAgentToExit({ CLEF_AGENT_PORT: String(agent.port) }, ['status', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ reachable: true, ready: false, lastError: { code: 'source_not_found' } });
    await agent.stop();
  });

  it('unreachable: exit 1; a bad port is a configuration error (exit 2)', async () => {
    const port = await freePort();
    const down = await runAgentToExit({ CLEF_AGENT_PORT: String(port) }, ['status', '--json']);
    expect(down.code).toBe(1);
    expect(JSON.parse(down.stdout)).toMatchObject({ reachable: false, error: 'ECONNREFUSED' });
    const bad = await runAgentToExit({ CLEF_AGENT_PORT: 'x' }, ['status']);
    expect(bad.code).toBe(2);
    const extra = await runAgentToExit({}, ['status', '--yaml']);
    expect(extra.code).toBe(2);
  });
});
