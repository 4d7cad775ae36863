import type { SecretsTree } from '../artifact/payload';
import { flatName } from '../snapshot';

/**
 * The built-in output formats, as pure functions of a (filtered) secrets tree. Each
 * escapes for its own syntax so that any value the artifact can hold (quotes, CRLF,
 * multi-line PEM, NUL, unicode) reads back byte for byte, or is skipped and reported
 * by name when the syntax cannot hold it at all (dotenv cannot hold NUL).
 */
export type OutputFormat = 'files' | 'dotenv' | 'json' | 'yaml' | 'properties';

export type SkipReason = 'invalid_name' | 'nul_in_value';
export type OnSkip = (key: string, reason: SkipReason) => void;

/** What a POSIX shell accepts as a variable name. */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A safe single path component: no separators, no leading dot (`..data` and friends are ours). */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}$/;

function* entries(tree: SecretsTree): Generator<[string, string]> {
  for (const ns of Object.keys(tree)) for (const key of Object.keys(tree[ns])) yield [flatName(ns, key), tree[ns][key]];
}

/** POSIX shell syntax (`set -a; . ./file`): single quotes keep everything literal, newlines
 * included; a quote is closed, escaped and reopened. */
export function dotenv(tree: SecretsTree, onSkip: OnSkip): string {
  let out = '';
  for (const [name, value] of entries(tree)) {
    if (!SHELL_NAME.test(name)) onSkip(name, 'invalid_name');
    else if (value.includes('\0')) onSkip(name, 'nul_in_value');
    else out += `${name}='${value.replace(/'/g, "'\\''")}'\n`;
  }
  return out;
}

/** The same nested shape as `GET /v1/secrets`, indented, with a final newline. */
export function json(tree: SecretsTree): string {
  return `${JSON.stringify(tree, null, 2)}\n`;
}

/** Characters JSON leaves raw that YAML treats as line breaks, BOM or non-printable. */
const YAML_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

/** A YAML double-quoted scalar: JSON's escapes are all valid YAML escapes. */
export function yamlString(s: string): string {
  return JSON.stringify(s).replace(YAML_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Block mappings with every key and value double-quoted: no YAML type guessing
 * (`no`, `0x1`, `~`), no indentation games with multi-line values. */
export function yaml(tree: SecretsTree): string {
  const namespaces = Object.keys(tree);
  if (namespaces.length === 0) return '{}\n';
  let out = '';
  for (const ns of namespaces) {
    const keys = Object.keys(tree[ns]);
    out += `${yamlString(ns)}:${keys.length === 0 ? ' {}' : ''}\n`;
    for (const key of keys) out += `  ${yamlString(key)}: ${yamlString(tree[ns][key])}\n`;
  }
  return out;
}

/** java.util.Properties#store escaping, without its timestamp comment (which would change
 * the file on every write): backslash escapes, \uXXXX outside printable ASCII. */
function propertiesEscape(s: string, isKey: boolean): string {
  let out = '';
  for (let i = 0; i < s.length; i += 1) {
    const c = s[i];
    const code = s.charCodeAt(i);
    if (c === '\\') out += '\\\\';
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\f') out += '\\f';
    else if (c === ' ') out += isKey || i === 0 ? '\\ ' : ' ';
    else if (c === '=' || c === ':' || c === '#' || c === '!') out += `\\${c}`;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

export function properties(tree: SecretsTree): string {
  let out = '';
  for (const [name, value] of entries(tree)) out += `${propertiesEscape(name, true)}=${propertiesEscape(value, false)}\n`;
  return out;
}

/** One file per secret, named `<namespace>__<key>`; names that are not a safe single path
 * component are skipped (a key is artifact data: it must never choose where a file goes). */
export function files(tree: SecretsTree, onSkip: OnSkip): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const [name, value] of entries(tree)) {
    if (!FILE_NAME.test(name) || seen.has(name)) onSkip(name, 'invalid_name');
    else {
      seen.add(name);
      out.push([name, value]);
    }
  }
  return out;
}
