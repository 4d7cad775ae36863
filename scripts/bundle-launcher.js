'use strict';
/*
 * clef-agent launcher, written by scripts/bundle.js next to its lib directory.
 *
 * It compiles lib/main.js with V8's code cache (lib/main.js.cache) when there is one, so
 * a start skips parsing and compiling the agent (issue 8: about half of the cold start).
 * The cache is made at build time by scripts/train-code-cache.js with the same node and
 * flags as the runtime; V8 checks its version, flags and source and rejects a cache that
 * does not match, and the launcher then compiles from source as plain node would. The
 * cache is code: it ships with the same owner and mode as main.js and is never written
 * at run time.
 */
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const MAIN = path.join(__dirname, __CLEF_AGENT_LIB__, 'main.js');

/** main.js is one function expression `(function (exports, require, module, __filename, __dirname) {...})`. */
function compile(main = MAIN) {
  let cachedData;
  try {
    cachedData = readFileSync(`${main}.cache`);
  } catch {
    cachedData = undefined; // no cache shipped: compile from source
  }
  // latin1: scripts/bundle.js checks that main.js is ASCII (esbuild escapes the rest), so
  // this is the same string as a UTF-8 read, made without validating 600 KiB of UTF-8.
  return new vm.Script(readFileSync(main, 'latin1'), { filename: main, cachedData });
}

function start(script, main = MAIN) {
  const mod = { exports: {}, filename: main, id: main, loaded: false };
  // Read by the agent's agent.startup log line (src/app/startup-form.ts).
  globalThis[Symbol.for('clef-agent.startup-form')] = script.cachedDataRejected === false ? 'code-cache' : 'compiled';
  script.runInThisContext()(mod.exports, createRequire(main), mod, main, path.dirname(main));
}

if (require.main === module) start(compile());
else module.exports = { MAIN, compile, start };
