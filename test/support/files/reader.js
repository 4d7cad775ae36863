/**
 * A consumer reading rendered outputs in a tight loop while the agent rotates them
 * (test/e2e/files.e2e.test.ts). Every value is `<rev>:<filler>:end`, so a partial file,
 * a missing file or two revisions in one view are all detectable. Runs until the stop
 * file exists, then prints one JSON line of counts. Every 100 reads it writes the count to
 * `<stop file>.progress`, so the test rotates until enough reads overlapped rotations.
 */
const fs = require('node:fs');
const path = require('node:path');
const [dir, envFile, jsonFile, stopFile] = process.argv.slice(2);
const NAMES = ['app__A', 'app__B', 'app__Z'];
const out = { reads: 0, mixed: 0, partial: 0, missing: 0, retries: 0, revisions: [], problems: [] };
const seen = new Set();
const problem = (kind, detail) => {
  out[kind] += 1;
  if (out.problems.length < 5) out.problems.push(`${kind}: ${detail}`);
};
const rev = (value, where) => {
  const m = /^(r\d+):x+:end$/.exec(value);
  if (!m) problem('partial', `${where}: ${JSON.stringify(value.slice(0, 40))}…${value.length}`);
  return m ? m[1] : null;
};
function one(file, fn) {
  try {
    fn(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    problem('missing', `${file}: ${e.code}`);
  }
}
while (!fs.existsSync(stopFile)) {
  // each file whole and of one revision
  for (const name of NAMES) one(path.join(dir, name), (v) => rev(v, name) && seen.add(rev(v, name)));
  one(envFile, (text) => {
    const lines = text.split('\n').filter(Boolean);
    if (lines.length !== 3) return problem('partial', `env has ${lines.length} lines`);
    const revs = new Set(lines.map((l) => rev(l.replace(/^app__[ABZ]='(.*)'$/, '$1'), 'env')));
    if (revs.size !== 1) problem('mixed', `env: ${[...revs]}`);
  });
  one(jsonFile, (text) => {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      return problem('partial', 'json does not parse');
    }
    const revs = new Set(Object.values(parsed.app).map((v) => rev(v, 'json')));
    if (revs.size !== 1) problem('mixed', `json: ${[...revs]}`);
  });
  // a consistent set: resolve ..data once, read every name under it
  try {
    const data = fs.readlinkSync(path.join(dir, '..data'));
    const revs = new Set(NAMES.map((n) => rev(fs.readFileSync(path.join(dir, data, n), 'utf8'), `set/${n}`)));
    if (revs.size !== 1) problem('mixed', `set: ${[...revs]}`);
  } catch (e) {
    if (e.code === 'ENOENT') out.retries += 1; // that revision was pruned meanwhile: resolve again
    else problem('missing', `set: ${e.code}`);
  }
  out.reads += 1;
  if (out.reads % 100 === 0) fs.writeFileSync(`${stopFile}.progress`, String(out.reads));
}
out.revisions = [...seen].sort();
process.stdout.write(`${JSON.stringify(out)}\n`);
