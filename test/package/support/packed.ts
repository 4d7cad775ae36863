/**
 * The packed package, as a user gets it: `npm pack` (its `prepack` builds dist/ and the
 * bin bundle) run in a temporary copy of the build inputs, so the repository's own dist/,
 * which other test files run, is never rewritten underneath them. npm keeps its cache
 * inside the repository (node_modules/.cache), nothing outside it or the temp dir.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export const ROOT = path.resolve(__dirname, '../../..');
const NPM_CACHE = path.join(ROOT, 'node_modules/.cache/clef-agent-npm');
const BUILD_INPUTS = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'scripts', 'README.md', 'ARCHITECTURE.md', 'SECURITY.md', 'docs'];
const run = promisify(execFile);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (never throws on a non-zero exit). */
export async function exec(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 180_000, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: `${err.stderr ?? ''}${err.message}` };
  }
}

const npmEnv = (): NodeJS.ProcessEnv => {
  // Outer npm lifecycle settings (from `npm test`) must not leak into these npm runs.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...env, npm_config_cache: NPM_CACHE, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
};

async function npm(args: string[], cwd: string): Promise<string> {
  const r = await exec('npm', args, { cwd, env: npmEnv(), timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

export interface Packed {
  tarball: string;
  files: string[];
}

/** `npm pack` of a copy of the repository's build inputs, into `work`. */
export async function packInCopy(work: string): Promise<Packed> {
  const copy = path.join(work, 'clef-agent');
  mkdirSync(copy, { recursive: true });
  for (const input of BUILD_INPUTS) if (existsSync(path.join(ROOT, input))) cpSync(path.join(ROOT, input), path.join(copy, input), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  await npm(['pack', '--pack-destination', work, '--loglevel=error'], copy);
  const { name, version } = JSON.parse(readFileSync(path.join(copy, 'package.json'), 'utf8')) as { name: string; version: string };
  const tarball = path.join(work, `${name}-${version}.tgz`);
  const listing = await exec('tar', ['-tzf', tarball], { cwd: work });
  return { tarball, files: listing.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, '')) };
}

/** A project in `dir` whose `clef-agent` dependency is the tarball, installed. */
export async function installWithTarball(dir: string, tarball: string): Promise<void> {
  const manifest = path.join(dir, 'package.json');
  const pkg: { dependencies?: Record<string, string> } = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')) : { name: 'clef-agent-consumer', version: '1.0.0', private: true };
  pkg.dependencies = { ...pkg.dependencies, 'clef-agent': `file:${tarball}` };
  writeFileSync(manifest, JSON.stringify(pkg, null, 2));
  await npm(['install', '--no-package-lock', '--prefer-offline', '--loglevel=error'], dir);
}
