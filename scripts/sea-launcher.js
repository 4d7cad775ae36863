'use strict';
/*
 * Main script of the single executable (scripts/build-binary.js): the split bundle's
 * launcher, reading from the executable's own assets instead of files. `main.js` is
 * compiled with the V8 code cache trained at build time (`main.js.cache`, made by the node
 * this executable is a copy of, so V8 accepts it unless NODE_OPTIONS changes V8's flags; it
 * then compiles from source). The optional-SDK chunks (`kms.js`, `s3.js`, ...) stay assets
 * until the configuration needs one: a start never parses them, as with the split files.
 * Assets are read-only parts of the executable, trusted as the code itself is.
 */
const { getAsset } = require('node:sea');
const vm = require('node:vm');

const WRAP = (source) => `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
const loaded = new Map();

/** The executable's asset `name` as text, or undefined when it has none by that name. */
function asset(name) {
  try {
    return getAsset(name, 'utf8');
  } catch {
    return undefined;
  }
}

/** CommonJS `require` for the bundle: the chunks (`./<name>.js`) from the assets, built-ins from node. */
function bundleRequire(id) {
  if (!id.startsWith('./')) return require(id);
  const name = id.slice(2);
  if (loaded.has(name)) return loaded.get(name).exports;
  const source = asset(name);
  if (source === undefined) throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
  const mod = { exports: {}, id: name, loaded: false };
  loaded.set(name, mod);
  new vm.Script(WRAP(source), { filename: `clef-agent:${name}` }).runInThisContext()(mod.exports, bundleRequire, mod, `/clef-agent/${name}`, '/clef-agent');
  mod.loaded = true;
  return mod.exports;
}

/** main.js with the trained code cache (a local: the cache's bytes are garbage once compiled). */
function compileMain() {
  let cachedData;
  try {
    cachedData = Buffer.from(getAsset('main.js.cache'));
  } catch {
    cachedData = undefined; // no cache embedded: compile from source
  }
  // main.js is written as the CommonJS wrapper already (scripts/bundle.js).
  return new vm.Script(getAsset('main.js', 'utf8'), { filename: 'clef-agent:main.js', cachedData });
}

const script = compileMain();
globalThis[Symbol.for('clef-agent.startup-form')] = script.cachedDataRejected === false ? 'code-cache' : 'compiled';
const main = { exports: {}, id: 'main.js', loaded: false };
loaded.set('main.js', main);
script.runInThisContext()(main.exports, bundleRequire, main, '/clef-agent/main.js', '/clef-agent');
