/** HttpSource redirect policy through real loopback servers: bounded hops, loops,
 * no https→http downgrade, no credentials carried to another origin. */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { HttpSource } from '../../../src/adapters/sources/http-source';
import { ArtifactServer } from '../../support/fakes/artifact-server';
import { LOOPBACK_TLS } from '../../support/fakes/tls-fixture';
import { codeOf } from '../../contracts/artifact-source.contract';

const run = promisify(execFile);
const DOC = '{"redirected": true}';
let server: ArtifactServer;
beforeEach(async () => {
  server = await ArtifactServer.start();
  server.publish(DOC);
});
afterEach(() => server.close());

const poll = (url: string, maxRedirects?: number) => new HttpSource({ url, maxRedirects }).fetch({ signal: new AbortController().signal });
const paths = () => server.log.map((e) => e.path);

it('follows a chain of up to maxRedirects hops (301, 302, 307)', async () => {
  server.mode({ kind: 'redirect', location: '/r2', status: 301 }, '/r1');
  server.mode({ kind: 'redirect', location: '/r3', status: 302 }, '/r2');
  server.mode({ kind: 'redirect', location: server.path, status: 307 }, '/r3');
  expect(await poll(`${server.http.origin}/r1`, 3)).toMatchObject({ kind: 'fetched', document: DOC });
  expect(paths()).toEqual(['/r1', '/r2', '/r3', server.path]);
});

it('fails with source_bad_response one hop past the limit, without making that request', async () => {
  server.mode({ kind: 'redirect', location: '/r2' }, '/r1');
  server.mode({ kind: 'redirect', location: server.path }, '/r2');
  expect((await codeOf(poll(`${server.http.origin}/r1`, 1))).code).toBe('source_bad_response');
  expect(paths()).toEqual(['/r1', '/r2']);
});

it('stops a redirect loop after maxRedirects', async () => {
  server.mode({ kind: 'redirect', location: '/b' }, '/a');
  server.mode({ kind: 'redirect', location: '/a' }, '/b');
  expect((await codeOf(poll(`${server.http.origin}/a`))).code).toBe('source_bad_response');
  expect(paths()).toEqual(['/a', '/b', '/a', '/b']); // default maxRedirects = 3
});

it('refuses a redirect to plain http off loopback without connecting', async () => {
  server.mode({ kind: 'redirect', location: 'http://artifacts.example.com/a.json' }, '/a');
  expect((await codeOf(poll(`${server.http.origin}/a`))).code).toBe('source_insecure');
});

it('refuses a redirect whose Location carries credentials', async () => {
  server.mode({ kind: 'redirect', location: `${server.http.origin.replace('//', '//u:p@')}${server.path}` }, '/a');
  expect((await codeOf(poll(`${server.http.origin}/a`))).code).toBe('source_bad_response');
  expect(paths()).toEqual(['/a']);
});

it('keeps credentials on same-origin hops and drops them when the origin changes', async () => {
  const other = await ArtifactServer.start();
  try {
    other.publish(DOC);
    server.mode({ kind: 'redirect', location: '/hop' }, '/a');
    server.mode({ kind: 'redirect', location: other.url }, '/hop');
    const url = `${server.http.origin.replace('//', '//agent:pw@')}/a`;
    expect(await poll(url)).toMatchObject({ kind: 'fetched', document: DOC });
    expect(server.log.map((e) => e.headers.authorization)).toEqual([expect.stringMatching(/^Basic /), expect.stringMatching(/^Basic /)]);
    expect(other.log[0].headers.authorization).toBeUndefined();
  } finally {
    await other.close();
  }
});

/**
 * Node 20's fetch has no per-request CA option (and jest sandboxes process.env), so the
 * adapter is bundled with esbuild and run in a child node that trusts the loopback
 * certificate through NODE_EXTRA_CA_CERTS: real TLS verification, real adapter code.
 */
describe('from https', () => {
  let tls: Server;
  let origin: string;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'clef-https-redirect-'));
    await writeFile(path.join(dir, 'ca.pem'), LOOPBACK_TLS.cert);
    await build({ entryPoints: [path.resolve(__dirname, '../../../src/adapters/sources/http-source.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: path.join(dir, 'http-source.js'), logLevel: 'silent' });
    await writeFile(
      path.join(dir, 'probe.js'),
      `const { HttpSource } = require('./http-source.js');
       new HttpSource({ url: process.argv[2] }).fetch({ signal: new AbortController().signal })
         .then((r) => console.log(JSON.stringify(r)), (e) => console.log(JSON.stringify({ code: e.code })));`,
    );
    tls = createServer(LOOPBACK_TLS, (req, res) => {
      if (req.url === '/doc') return void res.end(DOC);
      res.writeHead(302, { location: req.url === '/downgrade' ? server.url : '/doc' }).end();
    });
    tls.listen(0, '127.0.0.1');
    await once(tls, 'listening');
    origin = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    tls.closeAllConnections();
    tls.close();
    await once(tls, 'close');
    await rm(dir, { recursive: true, force: true });
  });

  const pollInChild = async (url: string): Promise<unknown> => {
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') };
    const { stdout } = await run(process.execPath, [path.join(dir, 'probe.js'), url], { env });
    return JSON.parse(stdout);
  };

  it('follows https→https redirects (the certificate is trusted)', async () => {
    expect(await pollInChild(`${origin}/same-scheme`)).toMatchObject({ kind: 'fetched', document: DOC });
  });

  it('refuses an https→http downgrade, even to loopback', async () => {
    expect(await pollInChild(`${origin}/downgrade`)).toEqual({ code: 'source_insecure' });
    expect(server.log).toEqual([]);
  });
});
