/**
 * The public API report (etc/*.api.md, scripts/api-report.js) is current, and a change to
 * the declarations an entry point exports fails the check. dist/ is built by globalSetup.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts/api-report.js');
const check = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8' });

test('etc/*.api.md matches the declarations in dist/', () => {
  const run = check();
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
});

test('an added export fails the check and names the report to update', () => {
  // In the repository (.tmp/ is ignored), so the copy resolves its imports (inversify, ...)
  // from node_modules; not under node_modules, where api-extractor treats files as external.
  const copy = path.join(ROOT, '.tmp/api-report-test');
  rmSync(copy, { recursive: true, force: true });
  mkdirSync(copy, { recursive: true });
  try {
    cpSync(path.join(ROOT, 'dist'), copy, { recursive: true, filter: (src) => !src.includes(`${path.sep}bundle`) && (!/\.\w+$/.test(src) || src.endsWith('.d.ts')) });
    appendFileSync(path.join(copy, 'testing/index.d.ts'), '\nexport declare function surprise(): void;\n');
    const run = check('--dist', copy);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('./testing: the public API differs from etc/clef-agent-testing.api.md');
    expect(run.stderr).not.toContain('./ports:');
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});
