/**
 * The distributable forms: `npm run build:binary` (a one-file esbuild bundle, plus the
 * Node SEA executable when postject is available, which embeds the split bundle, its
 * trained code cache and the SDK chunks as assets) run against a vector from an empty
 * directory, and the packed npm tarball installed elsewhere and run with `npx`.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AGE_KEY_FILE, allVectorSecretValues, loadExpect, vectorPath } from '../support/vectors';
import { freePort, httpGet, startAgent, stopAllAgents } from '../support/agent-process';
import { FAKE_KEY_ARN, FakeKmsServer } from '../support/fakes/kms-server';
import { packEnvelope } from '../support/pack';
import { awsProcessEnv } from '../support/cloud-kms-env';

const ROOT = path.resolve(__dirname, '../..');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const VECTOR_ENV = { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE };
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'clef-binary-'))));
afterAll(async () => {
  await stopAllAgents();
  rmSync(dir, { recursive: true, force: true });
});

function assertNoSecrets(text: string): void {
  for (const v of allVectorSecretValues()) expect(text.includes(v)).toBe(false);
}

/** Serves the vector with `command`, checks the secrets over HTTP, stops it with SIGTERM. */
async function serveVector(command: string, args: string[], cwd: string): Promise<void> {
  const port = await freePort();
  const token = 'binary-test-token-0123456789';
  const child = spawn(command, [...args, 'run'], { cwd, env: { PATH: process.env.PATH, CLEF_AGENT_PORT: String(port), CLEF_AGENT_TOKEN: token, ...VECTOR_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    for (;;) {
      const ready = await httpGet(port, '/v1/ready').catch(() => null);
      if (ready?.status === 200) break;
      if (child.exitCode !== null) throw new Error(`exited early: ${output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const secrets = await httpGet(port, '/v1/secrets', { authorization: `Bearer ${token}` });
    expect(secrets.json()).toEqual(loadExpect('a-age-basic').secrets);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(output).not.toContain(token);
  assertNoSecrets(output);
}

describe('npm run build:binary', () => {
  let manifest: { bundle: string; blob: string; executable: string | null };

  beforeAll(() => {
    execFileSync(NPM, ['run', '--silent', 'build:binary'], { cwd: ROOT, stdio: 'pipe' });
    manifest = JSON.parse(readFileSync(path.join(ROOT, 'build/binary/manifest.json'), 'utf8')) as typeof manifest;
  }, 120_000);

  it('writes the SEA preparation blob from the bundle', () => {
    expect(readFileSync(manifest.blob).length).toBeGreaterThan(readFileSync(manifest.bundle).length);
  });

  it('the bundle is self-contained: copied alone into an empty directory it serves a vector and checks it', async () => {
    const alone = path.join(dir, 'alone');
    mkdirSync(alone);
    const bin = path.join(alone, 'clef-agent.js');
    copyFileSync(manifest.bundle, bin);
    expect(execFileSync(process.execPath, [bin, '--version'], { cwd: alone, encoding: 'utf8' })).toBe(`${VERSION}\n`);
    const check = spawnSync(process.execPath, [bin, 'check'], { cwd: alone, env: { PATH: process.env.PATH, ...VECTOR_ENV }, encoding: 'utf8' });
    expect(check.status).toBe(0);
    expect(check.stdout).toContain(`revision:   ${loadExpect('a-age-basic').revision}`);
    assertNoSecrets(check.stdout + check.stderr);
    await serveVector(process.execPath, [bin], alone);
  });

  it('the native single executable (postject is a devDependency) runs the same', async () => {
    expect(manifest.executable).not.toBeNull();
    expect(execFileSync(manifest.executable!, ['--version'], { encoding: 'utf8' })).toBe(`${VERSION}\n`);
    await serveVector(manifest.executable!, [], dir);
  });

  it('the executable compiles its agent with the embedded code cache, and an envelope artifact loads the KMS chunks from its assets', async () => {
    const plain = await startAgent({ command: manifest.executable!, args: ['run'], env: VECTOR_ENV });
    await plain.waitReady();
    expect((await plain.waitForLog((l) => l.event === 'agent.startup')).startup).toBe('code-cache');
    await plain.stop();
    // An envelope artifact needs kms.js and aws.js: read from the executable, not from any file.
    const kms = await FakeKmsServer.start();
    try {
      const tree = { app: { KEY: 'sea-chunk-value' } };
      const dek = randomBytes(32);
      const artifact = path.join(dir, 'sea-envelope.json');
      writeFileSync(artifact, packEnvelope(tree, { dek, wrappedKey: kms.wrapDek(dek), keyId: FAKE_KEY_ARN }));
      const empty = path.join(dir, 'sea-cwd');
      mkdirSync(empty, { recursive: true });
      const agent = await startAgent({
        command: manifest.executable!,
        args: ['run'],
        cwd: empty,
        env: { CLEF_AGENT_SOURCE: artifact, ...awsProcessEnv(kms.endpoint, empty) },
      });
      await agent.waitReady();
      expect((await agent.authGet('/v1/secrets')).json()).toEqual(tree);
      expect(kms.calls.map((c) => c.target)).toEqual(['TrentService.Decrypt']);
      await agent.stop();
    } finally {
      await kms.close();
    }
  });
});

describe('npm pack → npx clef-agent', () => {
  it('installs from the tarball and runs', () => {
    // `prepack` (skipped here with --ignore-scripts) builds dist/ and the bundle `bin` points at;
    // dist/ is built by jest's globalSetup, the bundle is built here the way prepack does.
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
    const bundleCommand = 'node scripts/bundle.js dist/bundle/clef-agent "/usr/bin/env node"';
    expect(pkg.scripts.prepack).toBe(`npm run build && ${bundleCommand}`);
    expect(pkg.bin['clef-agent']).toBe('dist/bundle/clef-agent');
    execFileSync(process.execPath, ['scripts/bundle.js', 'dist/bundle/clef-agent', '/usr/bin/env node'], { cwd: ROOT, stdio: 'pipe' });
    const packed = JSON.parse(execFileSync(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' })) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed[0].files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'dist/bundle/clef-agent', 'dist/bundle/clef-agent-lib/main.js', 'dist/bundle/clef-agent-lib/kms.js', 'dist/app/main.js']));
    // No code cache in the package: it would only match the packing machine's exact node.
    expect(files.filter((f) => f.endsWith('.cache'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('scripts/'))).toEqual([]);

    const consumer = path.join(dir, 'consumer');
    mkdirSync(consumer);
    writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    execFileSync(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(dir, packed[0].filename)], { cwd: consumer, stdio: 'pipe' });
    // `--` so npx does not take --version for itself.
    expect(execFileSync('npx', ['--no', '--', 'clef-agent', '--version'], { cwd: consumer, encoding: 'utf8' })).toBe(`${VERSION}\n`);
    const check = spawnSync('npx', ['--no', '--', 'clef-agent', 'check'], { cwd: consumer, env: { ...process.env, ...VECTOR_ENV }, encoding: 'utf8' });
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('ok: the artifact is usable');
  }, 300_000);
});
