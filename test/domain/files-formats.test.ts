/**
 * The built-in output formats and templates (docs/FILES.md) as pure functions: the
 * expected files in test/fixtures/files are pinned byte for byte, and each format is read
 * back by its real consumer (JSON.parse, the yaml parser, sh and bash, java.util.Properties)
 * so the pinned bytes are known to mean exactly the vector's values.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { dotenv, files, json, properties, yaml } from '../../src/domain/files/formats';
import { renderOutputs, type OutputSpec } from '../../src/domain/files/render';
import { parseTemplate, TemplateSyntaxError } from '../../src/domain/files/template';
import { isAgentError } from '../../src/domain/errors';
import { SecretsSnapshot } from '../../src/domain/snapshot';
import { loadExpect } from '../support/vectors';

const FIXTURES = path.resolve(__dirname, '../fixtures/files');
const SECRETS = loadExpect('a-age-basic').secrets!;
const tree = (t: Record<string, Record<string, string>>) => t;
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'clef-formats-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Sources a dotenv file in a POSIX shell and returns the exported `__` variables. */
function sourced(shell: 'sh' | 'bash', text: string): Record<string, string> {
  const file = path.join(dir, `x-${shell}.env`);
  writeFileSync(file, text);
  const script = `set -a; . "$1"; exec "$2" -e 'process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.includes("__")))))'`;
  return JSON.parse(execFileSync(shell, ['-c', script, shell, file, process.execPath], { env: {}, encoding: 'utf8' }));
}

/** Loads a properties file with java.util.Properties#load. */
function javaLoaded(text: string): Record<string, string> {
  const file = path.join(dir, 'x.properties');
  writeFileSync(file, text, 'latin1'); // properties files are ISO-8859-1; ours are pure ASCII
  const out = execFileSync('java', [path.resolve(__dirname, '../support/files/PropertiesDump.java'), file], { encoding: 'utf8' });
  return JSON.parse(out);
}

const flat = (t: Record<string, Record<string, string>>) => Object.fromEntries(Object.entries(t).flatMap(([ns, kv]) => Object.entries(kv).map(([k, v]) => [`${ns}__${k}`, v])));

describe('against the vectors (a-age-basic: PEM, CRLF, NUL, quotes, unicode, 64 KiB)', () => {
  it('json: pinned bytes, parses back to the exact tree', () => {
    expect(json(SECRETS)).toBe(fixture('a-age-basic.json'));
    expect(JSON.parse(fixture('a-age-basic.json'))).toEqual(SECRETS);
  });

  it('yaml: pinned bytes, every key and value double-quoted, reads back exactly under YAML 1.2 and 1.1', () => {
    expect(yaml(SECRETS)).toBe(fixture('a-age-basic.yaml'));
    expect(parseYaml(fixture('a-age-basic.yaml'))).toEqual(SECRETS);
    expect(parseYaml(fixture('a-age-basic.yaml'), { version: '1.1' })).toEqual(SECRETS);
  });

  it('dotenv: pinned bytes; sh and bash read back every value except the one holding NUL, which is skipped by name', () => {
    const skipped: Array<[string, string]> = [];
    expect(dotenv(SECRETS, (k, r) => skipped.push([k, r]))).toBe(fixture('a-age-basic.env'));
    expect(skipped).toEqual([['payments__CONTROL_CHARS', 'nul_in_value']]);
    const expected = flat(SECRETS);
    delete expected.payments__CONTROL_CHARS;
    expect(sourced('sh', fixture('a-age-basic.env'))).toEqual(expected);
    expect(sourced('bash', fixture('a-age-basic.env'))).toEqual(expected);
  });

  it('properties: pinned bytes (pure ASCII), java.util.Properties reads back every value, NUL included', () => {
    expect(properties(SECRETS)).toBe(fixture('a-age-basic.properties'));
    expect(fixture('a-age-basic.properties')).toMatch(/^[\x20-\x7e\n]*$/);
    expect(javaLoaded(fixture('a-age-basic.properties'))).toEqual(flat(SECRETS));
  });

  it('files: one entry per secret with the exact value; unsafe names are skipped', () => {
    const skipped: string[] = [];
    const out = files(tree({ ...SECRETS, evil: { '../x': 'a', '.hidden': 'b', 'a/b': 'c', ok: 'd' } }), (k) => skipped.push(k));
    expect(Object.fromEntries(out)).toEqual({ ...flat(SECRETS), 'evil__.hidden': 'b', evil__ok: 'd' });
    expect(skipped).toEqual(['evil__../x', 'evil__a/b']); // `evil__.hidden` is a safe single name
  });
});

describe('round trips for arbitrary values (fast-check)', () => {
  const values = fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { minLength: 1, maxLength: 60 });
  const asTree = (vs: string[]) => ({ ns: Object.fromEntries(vs.map((v, i) => [`k${i}`, v])) });

  it('json and yaml', () => {
    fc.assert(
      fc.property(values, (vs) => {
        const t = asTree(vs);
        expect(JSON.parse(json(t))).toEqual(t);
        expect(parseYaml(yaml(t))).toEqual(t);
      }),
    );
  });

  it('dotenv through bash and properties through java (one batch each)', () => {
    const vs = fc.sample(values, 10).flat().map((v) => v.replace(/\0/g, ''));
    vs.push("it's", "'", "''", '$(echo pwned)', '`id`', '\\', 'a\r\nb', ' lead', 'trail ', '=:#!', '\u2028\u0085\ufeff');
    const t = asTree(vs);
    expect(sourced('bash', dotenv(t, () => undefined))).toEqual(flat(t));
    expect(javaLoaded(properties(t))).toEqual(flat(t));
  });
});

describe('templates', () => {
  const snapshot = new SecretsSnapshot('r1', SECRETS);
  const spec = (source: string): OutputSpec => ({ path: '/run/t', body: { kind: 'template', parts: parseTemplate(source) } });

  it('places values verbatim (PEM, CRLF) and nothing else', () => {
    const source = 'key:\n{{ secret "database" "TLS_CLIENT_KEY_PEM" }}crlf={{secret "database" "CRLF_VALUE"}}{{ "{{" }}literal}}';
    const [out] = renderOutputs([spec(source)], snapshot).outputs;
    expect(out).toEqual({ path: '/run/t', kind: 'file', content: `key:\n${SECRETS.database.TLS_CLIENT_KEY_PEM}crlf=line1\r\nline2\r\n{{literal}}` });
  });

  it('reads escaped quotes in names', () => {
    expect(parseTemplate('{{ secret "a\\"b" "c\\\\d" }}')).toEqual([{ kind: 'secret', namespace: 'a"b', key: 'c\\d' }]);
  });

  it.each([
    ['{{ secret "app" }}'],
    ['{{ env "HOME" }}'],
    ['{{ file "/etc/passwd" }}'],
    ['{{ secret "app" "KEY" | upper }}'],
    ['{{ secret app KEY }}'],
    ['{{ secret "" "KEY" }}'],
    ['text {{ secret "app" "KEY"'],
  ])('refuses anything but secret and literal tags: %s', (source) => {
    expect(() => parseTemplate(source)).toThrow(TemplateSyntaxError);
  });

  it('a missing secret is an error naming it, never an empty value', () => {
    let error: unknown;
    try {
      renderOutputs([spec('x={{ secret "app" "NOPE" }}')], snapshot);
    } catch (e) {
      error = e;
    }
    expect(isAgentError(error) && error.code).toBe('files_missing_secret');
    expect(String((error as Error).message)).toContain('"app" "NOPE"');
  });
});

describe('filters', () => {
  const snapshot = new SecretsSnapshot('r1', SECRETS);
  const fmt = (namespaces?: string[], keys?: string[]): OutputSpec => ({ path: '/run/f.json', body: { kind: 'format', format: 'json', namespaces, keys } });
  const content = (s: OutputSpec) => JSON.parse((renderOutputs([s], snapshot).outputs[0] as { content: string }).content);

  it('namespaces and keys select, in artifact order', () => {
    expect(content(fmt(['database']))).toEqual({ database: SECRETS.database });
    expect(content(fmt(undefined, ['payments__WHITESPACE_ONLY', 'app__API_KEY']))).toEqual({ app: { API_KEY: SECRETS.app.API_KEY }, payments: { WHITESPACE_ONLY: '   ' } });
  });

  it('a listed name the artifact lacks fails the whole render', () => {
    expect(() => renderOutputs([fmt(['nope'])], snapshot)).toThrow(/not in the artifact/);
    expect(() => renderOutputs([fmt(undefined, ['app__NOPE'])], snapshot)).toThrow(/not in the artifact/);
  });
});
