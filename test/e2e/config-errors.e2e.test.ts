/** Configuration errors: one clear line naming the variable, no stack trace, exit code 2,
 * and never the value of a secret variable. */
import { mkdtempSync, rmSync, writeFileSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AGE_KEY_FILE, vectorPath } from '../support/vectors';
import { runAgentToExit, startAgent, stopAllAgents } from '../support/agent-process';

const SRC = vectorPath('a-age-basic');
let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'clef-config-'))));
afterAll(async () => {
  await stopAllAgents();
  rmSync(dir, { recursive: true, force: true });
});

const cases: Array<[string, Record<string, string | undefined>, string]> = [
  ['port with junk', { CLEF_AGENT_PORT: '7779abc' }, 'CLEF_AGENT_PORT'],
  ['port out of range', { CLEF_AGENT_PORT: '70000' }, 'CLEF_AGENT_PORT'],
  ['empty port', { CLEF_AGENT_PORT: '' }, 'CLEF_AGENT_PORT'],
  ['TTL between 1 and 29', { CLEF_AGENT_CACHE_TTL: '10' }, 'CLEF_AGENT_CACHE_TTL'],
  ['negative TTL', { CLEF_AGENT_CACHE_TTL: '-1' }, 'CLEF_AGENT_CACHE_TTL'],
  ['no source', { CLEF_AGENT_SOURCE: undefined }, 'CLEF_AGENT_SOURCE'],
  ['VCS and SOURCE both set', { CLEF_AGENT_VCS_PROVIDER: 'github', CLEF_AGENT_VCS_REPO: 'o/r', CLEF_AGENT_VCS_TOKEN: 't', CLEF_AGENT_VCS_IDENTITY: 'i', CLEF_AGENT_VCS_ENVIRONMENT: 'e' }, 'CLEF_AGENT_SOURCE'],
  ['partial VCS', { CLEF_AGENT_SOURCE: undefined, CLEF_AGENT_VCS_PROVIDER: 'github' }, 'CLEF_AGENT_VCS_REPO'],
  ['unknown VCS provider', { CLEF_AGENT_SOURCE: undefined, CLEF_AGENT_VCS_PROVIDER: 'svn' }, 'CLEF_AGENT_VCS_PROVIDER'],
  ['unsupported scheme', { CLEF_AGENT_SOURCE: 'gs://bucket/key' }, 'CLEF_AGENT_SOURCE'],
  ['s3:// without a region', { CLEF_AGENT_SOURCE: 's3://bucket/key', AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined }, 'AWS_REGION'],
  ['s3:// with an invalid bucket name', { CLEF_AGENT_SOURCE: 's3://Bad_Bucket/key', AWS_REGION: 'eu-west-1' }, 'CLEF_AGENT_SOURCE'],
  ['plain-http S3 endpoint to a remote host', { CLEF_AGENT_SOURCE: 's3://bucket/key', AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_S3: 'http://minio.example:9000' }, 'AWS_ENDPOINT_URL_S3'],
  ['empty token', { CLEF_AGENT_TOKEN: '' }, 'CLEF_AGENT_TOKEN'],
  ['no token and no token file', { CLEF_AGENT_TOKEN: undefined }, 'CLEF_AGENT_TOKEN'],
  ['missing age key file', { CLEF_AGENT_AGE_KEY_FILE: '/nonexistent/age.key' }, 'CLEF_AGENT_AGE_KEY_FILE'],
  ['malformed inline age key', { CLEF_AGENT_AGE_KEY: 'AGE-SECRET-KEY-1NOTAKEY' }, 'CLEF_AGENT_AGE_KEY'],
  ['malformed verify key', { CLEF_AGENT_VERIFY_KEY: 'bm90IGEga2V5' }, 'CLEF_AGENT_VERIFY_KEY'],
  ['bad log level', { CLEF_AGENT_LOG_LEVEL: 'loud' }, 'CLEF_AGENT_LOG_LEVEL'],
];

it.each(cases)('%s → exit 2 naming %s', async (_name, overrides, variable) => {
  const r = await runAgentToExit({ CLEF_AGENT_SOURCE: SRC, ...overrides });
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^clef-agent: configuration error: ${variable} `));
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
});

it('never echoes the value of a secret variable', async () => {
  const r = await runAgentToExit({ CLEF_AGENT_SOURCE: SRC, CLEF_AGENT_AGE_KEY: 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQ', CLEF_AGENT_TOKEN: 'has space token' });
  expect(r.code).toBe(2);
  expect(r.stderr).not.toContain('QQQQQQQQ');
});

it('empty, unreadable and key-less age key files are configuration errors', async () => {
  const empty = path.join(dir, 'empty.key');
  writeFileSync(empty, '\n');
  const comments = path.join(dir, 'comments.key');
  writeFileSync(comments, '# only a comment\n');
  for (const file of [empty, comments]) {
    const r = await runAgentToExit({ CLEF_AGENT_SOURCE: SRC, CLEF_AGENT_AGE_KEY_FILE: file });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CLEF_AGENT_AGE_KEY_FILE');
  }
});

it('a key file with several identities and comments works (rotation)', async () => {
  const file = path.join(dir, 'multi.key');
  writeFileSync(file, `# old key\nAGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX\n\n${readFileSync(AGE_KEY_FILE, 'utf8')}`);
  const agent = await startAgent({ env: { CLEF_AGENT_SOURCE: SRC, CLEF_AGENT_AGE_KEY_FILE: file } });
  await agent.waitReady();
  await agent.stop();
});

it('generates a token into CLEF_AGENT_TOKEN_FILE (0600), says where, never prints it, and reuses it', async () => {
  const tokenFile = path.join(dir, 'token');
  const agent = await startAgent({ env: { CLEF_AGENT_SOURCE: SRC, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_TOKEN: undefined, CLEF_AGENT_TOKEN_FILE: tokenFile } });
  await agent.waitReady();
  const token = readFileSync(tokenFile, 'utf8').trim();
  expect(token).toMatch(/^[0-9a-f]{64}$/);
  expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
  expect(agent.output).toContain(tokenFile);
  expect(agent.output).not.toContain(token);
  const { httpGet } = await import('../support/agent-process');
  expect((await httpGet(agent.port, '/v1/keys', { authorization: `Bearer ${token}` })).status).toBe(200);
  await agent.stop();
  const again = await startAgent({ env: { CLEF_AGENT_SOURCE: SRC, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_TOKEN: undefined, CLEF_AGENT_TOKEN_FILE: tokenFile } });
  await again.waitReady();
  expect((await httpGet(again.port, '/v1/keys', { authorization: `Bearer ${token}` })).status).toBe(200);
  await again.stop();
});

it('--help and --version exit 0; an unknown flag is a usage error', async () => {
  expect((await runAgentToExit({}, ['--help'])).stdout).toContain('Usage: clef-agent');
  expect((await runAgentToExit({}, ['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  const bad = await runAgentToExit({}, ['--frobnicate']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('unknown option: --frobnicate');
});
