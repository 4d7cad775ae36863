'use strict';
/**
 * Preloaded into the agent by the bench (`node --require bench/module-probe.js`): at exit
 * it writes the list of CommonJS modules the process loaded to $BENCH_MODULE_PROBE_OUT,
 * so the bench can check that no AWS or OpenTelemetry SDK was loaded when neither is
 * configured. It registers one exit listener and nothing else: no cost while serving.
 */
const out = process.env.BENCH_MODULE_PROBE_OUT;
if (out) {
  process.on('exit', () => {
    try {
      require('node:fs').writeFileSync(out, JSON.stringify(Object.keys(require.cache)));
    } catch {
      // best effort
    }
  });
}
