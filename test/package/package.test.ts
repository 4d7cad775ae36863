/**
 * clef-agent as a library, proven from the outside: the package is packed (prepack and
 * all), installed from the tarball into temporary projects, and used only through its
 * public entry points (clef-agent, clef-agent/ports, clef-agent/testing): CommonJS and ESM,
 * the TypeScript declarations, createAgent serving a vector, every contract suite passing
 * for the reference adapters under node:test and jest and failing for broken ones, and the
 * examples/source-gcs package's own tests.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../support/agent-process';
import { AGE_KEY_FILE, loadExpect, vectorPath } from '../support/vectors';
import { exec, installWithTarball, packInCopy, ROOT, type Packed } from './support/packed';

const NODE = process.execPath;
let work: string;
let packed: Packed;
let consumer: string;
let example: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'clef-package-'));
  packed = await packInCopy(work);
  consumer = path.join(work, 'consumer');
  cpSync(path.join(__dirname, 'consumer'), consumer, { recursive: true });
  example = path.join(work, 'source-gcs');
  cpSync(path.join(ROOT, 'examples/source-gcs'), example, { recursive: true, filter: (src) => !src.includes('node_modules') });
  await Promise.all([installWithTarball(consumer, packed.tarball), installWithTarball(example, packed.tarball)]);
}, 480_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const inConsumer = (args: string[], env: NodeJS.ProcessEnv = {}) => exec(NODE, args, { cwd: consumer, env: { ...process.env, ...env } });

test('the tarball holds the build output, types and docs, and nothing of the sources or tests', () => {
  const { files } = packed;
  expect(files).toEqual(
    expect.arrayContaining([
      'package.json', 'README.md', 'ARCHITECTURE.md', 'SECURITY.md', 'docs/EXTENDING.md',
      'dist/index.js', 'dist/index.d.ts', 'dist/ports.js', 'dist/ports.d.ts', 'dist/testing/index.js', 'dist/testing/index.d.ts',
      'dist/testing/fixtures/reference.json', 'dist/app/main.js', 'dist/bundle/clef-agent', 'dist/bundle/clef-agent-lib/main.js',
    ]),
  );
  expect(files.filter((f) => /^(src|test|bench|examples|scripts|etc|deploy)\//.test(f) || f.startsWith('docs/') && f !== 'docs/EXTENDING.md')).toEqual([]);
  expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
});

test('require() reaches the three entry points, sharing one AgentError', async () => {
  const r = await inConsumer(['cjs.cjs']);
  expect(r.stderr).toBe('');
  const out = JSON.parse(r.stdout);
  expect(out.main).toEqual(expect.arrayContaining(['createAgent', 'loadConfigFromEnv', 'ConfigError', 'AgentError', 'ErrorCodes', 'isAgentError']));
  expect(out.ports).toEqual(expect.arrayContaining(['ArtifactSource', 'Decryptor', 'SignatureVerifier', 'ArtifactCache', 'FleetLease', 'Telemetry', 'Clock', 'Hasher', 'SecretsSink', 'AgentError']));
  expect(out.testing).toEqual(expect.arrayContaining(['testArtifactSource', 'testDecryptor', 'testSignatureVerifier', 'testArtifactCache', 'testFleetLease', 'testTelemetry', 'testClock', 'testHasher', 'testSecretsSink', 'MemorySource', 'MemorySecretsSink']));
  expect(out).toMatchObject({ sameAgentError: true, failureCode: 'source_not_found', sourceSymbol: 'Symbol(clef-agent.ArtifactSource)' });
  // Deep imports are not part of the API: `exports` closes them.
  const deep = await inConsumer(['-e', "require('clef-agent/dist/app/container.js')"]);
  expect(deep.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
});

test('import gives ESM consumers the same named exports, and the same one-line ConfigError', async () => {
  const [cjs, esm] = await Promise.all([inConsumer(['cjs.cjs']), inConsumer(['esm.mjs'])]);
  const c = JSON.parse(cjs.stdout);
  const e = JSON.parse(esm.stdout);
  expect({ main: e.main, ports: e.ports, testing: e.testing }).toEqual({ main: c.main, ports: c.ports, testing: c.testing });
  expect(e.configError).toEqual({ variable: 'CLEF_AGENT_PORT', message: 'CLEF_AGENT_PORT must be an integer from 1 to 65535 (digits only) (got "nope")' });
});

test('the declarations type-check an adapter, a node:test runner and createAgent (TypeScript, node16 ESM)', async () => {
  writeFileSync(
    path.join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')] },
      files: ['types.mts'],
    }),
  );
  const r = await exec(NODE, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: consumer });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.code).toBe(0);
}, 120_000);

test('createAgent serves a reference vector through an overridden source', async () => {
  const r = await inConsumer(['serve.mjs', vectorPath('a-age-basic'), AGE_KEY_FILE, String(await freePort())]);
  expect(r.stderr).toBe('');
  const out = JSON.parse(r.stdout);
  expect(out).toMatchObject({ status: 200, health: { status: 'ok', source: { type: 'memory', description: 'memory:consumer' } }, fetches: 1 });
  expect(out.body).toEqual(loadExpect('a-age-basic').secrets);
  expect(out.events).toEqual(expect.arrayContaining(['agent.started', 'artifact.refreshed', 'agent.stopped']));
});

test('the bin still runs from the installed package', async () => {
  const version = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
  const r = await exec(path.join(consumer, 'node_modules/.bin/clef-agent'), ['--version'], { cwd: consumer });
  expect(r.stdout).toBe(`${version}\n`);
});

/** What each deliberately broken adapter (consumer/suites.cjs) must be caught at. */
const EXPECTED_FAILURES = [
  'answers unchanged for the last validator and fetched once the content changes',
  'fetches the full document again without a validator (after a wipe)',
  'returns a buffer the caller may zero without affecting later decryptions',
  ...['characters outside the alphabet', 'base64url characters', 'an embedded line break', 'surrounding whitespace', 'missing padding'].map((m) => `a signature with ${m} fails with \`signature_error\``),
  'an empty signature fails with `signature_error`',
  'hands out copies: mutating what was stored or read changes nothing',
  'release by the owner frees it; release by a non-owner is a no-op',
  'an expired lease can be taken over, and the old holder cannot release the new one',
  'ignores emit after shutdown without throwing',
  'a cancelled timer never fires; cancelling twice is harmless',
  'hashes the UTF-8 bytes of non-ASCII text',
  'a failure while preparing leaves every output at the previous revision',
].sort();

/** One test per case: the 9 suites against the reference adapters. */
const SUITE_CASES = 79;

describe('the contract suites from clef-agent/testing', () => {
  const nodeTest = (broken: boolean) => inConsumer(['--test', '--test-reporter=tap', 'suites.node.test.cjs'], { BROKEN: broken ? '1' : '0' });
  const tapFailures = (tap: string) => [...tap.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => m[1]).filter((t) => !/ contract: broken$/.test(t) && t !== 'suites.node.test.cjs').sort();

  const jest = async (broken: boolean) => {
    const config = { testEnvironment: 'node', testMatch: ['**/suites.jest.test.cjs'], transform: {}, rootDir: consumer };
    const out = path.join(consumer, `jest-${broken}.json`);
    const r = await exec(NODE, [path.join(ROOT, 'node_modules/jest/bin/jest.js'), '--config', JSON.stringify(config), '--ci', '--no-watchman', '--json', '--outputFile', out], { cwd: consumer, env: { ...process.env, BROKEN: broken ? '1' : '0' } });
    const results = JSON.parse(readFileSync(out, 'utf8')) as { numPassedTests: number; testResults: Array<{ assertionResults: Array<{ title: string; status: string }> }> };
    const failed = results.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === 'failed').map((a) => a.title)).sort();
    return { code: r.code, passed: results.numPassedTests, failed };
  };

  test('pass for the in-memory reference adapters under node:test', async () => {
    const r = await nodeTest(false);
    expect(tapFailures(r.stdout)).toEqual([]);
    expect(r.stdout).toMatch(new RegExp(`^# pass ${SUITE_CASES}$`, 'm'));
    expect(r.code).toBe(0);
  });

  test('fail under node:test for deliberately broken adapters, exactly where each is broken', async () => {
    const r = await nodeTest(true);
    expect(r.code).not.toBe(0);
    expect(tapFailures(r.stdout)).toEqual(EXPECTED_FAILURES);
  });

  test('pass under jest, and fail there for the broken adapters alike', async () => {
    const [good, bad] = await Promise.all([jest(false), jest(true)]);
    expect(good).toEqual({ code: 0, passed: SUITE_CASES, failed: [] });
    expect(bad.code).not.toBe(0);
    expect(bad.failed).toEqual(EXPECTED_FAILURES);
  }, 120_000);
});

test('examples/source-gcs passes its own tests (node:test) on the packed package', async () => {
  expect(readdirSync(path.join(example, 'node_modules/clef-agent/dist')).length).toBeGreaterThan(0);
  const r = await exec('npm', ['test', '--silent'], { cwd: example, timeoutMs: 120_000 });
  expect(r.stdout).toMatch(/^# fail 0$/m);
  expect(r.stdout).toMatch(/^# pass 16$/m);
  expect(r.code).toBe(0);
}, 120_000);
