'use strict';
/**
 * Preloaded into one cold start by the bench (`node --require bench/require-timer.js`):
 * times each package the agent's own files require (inclusive of everything that package
 * loads) and writes `{package: ms}` to $BENCH_REQUIRE_TIMES_OUT at exit. Diagnostic only.
 */
const out = process.env.BENCH_REQUIRE_TIMES_OUT;
if (out) {
  const Module = require('node:module');
  const { performance } = require('node:perf_hooks');
  const original = Module.prototype.require;
  const times = Object.create(null);
  Module.prototype.require = function timedRequire(id) {
    const own = typeof this.filename === 'string' && !this.filename.includes('node_modules');
    if (!own || id.startsWith('.') || id.startsWith('node:') || Module.isBuiltin(id)) return original.apply(this, arguments);
    const t = performance.now();
    try {
      return original.apply(this, arguments);
    } finally {
      times[id] = (times[id] || 0) + (performance.now() - t);
    }
  };
  process.on('exit', () => {
    try {
      require('node:fs').writeFileSync(out, JSON.stringify({ total: performance.now(), times }));
    } catch {
      // best effort
    }
  });
}
