'use strict';
/**
 * The public API report (@microsoft/api-extractor): one file per package entry point in
 * etc/, generated from the declarations tsc writes to dist/. Committed, so a change to
 * the public API shows up in review, and checked on every test run
 * (test/package/api-report.test.ts): an API change without an updated report fails.
 *
 *   node scripts/api-report.js            check dist/ against etc/ (exit 1 on a difference)
 *   node scripts/api-report.js --update   rewrite etc/*.api.md (after `npm run build`)
 *   --dist <dir>                          read declarations from <dir> instead of dist/
 */
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { CompilerState, Extractor, ExtractorConfig } = require('@microsoft/api-extractor');

const ROOT = path.resolve(__dirname, '..');
/** package.json `exports` subpath → declaration entry and report file. */
const ENTRIES = [
  { subpath: '.', dts: 'index.d.ts', report: 'clef-agent.api.md' },
  { subpath: './ports', dts: 'ports.d.ts', report: 'clef-agent-ports.api.md' },
  { subpath: './testing', dts: 'testing/index.d.ts', report: 'clef-agent-testing.api.md' },
];

function configFor(entry, distDir, tempFolder) {
  const mainEntryPointFilePath = path.join(distDir, entry.dts);
  return ExtractorConfig.prepare({
    configObjectFullPath: path.join(ROOT, 'api-extractor.json'),
    packageJsonFullPath: path.join(ROOT, 'package.json'),
    configObject: {
      projectFolder: ROOT,
      mainEntryPointFilePath,
      // Only the entry's declarations and what they import, not the whole project.
      compiler: { overrideTsconfig: { compilerOptions: { target: 'ES2022', module: 'commonjs', moduleResolution: 'node10', types: ['node'], skipLibCheck: true, strict: true }, files: [mainEntryPointFilePath] } },
      apiReport: { enabled: true, reportFileName: entry.report, reportFolder: path.join(ROOT, 'etc'), reportTempFolder: tempFolder },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        // Release tags are not used: everything exported from an entry point is public.
        extractorMessageReporting: { default: { logLevel: 'warning' }, 'ae-missing-release-tag': { logLevel: 'none' }, 'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: false }, 'ae-undocumented': { logLevel: 'none' }, 'ae-unresolved-link': { logLevel: 'none' } },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
  });
}

function run({ update, distDir }) {
  const temp = mkdtempSync(path.join(tmpdir(), 'clef-api-report-'));
  const problems = [];
  try {
    const configs = ENTRIES.map((entry) => configFor(entry, distDir, temp));
    // One TypeScript program for the three entry points.
    const compilerState = CompilerState.create(configs[0], { additionalEntryPoints: configs.map((c) => c.mainEntryPointFilePath) });
    for (const [i, entry] of ENTRIES.entries()) {
      const result = Extractor.invoke(configs[i], {
        localBuild: update,
        compilerState,
        messageCallback: (m) => {
          const console = String(m.messageId).startsWith('console-');
          if (!console && (m.logLevel === 'warning' || m.logLevel === 'error')) problems.push(`${entry.subpath}: ${m.formatMessageWithLocation(ROOT)}`);
          m.handled = true;
        },
      });
      if (result.apiReportChanged && !update) problems.push(`${entry.subpath}: the public API differs from etc/${entry.report}; run \`npm run api-report\` and commit the report if the change is intended`);
      else if (!result.succeeded && !update) problems.push(`${entry.subpath}: api-extractor failed`);
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return problems;
}

module.exports = { run, ENTRIES };

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--dist');
  const distDir = at >= 0 ? path.resolve(args[at + 1]) : path.join(ROOT, 'dist');
  const problems = run({ update: args.includes('--update'), distDir });
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.exit(problems.length > 0 ? 1 : 0);
}
