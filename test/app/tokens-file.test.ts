import { createHash } from 'node:crypto';
import { parseTokensFile } from '../../src/app/config/tokens-file';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const STATIC = 'static-token-0123456789';
const H1 = sha256('one-token');
const H2 = sha256('two-token');

const parse = (text: string) => parseTokensFile(text, '/etc/clef/tokens.yaml', STATIC);
const errorOf = (text: string) => {
  try {
    parse(text);
  } catch (e) {
    return e as { variable: string; message: string; code: string };
  }
  throw new Error('parsed');
};

describe('CLEF_AGENT_TOKENS_FILE', () => {
  it('reads YAML with a tokens list', () => {
    expect(parse(`tokens:\n  - name: billing\n    sha256: ${H1}\n    namespaces: [billing, shared]\n`)).toEqual([
      { name: 'billing', sha256: H1, namespaces: ['billing', 'shared'] },
    ]);
  });

  it('reads JSON, as a bare list too, and normalises hash case and duplicate namespaces', () => {
    const json = JSON.stringify([{ name: 'a', sha256: H1.toUpperCase(), namespaces: ['x', 'x'] }, { name: 'b', sha256: H2, namespaces: ['y'] }]);
    expect(parse(json)).toEqual([
      { name: 'a', sha256: H1, namespaces: ['x'] },
      { name: 'b', sha256: H2, namespaces: ['y'] },
    ]);
    expect(parse('tokens: []\n')).toEqual([]);
  });

  it.each([
    ['not YAML', 'tokens: [', /not YAML or JSON/],
    ['a scalar', '"hello"', /not a valid tokens file/],
    ['a token instead of a hash', `- {name: a, sha256: one-token, namespaces: [x]}`, /entry 1: sha256 must be 64 hex digits/],
    ['no namespaces', `- {name: a, sha256: ${H1}, namespaces: []}`, /entry 1: namespaces must list at least one/],
    ['an unknown field', `- {name: a, sha256: ${H1}, namespaces: [x], admin: true}`, /entry 1/],
    ['a bad name', `- {name: "a b", sha256: ${H1}, namespaces: [x]}`, /entry 1: name must be/],
    ['a duplicate name', `- {name: a, sha256: ${H1}, namespaces: [x]}\n- {name: a, sha256: ${H2}, namespaces: [y]}`, /entry 2: name "a" is used twice/],
    ['a duplicate hash', `- {name: a, sha256: ${H1}, namespaces: [x]}\n- {name: b, sha256: ${H1}, namespaces: [y]}`, /entry 2 \("b"\): the same token hash/],
    ['the static token', `- {name: a, sha256: ${sha256(STATIC)}, namespaces: [x]}`, /hash of CLEF_AGENT_TOKEN/],
    ['YAML aliases', `- {name: a, sha256: ${H1}, namespaces: &b [x]}\n- {name: b, sha256: ${H2}, namespaces: *b}`, /not YAML or JSON \(ReferenceError\)/],
  ])('refuses %s with a one-line ConfigError naming the variable', (_name, text, why) => {
    const err = errorOf(text);
    expect(err.code).toBe('config_error');
    expect(err.variable).toBe('CLEF_AGENT_TOKENS_FILE');
    expect(err.message).toMatch(why);
    expect(err.message).not.toContain(H1); // positions and names, never hashes
  });
});
