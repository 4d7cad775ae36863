'use strict';
/**
 * esbuild bundles of the agent (src/app/main.ts and every runtime dependency), for the
 * container image, the Lambda layer and `npm run build:bundle`. Two layouts:
 *
 * split (default): `outfile` is a small launcher (scripts/bundle-launcher.js) and the code
 *   is in a lib directory beside it:
 *     <lib>/main.js         the agent, as one function expression the launcher compiles
 *     <lib>/main.js.cache   V8 code cache, when trained (scripts/train-code-cache.js)
 *     <lib>/{kms,s3,aws,gcp,azure,cloud,otel,cache,yaml}.js   optional SDKs, read only when configured
 *       (kms/gcp/azure: the first envelope of that KMS provider; s3: an S3 source;
 *        aws: what the KMS and S3 clients share; cloud: what gcp and azure share)
 *   Parsing and compiling the 2.9 MB single file was most of a cold start; the optional
 *   SDKs are half of it and most agents never load them (bench/RESULTS.md, S3).
 * singleFile: one self-contained CommonJS file (what the Node SEA executable embeds).
 *
 * Lazily imported commands stay lazy in both (esbuild wraps them), so `probe` and
 * `--version` still initialise almost nothing.
 */
const { execFileSync } = require('node:child_process');
const { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');
const { TRIMS } = require('./bundle-trims');

const ROOT = path.resolve(__dirname, '..');

/** Packages only some deployments load: each area becomes one chunk, so packages that
 * share code (the OpenTelemetry SDK; keyv and @keyv/redis, whose classes must be one
 * copy) share one copy. bundle() fails if any package ends up in two outputs. */
const CHUNKS = [
  { name: 'kms', test: /^@aws-sdk\/client-kms$/ },
  // The S3 client and the packages only it uses (S3 middleware, checksums).
  { name: 's3', test: /^@aws-sdk\/(client-s3|middleware-sdk-s3|checksums)(\/|$)/ },
  // What the AWS clients share (Smithy runtime, SigV4, credential chain, protocols): one
  // copy that both the KMS and the S3 chunk require.
  { name: 'aws', test: /^(@aws-sdk\/|@smithy\/|@aws-crypto\/)/ },
  { name: 'gcp', test: /^google-auth-library$/ },
  { name: 'azure', test: /^@azure\/(identity|keyvault-keys)$/ },
  // What the GCP and Azure chunks both use (JWS signing, proxy agents): one copy for the two.
  { name: 'cloud', test: /^(jws|jwa|ecdsa-sig-formatter|safe-buffer|buffer-equal-constant-time|agent-base|https-proxy-agent|http-proxy-agent)$/ },
  { name: 'otel', test: /^@opentelemetry\// },
  { name: 'cache', test: /^(keyv|@keyv\/redis)$/ },
  { name: 'yaml', test: /^yaml$/ },
];
const CHUNK_FILTER = /^(@aws-sdk\/.+|@smithy\/.+|@aws-crypto\/.+|google-auth-library|@azure\/(identity|keyvault-keys)|jws|jwa|ecdsa-sig-formatter|safe-buffer|buffer-equal-constant-time|agent-base|https-proxy-agent|http-proxy-agent|@opentelemetry\/.+|keyv|@keyv\/redis|yaml)$/;

/** Packages main.js already holds that chunks use too (the GCP/Azure HTTP stacks log through
 * `debug`): chunks take main's copy through a frozen registry main.js defines, instead of a
 * second copy. Getters, so main.js initialises them only when a chunk asks. */
const FROM_MAIN = ['debug', 'ms'];
const FROM_MAIN_FILTER = /^(debug|ms)$/;
const SHARED_KEY = 'clef-agent.bundle.shared';
const MAIN_ENTRY = `Object.defineProperty(globalThis, Symbol.for(${JSON.stringify(SHARED_KEY)}), { value: Object.freeze({ ${FROM_MAIN.map((p) => `get ${JSON.stringify(p)}() { return require(${JSON.stringify(p)}); }`).join(', ')} }) });\nrequire('./src/app/main.ts');\n`;

const COMMON = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  // No keepNames: the agent never prints stacks, error classes are matched with
  // instanceof, and keepNames measurably slowed the request path (bench/RESULTS.md).
  sourcemap: false,
  legalComments: 'eof',
  logLevel: 'warning',
  tsconfig: path.join(ROOT, 'tsconfig.build.json'),
  write: false,
  metafile: true,
};

/** node_modules packages an esbuild output contains. */
function packagesOf(result) {
  const names = new Set();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const input of Object.keys(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(input);
      if (m) names.add(m[1]);
    }
  }
  return names;
}

/**
 * Redirects each chunked package to `require('./<chunk>.js')[<package>]`, recording which
 * were used; inside chunk `self` its own packages are bundled (e.g. the Redis client's
 * optional @opentelemetry/api import goes to the otel chunk, not a second copy).
 */
function chunkRedirect(used, self) {
  return {
    name: 'clef-agent-chunks',
    setup(build) {
      if (self !== undefined) {
        build.onResolve({ filter: FROM_MAIN_FILTER }, (args) => ({ path: args.path, namespace: 'main-ref' }));
        build.onLoad({ filter: /.*/, namespace: 'main-ref' }, (args) => ({
          contents: `module.exports = globalThis[Symbol.for(${JSON.stringify(SHARED_KEY)})][${JSON.stringify(args.path)}];`,
          loader: 'js',
        }));
      }
      build.onResolve({ filter: CHUNK_FILTER }, (args) => {
        const chunk = CHUNKS.find((c) => c.test.test(args.path));
        if (chunk.name === self) return undefined;
        used.get(chunk.name).add(args.path);
        return { path: args.path, namespace: 'chunk-ref', pluginData: chunk.name };
      });
      build.onResolve({ filter: /^\.\/[a-z0-9]+\.js$/, namespace: 'chunk-ref' }, (args) => ({ path: args.path, external: true }));
      build.onLoad({ filter: /.*/, namespace: 'chunk-ref' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(`./${args.pluginData}.js`)})[${JSON.stringify(args.path)}];`,
        loader: 'js',
      }));
    },
  };
}

/** One getter per package, so loading the chunk initialises only the packages asked for. */
async function buildChunk(name, specifiers, used) {
  const getters = [...specifiers].sort().map((s) => `  get ${JSON.stringify(s)}() { return require(${JSON.stringify(s)}); },`);
  const contents = `module.exports = {\n${getters.join('\n')}\n};\n`;
  const result = await esbuild.build({ ...COMMON, stdin: { contents, resolveDir: ROOT, sourcefile: `chunk-${name}.js`, loader: 'js' }, outfile: `${name}.js`, plugins: [chunkRedirect(used, name)] });
  return { code: result.outputFiles[0].text, packages: packagesOf(result) };
}

const stripShebang = (code) => code.replace(/^#![^\n]*\n/, '');

/** <lib>/snapshot-entry.js: src/app/snapshot-main.ts for scripts/build-snapshot.js, using the same chunks as main.js. */
async function buildSnapshotEntry(lib, used) {
  const result = await esbuild.build({ ...COMMON, entryPoints: ['src/app/snapshot-main.ts'], outfile: path.join(lib, 'snapshot-entry.js'), plugins: [chunkRedirect(used), ...TRIMS] });
  writeFileSync(path.join(lib, 'snapshot-entry.js'), stripShebang(result.outputFiles[0].text), { mode: 0o644 });
}

/**
 * @param {{ outfile: string, shebang?: string, singleFile?: boolean, libDir?: string, train?: { nodeArgs?: string[] } }} options
 *   shebang: interpreter line (e.g. "/nodejs/bin/node" in the distroless image); omitted → none.
 *   libDir: where the split layout's code goes (default `<outfile's dir>/clef-agent-lib`).
 *   train: run scripts/train-code-cache.js on the result, in a node started with `nodeArgs`.
 *   snapshot: also build <lib>/agent.blob (scripts/build-snapshot.js), in a node started with `nodeArgs`;
 *     `entryOnly`: write <lib>/snapshot-entry.js and stop (the Dockerfile builds the blob in the runtime image).
 *   exec: the native start (scripts/native/snapshot-exec.c, compiled with $CC or cc): `outfile`
 *     becomes that program, which starts the snapshot when its stamp matches and the plain
 *     launcher (then <lib>/launcher.js) otherwise; `node` is the node it starts when there is
 *     no stamp. The layout is fixed: <prefix>/bin/<name> and <prefix>/lib/clef-agent.
 * @returns {Promise<{ outfile: string, libDir?: string, main?: string, launcher?: string, chunks?: string[], cache?: string, snapshot?: string }>}
 */
async function bundle({ outfile, shebang, singleFile = false, libDir, train, snapshot, exec }) {
  mkdirSync(path.dirname(outfile), { recursive: true });
  const header = shebang ? `#!${shebang}\n` : '';
  if (singleFile) {
    const result = await esbuild.build({ ...COMMON, entryPoints: ['src/app/main.ts'], outfile, plugins: TRIMS });
    writeFileSync(outfile, header + stripShebang(result.outputFiles[0].text), { mode: 0o755 });
    return { outfile };
  }

  const execLib = path.join(path.dirname(outfile), '..', 'lib', 'clef-agent');
  if (exec && libDir !== undefined && path.resolve(libDir) !== path.resolve(execLib)) throw new Error(`with exec, the lib directory must be ${execLib}`);
  const lib = exec ? execLib : (libDir ?? path.join(path.dirname(outfile), 'clef-agent-lib'));
  rmSync(lib, { recursive: true, force: true });
  mkdirSync(lib, { recursive: true });
  const used = new Map(CHUNKS.map((c) => [c.name, new Set()]));
  const result = await esbuild.build({
    ...COMMON,
    stdin: { contents: MAIN_ENTRY, resolveDir: ROOT, sourcefile: 'clef-agent-main.js', loader: 'js' },
    outfile: path.join(lib, 'main.js'),
    plugins: [chunkRedirect(used), ...TRIMS],
  });
  const main = path.join(lib, 'main.js');
  // Node's own CommonJS wrapper, written out so the launcher compiles the file as it is.
  const body = stripShebang(result.outputFiles[0].text);
  // The launcher reads main.js as latin1, which equals UTF-8 only for ASCII.
  if (/[^\x00-\x7f]/.test(body)) throw new Error('main.js is not ASCII (esbuild charset changed?)');
  writeFileSync(main, `(function (exports, require, module, __filename, __dirname) {${body}\n})`, { mode: 0o644 });
  // A chunk can ask for another chunk's packages: rebuild until the sets stop growing.
  const built = new Map();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, specifiers] of used) {
      const key = [...specifiers].sort().join('\n');
      if (specifiers.size === 0 || built.get(name)?.key === key) continue;
      built.set(name, { key, ...(await buildChunk(name, specifiers, used)) });
      changed = true;
    }
  }
  const owner = new Map([...packagesOf(result)].map((p) => [p, 'main']));
  for (const [name, chunk] of built) {
    // Two copies of a package break instanceof checks and module-level state between them.
    const shared = [...chunk.packages].filter((p) => owner.has(p)).map((p) => `${p} (${owner.get(p)} and ${name})`);
    if (shared.length > 0) throw new Error(`packages bundled twice: ${shared.join(', ')}`);
    for (const p of chunk.packages) owner.set(p, name);
    writeFileSync(path.join(lib, `${name}.js`), chunk.code, { mode: 0o644 });
  }
  if (snapshot) await buildSnapshotEntry(lib, used);
  const chunks = [...built.keys()];
  // With exec the JavaScript launcher sits in lib/ and the native start takes its place.
  const launcherFile = exec ? path.join(lib, 'launcher.js') : outfile;
  const launcher = readFileSync(path.join(__dirname, 'bundle-launcher.js'), 'utf8').replace(
    '__CLEF_AGENT_LIB__',
    JSON.stringify(path.relative(path.dirname(launcherFile), lib).split(path.sep).join('/') || '.'),
  );
  if (exec) {
    writeFileSync(launcherFile, launcher, { mode: 0o644 });
    compileExec(outfile, exec.node);
  } else {
    writeFileSync(outfile, header + launcher, { mode: 0o755 });
  }
  const out = { outfile, libDir: lib, main, launcher: launcherFile, chunks };
  if (train) {
    execFileSync(process.execPath, [...(train.nodeArgs ?? []), path.join(__dirname, 'train-code-cache.js'), launcherFile], { stdio: ['ignore', 'ignore', 'inherit'] });
    out.cache = `${main}.cache`;
  }
  if (snapshot && !snapshot.entryOnly) {
    execFileSync(process.execPath, [...(snapshot.nodeArgs ?? []), path.join(__dirname, 'build-snapshot.js'), lib, launcherFile], { stdio: ['ignore', 'ignore', 'inherit'] });
    out.snapshot = path.join(lib, 'agent.blob');
  }
  return out;
}

/** Compiles the native start (scripts/native/snapshot-exec.c) to `outfile`, mode 0755. */
function compileExec(outfile, node) {
  if (typeof node !== 'string' || !path.isAbsolute(node) || /["\\\n]/.test(node)) throw new Error('exec.node must be an absolute path to node');
  const source = path.join(__dirname, 'native/snapshot-exec.c');
  execFileSync(process.env.CC || 'cc', ['-O2', '-Wall', '-Wextra', '-Werror', `-DCLEF_AGENT_NODE="${node}"`, '-o', outfile, source], { stdio: ['ignore', 'ignore', 'inherit'] });
  chmodSync(outfile, 0o755);
}

module.exports = { bundle, ROOT, CHUNKS };

/** node scripts/bundle.js <outfile> [shebang] [--single-file] [--lib <dir>] [--train] [--snapshot | --snapshot-entry] [--exec <node>] */
if (require.main === module) {
  const args = process.argv.slice(2);
  const flag = (name) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const [, value] = args.splice(i, name === '--lib' || name === '--exec' ? 2 : 1);
    return value ?? true;
  };
  const singleFile = flag('--single-file') === true;
  const train = flag('--train') === true ? { nodeArgs: process.execArgv } : undefined;
  const snapshot = flag('--snapshot') === true ? { nodeArgs: process.execArgv } : flag('--snapshot-entry') === true ? { entryOnly: true } : undefined;
  const execNode = flag('--exec');
  const exec = typeof execNode === 'string' ? { node: execNode } : undefined;
  const libDir = flag('--lib');
  const outfile = path.resolve(args[0] || path.join(ROOT, 'build/clef-agent'));
  bundle({ outfile, shebang: args[1], singleFile, libDir: libDir && path.resolve(libDir), train, snapshot, exec }).then(
    (r) => process.stdout.write(`bundled ${path.relative(process.cwd(), outfile)}${r.libDir ? ` (+ ${path.relative(process.cwd(), r.libDir)}/: main.js${r.cache ? ', main.js.cache' : ''}${r.snapshot ? ', agent.blob' : ''}${r.chunks.map((c) => `, ${c}.js`).join('')})` : ''}\n`),
    (e) => {
      process.stderr.write(`bundle failed: ${e.message}\n`);
      process.exit(1);
    },
  );
}
