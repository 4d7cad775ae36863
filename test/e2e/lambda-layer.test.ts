/**
 * `npm run build:lambda-layer`: the zip has Lambda's layer layout (an executable launcher
 * in extensions/, the bundle's launcher and lib in clef-agent/), and the bundle, unpacked, runs as an
 * extension against the fake Extensions API.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeLambdaApi } from '../support/fakes/lambda-api';
import { AGE_KEY_FILE, loadExpect, vectorPath } from '../support/vectors';
import { freePort, httpGet } from '../support/agent-process';

const ROOT = path.resolve(__dirname, '../..');
const ZIP = path.join(ROOT, 'build/clef-agent-lambda-layer.zip');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'clef-layer-'));
  execFileSync('npm', ['run', '--silent', 'build:lambda-layer'], { cwd: ROOT, stdio: 'pipe' });
  execFileSync('python3', ['-m', 'zipfile', '-e', ZIP, dir]);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Entry name → unix mode, from the zip's central directory (what Lambda unpacks). */
function zipModes(): Record<string, number> {
  const script = 'import sys, zipfile, json; print(json.dumps({i.filename: i.external_attr >> 16 for i in zipfile.ZipFile(sys.argv[1]).infolist()}))';
  return JSON.parse(execFileSync('python3', ['-c', script, ZIP], { encoding: 'utf8' })) as Record<string, number>;
}

it('has the layer layout with an executable launcher that execs the bundle with node', () => {
  const modes = zipModes();
  const files = Object.keys(modes).filter((n) => !n.endsWith('/')).sort();
  // The launcher, the agent and its optional SDK chunks; no code cache (the Lambda
  // runtime's node is not the build machine's, so V8 would reject it).
  expect(files).toEqual([
    'clef-agent/clef-agent-lib/aws.js',
    'clef-agent/clef-agent-lib/azure.js',
    'clef-agent/clef-agent-lib/cache.js',
    'clef-agent/clef-agent-lib/cloud.js',
    'clef-agent/clef-agent-lib/gcp.js',
    'clef-agent/clef-agent-lib/kms.js', 'clef-agent/clef-agent-lib/main.js', 'clef-agent/clef-agent-lib/otel.js', 'clef-agent/clef-agent-lib/s3.js', 'clef-agent/clef-agent-lib/yaml.js', 'clef-agent/clef-agent.js', 'extensions/clef-agent']);
  expect(modes['extensions/clef-agent'] & 0o111).toBe(0o111);
  const launcher = readFileSync(path.join(dir, 'extensions/clef-agent'), 'utf8');
  expect(launcher.startsWith('#!/bin/sh\n')).toBe(true);
  expect(launcher).toMatch(/^exec node \/opt\/clef-agent\/clef-agent\.js run$/m);
  execFileSync('sh', ['-n', path.join(dir, 'extensions/clef-agent')]); // syntax check
});

/**
 * Starts an unpacked layer's extension as Lambda would (against the fake Extensions API),
 * sends one INVOKE, checks the vector is served after it, sends SHUTDOWN and expects exit 0.
 * Resolves with the extension's stderr.
 */
async function runExtension(command: string, args: string[], pathVariable: string | undefined): Promise<string> {
  const api = await FakeLambdaApi.start();
  const port = await freePort();
  const token = 'layer-test-token-0123456789';
  const env = { PATH: pathVariable, AWS_LAMBDA_RUNTIME_API: api.runtimeApi, CLEF_AGENT_PORT: String(port), CLEF_AGENT_TOKEN: token, CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE };
  const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    await api.waitFor('next', 1);
    api.invoke();
    await api.waitFor('next', 2);
    // INVOKE awaited the load: the function's first read is served.
    const secrets = await httpGet(port, '/v1/secrets', { authorization: `Bearer ${token}` });
    expect(secrets.json()).toEqual(loadExpect('a-age-basic').secrets);
    api.shutdown();
    expect(await exited).toBe(0);
    return stderr;
  } finally {
    child.kill('SIGKILL');
    await api.close();
  }
}

it('the unpacked bundle registers, serves, and stops on SHUTDOWN', async () => {
  await runExtension(process.execPath, [path.join(dir, 'clef-agent/clef-agent.js'), 'run'], process.env.PATH);
});

describe('npm run build:lambda-layer -- --native', () => {
  const arch = ({ x64: 'x86_64', arm64: 'arm64' } as Record<string, string>)[process.arch];
  const nativeZip = path.join(ROOT, `build/clef-agent-lambda-layer-native-${arch}.zip`);
  let native: string;
  beforeAll(() => {
    native = mkdtempSync(path.join(tmpdir(), 'clef-layer-native-'));
    execFileSync('npm', ['run', '--silent', 'build:lambda-layer', '--', '--native'], { cwd: ROOT, stdio: 'pipe' });
    // unzip keeps the exec bits (python's zipfile extraction would drop them).
    execFileSync('python3', ['-c', 'import sys, zipfile, os\nz = zipfile.ZipFile(sys.argv[1])\nfor i in z.infolist():\n  p = z.extract(i, sys.argv[2])\n  os.chmod(p, (i.external_attr >> 16) & 0o777 or 0o644)', nativeZip, native]);
  }, 180_000);
  afterAll(() => rmSync(native, { recursive: true, force: true }));

  it('holds the single executable and a launcher that finds it from its own path', () => {
    const files = execFileSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(sorted(i.filename for i in zipfile.ZipFile(sys.argv[1]).infolist() if not i.filename.endswith("/"))))', nativeZip], { encoding: 'utf8' }).trim().split('\n');
    expect(files).toEqual(['clef-agent/clef-agent', 'extensions/clef-agent']);
    expect(readFileSync(path.join(native, 'clef-agent/clef-agent')).subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(readFileSync(path.join(native, 'extensions/clef-agent'), 'utf8')).toMatch(/^exec "\$\{0%\/extensions\/\*\}\/clef-agent\/clef-agent" run$/m);
  });

  it('started as Lambda starts it (the launcher, no node on PATH), registers, serves from its code cache, and stops on SHUTDOWN', async () => {
    // A PATH with nothing on it: the launcher finds the executable by its own path, and the executable brings its node.
    const stderr = await runExtension(path.join(native, 'extensions/clef-agent'), [], path.join(native, 'no-such-dir'));
    expect(stderr).toMatch(/"event":"agent.startup","startup":"code-cache"/);
  });
});
