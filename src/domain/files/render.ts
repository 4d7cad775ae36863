import type { SecretsTree } from '../artifact/payload';
import { AgentError } from '../errors';
import type { SecretsSnapshot } from '../snapshot';
import { dotenv, files, json, type OnSkip, type OutputFormat, properties, type SkipReason, yaml } from './formats';
import type { TemplatePart } from './template';

/** One configured output, as the domain needs it: where, and what goes in. */
export interface OutputSpec {
  path: string;
  body: { kind: 'format'; format: OutputFormat; namespaces?: readonly string[]; keys?: readonly string[] } | { kind: 'template'; parts: readonly TemplatePart[] };
}

/** Rendered content of one output: a single file, or a directory of named files. */
export type RenderedOutput = { path: string; kind: 'file'; content: string } | { path: string; kind: 'directory'; files: ReadonlyArray<[string, string]> };

export interface Skipped {
  output: string;
  key: string;
  reason: SkipReason;
}

function missing(output: string, what: string): AgentError {
  return new AgentError('files_missing_secret', `output ${output} names ${what}, which is not in the artifact; the previous files are kept`);
}

/** The tree an output's `namespaces`/`keys` filter selects; a name the filter lists that
 * the artifact lacks is an error, never an output silently missing a value. */
function selected(snapshot: SecretsSnapshot, spec: OutputSpec & { body: { kind: 'format' } }): SecretsTree {
  const { namespaces, keys } = spec.body;
  const tree: Record<string, Record<string, string>> = Object.create(null);
  const allowed = namespaces ? new Set(namespaces) : null;
  for (const ns of namespaces ?? []) if (!snapshot.namespaces.includes(ns)) throw missing(spec.path, `namespace "${ns}"`);
  const wanted = keys ? new Set(keys) : null;
  for (const name of keys ?? []) if (snapshot.getFlat(name) === undefined) throw missing(spec.path, `"${name}"`);
  const whole = snapshot.subset(new Set(snapshot.namespaces));
  for (const ns of Object.keys(whole)) {
    if (allowed && !allowed.has(ns)) continue;
    for (const key of Object.keys(whole[ns])) {
      if (wanted && !wanted.has(`${ns}__${key}`)) continue;
      (tree[ns] ??= Object.create(null) as Record<string, string>)[key] = whole[ns][key];
    }
    if (!wanted && !tree[ns]) tree[ns] = Object.create(null) as Record<string, string>;
  }
  return tree;
}

function renderTemplate(snapshot: SecretsSnapshot, path: string, parts: readonly TemplatePart[]): string {
  let out = '';
  for (const part of parts) {
    if (part.kind === 'text') out += part.text;
    else {
      const value = snapshot.get(part.namespace, part.key);
      if (value === undefined) throw missing(path, `"${part.namespace}" "${part.key}"`);
      out += value;
    }
  }
  return out;
}

/**
 * Renders every output of one revision, or throws (AgentError `files_missing_secret`)
 * without a partial result: the caller writes all of them or none.
 */
export function renderOutputs(specs: readonly OutputSpec[], snapshot: SecretsSnapshot): { outputs: RenderedOutput[]; skipped: Skipped[] } {
  const skipped: Skipped[] = [];
  const outputs = specs.map((spec): RenderedOutput => {
    const onSkip: OnSkip = (key, reason) => skipped.push({ output: spec.path, key, reason });
    const body = spec.body;
    if (body.kind === 'template') return { path: spec.path, kind: 'file', content: renderTemplate(snapshot, spec.path, body.parts) };
    const tree = selected(snapshot, { ...spec, body });
    switch (body.format) {
      case 'files':
        return { path: spec.path, kind: 'directory', files: files(tree, onSkip) };
      case 'dotenv':
        return { path: spec.path, kind: 'file', content: dotenv(tree, onSkip) };
      case 'json':
        return { path: spec.path, kind: 'file', content: json(tree) };
      case 'yaml':
        return { path: spec.path, kind: 'file', content: yaml(tree) };
      case 'properties':
        return { path: spec.path, kind: 'file', content: properties(tree) };
    }
  });
  return { outputs, skipped };
}
