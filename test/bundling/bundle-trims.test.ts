/**
 * scripts/bundle-trims.js: what the shipped bundles leave out of a start (issue 20) must not
 * change what the agent does. Koa built with the trimmed mime-db answers every content
 * type it can set exactly as Koa with the full database; `debug` stays silent under
 * DEBUG=*; depd prints nothing. And the bundled agent, at ready, has not loaded what it
 * no longer needs before its first request (node:fs/promises, node:perf_hooks); age-encryption still
 * decrypts for X25519 and post-quantum hybrid identities with its extras loaded lazily.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { startAgent, stopAllAgents } from '../support/agent-process';
import { AGE_KEY_FILE, vectorPath } from '../support/vectors';

const ROOT = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TRIMS, MIME_TYPES_KEPT } = require(path.join(ROOT, 'scripts/bundle-trims.js')) as { TRIMS: never[]; MIME_TYPES_KEPT: string[] };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'clef-trims-'));
});
afterAll(async () => {
  await stopAllAgents();
  rmSync(dir, { recursive: true, force: true });
});

/** Bundles `source` (CommonJS, resolved from the repository) with the trims and loads it. */
async function bundled<T>(name: string, source: string): Promise<T> {
  const outfile = path.join(dir, `${name}.js`);
  await build({ stdin: { contents: source, resolveDir: ROOT, loader: 'js' }, bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, logLevel: 'silent', plugins: TRIMS });
  return require(outfile) as T;
}

type KoaCtor = new () => { use(fn: (ctx: Record<string, unknown> & { query: Record<string, string>; throw(s: number): never }) => void): void; callback(): http.RequestListener };

/** Serves `ctx.type = <query t>` (or a thrown 404) through a Koa class; returns each Content-Type. */
async function contentTypes(Koa: KoaCtor, types: string[]): Promise<Array<string | undefined>> {
  const app = new Koa();
  app.use((ctx) => {
    if (ctx.query.t === 'throw') ctx.throw(404);
    if (ctx.query.t === 'object') ctx.body = { a: 1 };
    else if (ctx.query.t === 'buffer') ctx.body = Buffer.from('x');
    else if (ctx.query.t === 'html') ctx.body = '<p>x</p>';
    else {
      ctx.type = ctx.query.t;
      ctx.body = 'x';
    }
  });
  const server = http.createServer(app.callback()).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const out: Array<string | undefined> = [];
    for (const t of types) {
      out.push(await new Promise<string | undefined>((resolve, reject) => http.get({ host: '127.0.0.1', port, path: `/?t=${encodeURIComponent(t)}` }, (res) => (res.resume(), resolve(res.headers['content-type']))).on('error', reject)));
    }
    return out;
  } finally {
    server.close();
  }
}

it('Koa with the trimmed mime-db sets the same Content-Type as Koa with the full one, for every type it can be asked for', async () => {
  const types = ['json', 'text', 'html', 'bin', 'txt', 'urlencoded', 'form', 'multipart', 'application/json', 'text/plain', 'application/json; charset=utf-8', 'text/plain; version=0.0.4', 'application/openmetrics-text; version=1.0.0', 'throw', 'object', 'buffer', 'html', ...MIME_TYPES_KEPT];
  const trimmed = await bundled<{ default?: KoaCtor } & KoaCtor>('koa', 'module.exports = require("koa");');
  const Full = require('koa') as KoaCtor;
  const TrimmedKoa = (trimmed.default ?? trimmed) as KoaCtor;
  expect(await contentTypes(TrimmedKoa, types)).toEqual(await contentTypes(Full, types));
  // And it is the subset: one type outside it is not known to the trimmed database.
  const trimmedDb = await bundled<Record<string, unknown>>('db', 'module.exports = require("mime-db");');
  expect(Object.keys(trimmedDb).sort()).toEqual([...MIME_TYPES_KEPT].sort());
});

it('debug stays disabled under DEBUG=*, and depd prints no deprecation', async () => {
  const file = path.join(dir, 'quiet.js');
  await build({
    stdin: { contents: 'const d = require("debug")("koa:application"); d("visible %s", "line"); if (d.enabled) throw new Error("enabled"); require("depd")("koa")("deprecated call");', resolveDir: ROOT, loader: 'js' },
    bundle: true, platform: 'node', format: 'cjs', outfile: file, logLevel: 'silent', plugins: TRIMS,
  });
  // stderr is folded into the output: debug and depd both write there.
  const out = execFileSync('/bin/sh', ['-c', `"${process.execPath}" "${file}" 2>&1; echo "exit $?"`], { env: { PATH: process.env.PATH, DEBUG: '*' }, encoding: 'utf8' });
  expect(out).toBe('exit 0\n');
});

it('the bundled agent serves without having loaded node:fs/promises or node:perf_hooks', async () => {
  const launcher = path.join(dir, 'bundle/clef-agent');
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/bundle.js'), launcher], { stdio: 'pipe' });
  const probe = path.join(dir, 'module-list.js');
  const list = path.join(dir, 'modules.txt');
  // Preloaded: on SIGTERM, writes node's list of loaded built-ins.
  writeFileSync(probe, `process.once('SIGTERM', () => { require('fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')); process.exit(0); });`);
  const agent = await startAgent({ env: { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE }, entry: launcher, nodeArgs: ['--require', probe] });
  await agent.waitReady();
  expect((await agent.authGet('/v1/secrets')).status).toBe(200);
  await agent.stop('SIGTERM');
  const loaded = new Set(require('node:fs').readFileSync(list, 'utf8').split('\n') as string[]);
  expect(loaded.has('NativeModule http')).toBe(true); // the probe works
  // (child_process is not listed: node's listen() loads it, through cluster, for any server.)
  expect(['NativeModule fs/promises', 'NativeModule perf_hooks'].filter((m) => loaded.has(m))).toEqual([]);
}, 60_000);

it('age-encryption in the bundle loads the post-quantum KEMs and NIST curves on first use, and they still work', async () => {
  const outfile = path.join(dir, 'age-lazy.js');
  const source = [
    'const age = require("age-encryption");',
    'module.exports = async () => {',
    '  const out = [];',
    '  for (const id of [await age.generateIdentity(), await age.generateHybridIdentity()]) {',
    '    const e = new age.Encrypter(); e.addRecipient(await age.identityToRecipient(id));',
    '    const d = new age.Decrypter(); d.addIdentity(id);',
    '    out.push(await d.decrypt(await e.encrypt(`hello ${id.startsWith("AGE-SECRET-KEY-PQ-1") ? "pq" : "x25519"}`), "text"));',
    '  }',
    '  return out;',
    '};',
  ].join('\n');
  await build({ stdin: { contents: source, resolveDir: ROOT, loader: 'js' }, bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, logLevel: 'silent', plugins: TRIMS });
  const text = require('node:fs').readFileSync(outfile, 'utf8') as string;
  expect(text.match(/\/\/ lazy-for-age:[^\n]*/g)?.map((l) => l.replace(/.*node_modules\//, ''))).toEqual(['@noble/post-quantum/hybrid.js', '@noble/curves/nist.js']);
  expect(await (require(outfile) as () => Promise<string[]>)()).toEqual(["hello x25519", "hello pq"]);
});
