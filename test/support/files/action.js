/**
 * An on_change action for test/e2e/files.e2e.test.ts: appends one JSON line (its argv and
 * environment) to the log file it is given. With `fail-once` it fails its first run.
 */
const fs = require('node:fs');
const [log, behaviour] = process.argv.slice(2);
const marker = `${log}.failed-once`;
if (behaviour === 'fail-once' && !fs.existsSync(marker)) {
  fs.writeFileSync(marker, '');
  process.exit(3);
}
fs.appendFileSync(log, `${JSON.stringify({ at: Date.now(), argv: process.argv, env: process.env })}\n`);
