'use strict';
/**
 * esbuild plugins that take work off the agent's start without changing what it does
 * (issue 20; bench/RESULTS.md, "Startup experiments" has the numbers). Every bundle the
 * agent ships in uses them (main.js, the SEA file, the snapshot entry); the chunks keep
 * their packages as they are.
 */
const { createRequire } = require('node:module');
const path = require('node:path');

/**
 * Koa's content negotiation (mime-types, through accepts, type-is and Koa's response)
 * loads all of mime-db: two copies of a 2,500-entry object literal, 280 KiB of the bundle,
 * evaluated at start. The agent sets every Content-Type itself; Koa only ever resolves the
 * short names it uses internally ('json', 'text', 'html', 'bin') and the form types of
 * request.is(). The bundle gets those entries, copied from the installed mime-db at build
 * time, so each lookup the agent can make answers exactly as with the full database
 * (test/build/bundle-trims.test.ts compares them).
 */
const MIME_TYPES_KEPT = [
  'application/json',
  'application/octet-stream',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/html',
  'text/plain',
];

function mimeSubset(resolveDir) {
  const db = createRequire(path.join(resolveDir, 'index.js'))('mime-db');
  return Object.fromEntries(MIME_TYPES_KEPT.filter((t) => db[t]).map((t) => [t, db[t]]));
}

/** A plugin answering imports of the package `name` with `contents(resolveDir)`, generated JavaScript. */
function replacePackage(name, contents) {
  const namespace = `clef-agent-replaced-${name}`;
  return {
    name: namespace,
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${name}$`) }, (args) => ({ path: args.resolveDir || '.', namespace }));
      build.onLoad({ filter: /.*/, namespace }, (args) => ({ contents: contents(args.path), loader: 'js' }));
    },
  };
}

const MIME_DB_SUBSET = replacePackage('mime-db', (resolveDir) => `module.exports = ${JSON.stringify(mimeSubset(resolveDir))};`);

/**
 * depd (Koa's and http-errors' deprecation notices) captures and formats a stack trace for
 * every package that loads it, at load time; the agent calls no deprecated API, so a
 * plain start printed nothing from it either. Node 20's snapshot builder cannot give it a
 * stack trace at all.
 */
const QUIET_DEPD = replacePackage(
  'depd',
  () => 'module.exports = function depd() { function deprecate() {} deprecate.function = (fn) => fn; deprecate.property = () => undefined; return deprecate; };',
);

/**
 * `debug` (Koa's, the router's, and the GCP/Azure HTTP stacks' tracing) probes the
 * terminal and colour support when loaded. The agent logs through pino with its redaction
 * only: a DEBUG=* channel that prints request internals around it is not something a
 * secrets sidecar should offer, so every bundle gets a debug that is always disabled.
 */
const SILENT_DEBUG = replacePackage('debug', () =>
  [
    'function createDebug() { const d = function () {}; d.enabled = false; d.namespace = ""; d.extend = createDebug; d.log = function () {}; d.destroy = function () {}; return d; }',
    'createDebug.enabled = () => false; createDebug.enable = () => {}; createDebug.disable = () => ""; createDebug.debug = createDebug; createDebug.default = createDebug;',
    'createDebug.formatters = {}; createDebug.names = []; createDebug.skips = []; createDebug.humanize = (ms) => `${ms}ms`;',
    'module.exports = createDebug;',
  ].join('\n'),
);

/**
 * age-encryption loads the post-quantum hybrid KEMs (ML-KEM-768 with X25519 or P-256) and
 * the NIST curves when it is loaded, to build their lookup tables; they serve only
 * AGE-SECRET-KEY-PQ identities and p256/mlkem tag recipients. Its imports of those two
 * modules get objects that load the real module on first use (a Proxy forwarding get,
 * set and has), so an agent with an X25519 key never evaluates them.
 */
const LAZY_FOR_AGE = /^@noble\/(post-quantum\/hybrid|curves\/nist)\.js$/;

function lazyModuleSource(realPath) {
  const exported = require(realPath);
  const names = Object.keys(exported).filter((k) => exported[k] !== null && (typeof exported[k] === 'object' || typeof exported[k] === 'function'));
  return [
    'let real;',
    `const load = () => real || (real = require(${JSON.stringify(realPath)}));`,
    'const lazy = (name, callable) => new Proxy(callable ? function () {} : {}, {',
    '  get: (_, key) => Reflect.get(load()[name], key),',
    '  set: (_, key, value) => Reflect.set(load()[name], key, value),',
    '  has: (_, key) => Reflect.has(load()[name], key),',
    '  apply: (_, self, args) => Reflect.apply(load()[name], self, args),',
    '  construct: (_, args, target) => Reflect.construct(load()[name], args),',
    '});',
    `module.exports = { ${names.map((n) => `${JSON.stringify(n)}: lazy(${JSON.stringify(n)}, ${typeof exported[n] === 'function'})`).join(', ')} };`,
  ].join('\n');
}

const LAZY_AGE_EXTRAS = {
  name: 'clef-agent-lazy-age-extras',
  setup(build) {
    build.onResolve({ filter: LAZY_FOR_AGE }, async (args) => {
      if (args.pluginData === 'real' || !/[\\/]age-encryption[\\/]/.test(args.importer)) return undefined;
      const real = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'real' });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-for-age' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-for-age' }, (args) => ({ contents: lazyModuleSource(args.path), loader: 'js', resolveDir: path.dirname(args.path) }));
  },
};

const TRIMS = [MIME_DB_SUBSET, QUIET_DEPD, SILENT_DEBUG, LAZY_AGE_EXTRAS];

module.exports = { MIME_DB_SUBSET, QUIET_DEPD, SILENT_DEBUG, LAZY_AGE_EXTRAS, MIME_TYPES_KEPT, mimeSubset, TRIMS };
