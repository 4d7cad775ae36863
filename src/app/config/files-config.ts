import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type * as Yaml from 'yaml';
import type { ActionSpec } from '../../adapters/files/change-actions';
import type { OutputTarget } from '../../adapters/files/file-sink';
import type { OutputSpec } from '../../domain/files/render';
import { parseTemplate, TemplateSyntaxError } from '../../domain/files/template';
import { ConfigError } from './config-error';
import { type RawOnChange, type RawOutput, outputsFileSchema } from './files-schema';
import { readOutputsFile } from './outputs-file';

const VARIABLE = 'CLEF_AGENT_FILES';

/** The parsed outputs file: what to render (domain) and how to write it (adapter). */
export interface FilesConfig {
  file: string;
  outputs: Array<{ spec: OutputSpec; target: OutputTarget }>;
  /** False for `render --once`: write, but run no on_change action. */
  runActions: boolean;
}

const DEFAULTS = { mode: 0o600, dirMode: 0o700, timeoutMs: 30_000, settleMs: 1_000, splayMs: 0, backoffMinMs: 1_000, backoffMaxMs: 300_000 };

function fail(file: string, why: string): never {
  throw new ConfigError(VARIABLE, `points to ${file}, which is not a valid outputs file: ${why}`);
}

/** Reads and checks CLEF_AGENT_FILES; undefined when it is not set. */
export async function filesConfig(file: string | undefined, cachePath: string | undefined): Promise<FilesConfig | undefined> {
  if (file === undefined) return undefined;
  let raw: unknown;
  try {
    // Loaded only when configured (startup cost, as for the tokens file).
    const { parse } = require('yaml') as typeof Yaml;
    raw = parse(readOutputsFile(VARIABLE, file), { maxAliasCount: 0 });
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    fail(file, `not YAML or JSON (${(e as Error).name})`);
  }
  const parsed = outputsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue.path.findIndex((p) => p === 'outputs');
    const index = at >= 0 ? issue.path[at + 1] : undefined;
    const field = issue.path.slice(at + 2).join('.');
    fail(file, `${typeof index === 'number' ? `output ${index + 1}: ` : ''}${field ? `${field}: ` : ''}${issue.message}`);
  }
  const outputs = [];
  for (const [i, o] of parsed.data.outputs.entries()) outputs.push(await output(file, i + 1, o, cachePath));
  checkOverlaps(file, outputs.map((o) => o.target.path));
  return { file, outputs, runActions: true };
}

async function output(file: string, n: number, o: RawOutput, cachePath: string | undefined): Promise<FilesConfig['outputs'][number]> {
  const bad = (why: string): never => fail(file, `output ${n} (${o.path}): ${why}`);
  const dest = checkedPath(o.path, bad);
  const bodies = [o.format, o.template, o.template_file].filter((b) => b !== undefined).length;
  if (bodies !== 1) bad('give exactly one of format, template or template_file');
  if ((o.namespaces || o.keys) && o.format === undefined) bad('namespaces and keys filter a format; a template names its secrets itself');
  let spec: OutputSpec;
  if (o.format !== undefined) spec = { path: dest, body: { kind: 'format', format: o.format, namespaces: o.namespaces, keys: o.keys } };
  else {
    const source = o.template ?? readOutputsFile(VARIABLE, checkedPath(o.template_file!, bad));
    try {
      spec = { path: dest, body: { kind: 'template', parts: parseTemplate(source) } };
    } catch (e) {
      if (e instanceof TemplateSyntaxError) bad(`template: ${e.message}`);
      throw e;
    }
  }
  if (cachePath !== undefined && inside(resolveExisting(dest), resolveExisting(path.resolve(cachePath)))) bad('is inside CLEF_AGENT_CACHE_PATH; outputs must live elsewhere');
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && o.owner !== undefined && o.owner !== uid) bad('owner can only be set when running as root (or to the agent\'s own uid)');
  const kind = o.format === 'files' ? 'directory' : 'file';
  const guarded = kind === 'directory' ? dest : path.dirname(dest);
  if (isSymlink(guarded)) bad(`${guarded} is a symbolic link where a directory is expected`);
  const target: OutputTarget = { path: dest, kind, mode: o.mode ?? DEFAULTS.mode, dirMode: o.dir_mode ?? DEFAULTS.dirMode, uid: o.owner, gid: o.group };
  if (o.on_change) target.onChange = action(o.on_change, bad);
  return { spec, target };
}

function action(a: RawOnChange, bad: (why: string) => never): ActionSpec {
  if ((a.command === undefined) === (a.signal === undefined)) bad('on_change needs exactly one of command or signal');
  if (a.signal !== undefined && a.pid_file === undefined) bad('on_change.signal needs pid_file (the process to signal)');
  if (a.command !== undefined && a.pid_file !== undefined) bad('on_change.pid_file goes with signal, not command');
  const run: ActionSpec['run'] = a.command ? { kind: 'command', argv: a.command } : { kind: 'signal', signal: a.signal as NodeJS.Signals, pidFile: checkedPath(a.pid_file!, bad) };
  const backoffMinMs = Math.max(a.backoff ?? DEFAULTS.backoffMinMs, 1);
  return {
    run,
    timeoutMs: Math.max(a.timeout ?? DEFAULTS.timeoutMs, 1),
    settleMs: a.settle ?? DEFAULTS.settleMs,
    splayMs: a.splay ?? DEFAULTS.splayMs,
    backoffMinMs,
    backoffMaxMs: Math.max(a.backoff_max ?? DEFAULTS.backoffMaxMs, backoffMinMs),
  };
}

/** Absolute, already normal (no `.`/`..` segments, no doubled or trailing slash). */
function checkedPath(p: string, bad: (why: string) => never): string {
  if (!path.isAbsolute(p)) bad(`${p} must be an absolute path`);
  if (p.split('/').some((seg) => seg === '..' || seg === '.')) bad(`${p} must not contain . or .. segments`);
  if (path.normalize(p) !== p || p === '/' || p.endsWith('/')) bad(`${p} must be a normalised path (no // or trailing /)`);
  if (p.includes('\0')) bad('a path must not contain NUL');
  return p;
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The real path of `p`'s nearest existing ancestor, with the missing rest appended. */
function resolveExisting(p: string): string {
  const rest: string[] = [];
  let at = p;
  for (;;) {
    try {
      return path.join(realpathSync(at), ...rest.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return p;
      rest.push(path.basename(at));
      at = parent;
    }
  }
}

function inside(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/** Two outputs at the same path, or one inside another's directory, would fight. */
function checkOverlaps(file: string, paths: readonly string[]): void {
  paths.forEach((a, i) =>
    paths.forEach((b, j) => {
      if (i !== j && inside(a, b)) fail(file, `output ${i + 1} (${a}) overlaps output ${j + 1} (${b})`);
    }),
  );
}
