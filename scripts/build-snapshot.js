'use strict';
/**
 * node [V8 flags] scripts/build-snapshot.js <lib-dir> [<launcher>]
 *
 * Builds <lib-dir>/agent.blob, a V8 startup snapshot of the agent, from
 * <lib-dir>/snapshot-entry.js (written by scripts/bundle.js with `snapshot`), then deletes
 * that entry. Run it with the node binary and the V8 flags (NODE_OPTIONS or flags before
 * the script) the agent will run with: node refuses a blob made by another build or with
 * other V8 flags, before any JavaScript runs (exit 14), so there is no in-process fallback
 * as there is for the code cache; this script therefore checks the blob by starting it
 * (`--version`) before it keeps it.
 *
 * Start the agent from it with `node [same flags] --snapshot-blob <lib-dir>/agent.blob
 * <launcher> run` (argv then has the same shape as a plain start).
 *
 * The builder runs with an empty environment (only NODE_OPTIONS): the snapshot's heap is
 * the result of evaluating modules, never of reading the build machine's environment.
 */
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

/** Built-ins the snapshot cannot hold (native handles or bindings V8 cannot serialize) or
 * node does not support in user snapshots; the prelude defers them. */
const DEFERRED = ['http', 'https', 'http2', 'tls', 'worker_threads', 'child_process', 'perf_hooks', 'module', 'vm', 'inspector', 'readline', 'dgram', 'cluster'];
/** Plain data of deferred modules that packages read while being evaluated. */
const CONSTANTS = { http: ['METHODS', 'STATUS_CODES'], worker_threads: ['isMainThread'] };

function prelude(body) {
  const keys = Object.fromEntries(DEFERRED.map((m) => [m, Object.keys(require(m))]));
  const functions = Object.fromEntries(DEFERRED.map((m) => [m, Object.keys(require(m)).filter((k) => typeof require(m)[k] === 'function')]));
  const constants = Object.fromEntries(Object.entries(CONSTANTS).map(([m, names]) => [m, Object.fromEntries(names.map((n) => [n, require(m)[n]]))]));
  const template = readFileSync(path.join(__dirname, 'snapshot-prelude.js'), 'utf8');
  return template
    .replace('__CLEF_AGENT_DEFERRED__', () => JSON.stringify(keys))
    .replace('__CLEF_AGENT_FUNCTIONS__', () => JSON.stringify(functions))
    .replace('__CLEF_AGENT_CONSTANTS__', () => JSON.stringify(constants))
    .replace('__CLEF_AGENT_BODY__', () => body);
}

/** The V8 flags this node runs with, to pass on to the builder and the check. */
function v8Flags() {
  return process.execArgv.filter((a) => !a.startsWith('--snapshot-blob') && a !== '--build-snapshot');
}

/**
 * <blob>.stamp, read by the native start (scripts/native/snapshot-exec.c): what node would
 * compare before accepting the blob, in a form that start can check without running node.
 * The node binary by path, size and mtime (another build of node is another file); the
 * blob's size; and the V8 flags as the NODE_OPTIONS that reproduces them (the native start
 * passes no flags of its own, so NODE_OPTIONS is the only way flags reach node there).
 */
function stamp(blob) {
  const flags = v8Flags();
  const envOptions = process.env.NODE_OPTIONS ?? '';
  if (flags.length > 0 && envOptions !== '') throw new Error('give the V8 flags either on the command line or in NODE_OPTIONS, not both');
  const nodeOptions = flags.length > 0 ? flags.join(' ') : envOptions;
  const node = statSync(process.execPath, { bigint: true });
  const nsec = (node.mtimeNs % 1_000_000_000n).toString().padStart(9, '0');
  if (/[\n\r]/.test(nodeOptions) || /[\n\r]/.test(process.execPath)) throw new Error('NODE_OPTIONS and the node path must be one line');
  return [
    'clef-agent-snapshot 1',
    `node=${process.execPath}`,
    `node_size=${node.size}`,
    `node_mtime=${node.mtimeNs / 1_000_000_000n}.${nsec}`,
    `blob_size=${statSync(blob).size}`,
    `node_options=${nodeOptions}`,
    '',
  ].join('\n');
}

function buildSnapshot(libDir, launcher) {
  const entry = path.join(libDir, 'snapshot-entry.js');
  const blob = path.join(libDir, 'agent.blob');
  const work = mkdtempSync(path.join(tmpdir(), 'clef-agent-snapshot-'));
  const env = process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {};
  try {
    const script = path.join(work, 'snapshot-entry.js');
    const source = prelude(readFileSync(entry, 'utf8'));
    // One non-ASCII character (even in a comment) makes V8 hold the whole ~700 KB script as
    // UTF-16 in the snapshot: twice the memory, and more to deserialize at every start.
    if (/[^\x00-\x7f]/.test(source)) throw new Error('the snapshot entry is not ASCII (scripts/snapshot-prelude.js?)');
    writeFileSync(script, source);
    rmSync(blob, { force: true });
    rmSync(`${blob}.stamp`, { force: true });
    execFileSync(process.execPath, [...v8Flags(), '--snapshot-blob', blob, '--build-snapshot', script], { cwd: work, env, stdio: ['ignore', 'ignore', 'pipe'] });
    chmodSync(blob, 0o644);
    const version = execFileSync(process.execPath, [...v8Flags(), '--snapshot-blob', blob, launcher ?? entry, '--version'], { cwd: work, env, encoding: 'utf8' });
    const expected = JSON.parse(readFileSync(path.join(__dirname, '../package.json'), 'utf8')).version;
    if (version.trim() !== expected) throw new Error(`the snapshot printed ${JSON.stringify(version)} for --version`);
    writeFileSync(`${blob}.stamp`, stamp(blob), { mode: 0o644 });
  } catch (e) {
    rmSync(blob, { force: true });
    rmSync(`${blob}.stamp`, { force: true });
    const stderr = e.stderr ? `: ${String(e.stderr).split('\n').filter((l) => l && !/not yet fully verified|may still work|issue tracker|trace-warnings/.test(l)).slice(0, 5).map((l) => l.slice(0, 300)).join(' | ')}` : '';
    throw new Error(`building the startup snapshot failed (${e.message.split('\n')[0]})${stderr}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(entry, { force: true });
  }
  return blob;
}

module.exports = { buildSnapshot, DEFERRED };

if (require.main === module) {
  const [libDir, launcher] = process.argv.slice(2);
  if (!libDir) {
    process.stderr.write('usage: node [flags] scripts/build-snapshot.js <lib-dir> [<launcher>]\n');
    process.exit(2);
  }
  try {
    const blob = buildSnapshot(path.resolve(libDir), launcher && path.resolve(launcher));
    process.stderr.write(`built ${path.relative(process.cwd(), blob)}\n`);
  } catch (e) {
    process.stderr.write(`build-snapshot failed: ${e.message}\n`);
    process.exit(1);
  }
}
