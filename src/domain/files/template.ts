/**
 * Logic-less templates: literal text and `{{ secret "namespace" "KEY" }}` tags (plus
 * `{{ "text" }}` for a literal `{{`). No expressions, conditionals, functions, file or
 * environment access: a template can only place secret values, so it cannot run code or
 * read anything the artifact does not hold. Parsed once at startup; a bad tag is a
 * configuration error that names its offset.
 */
export type TemplatePart = { kind: 'text'; text: string } | { kind: 'secret'; namespace: string; key: string };

export class TemplateSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'TemplateSyntaxError';
  }
}

/** A double-quoted string: `\"` and `\\` are the only escapes. */
const STRING = String.raw`"((?:[^"\\]|\\["\\])*)"`;
const SECRET_TAG = new RegExp(String.raw`^\s*secret\s+${STRING}\s+${STRING}\s*$`);
const LITERAL_TAG = new RegExp(String.raw`^\s*${STRING}\s*$`);

const unquote = (s: string) => s.replace(/\\(["\\])/g, '$1');

export function parseTemplate(source: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let at = 0;
  for (;;) {
    const open = source.indexOf('{{', at);
    if (open < 0) break;
    if (open > at) parts.push({ kind: 'text', text: source.slice(at, open) });
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateSyntaxError(open, 'unclosed {{');
    const body = source.slice(open + 2, close);
    const secret = SECRET_TAG.exec(body);
    const literal = secret ? null : LITERAL_TAG.exec(body);
    if (secret) {
      const [namespace, key] = [unquote(secret[1]), unquote(secret[2])];
      if (namespace === '' || key === '') throw new TemplateSyntaxError(open, 'secret needs a non-empty namespace and key');
      parts.push({ kind: 'secret', namespace, key });
    } else if (literal) parts.push({ kind: 'text', text: unquote(literal[1]) });
    else throw new TemplateSyntaxError(open, 'unknown tag (only {{ secret "namespace" "KEY" }} and {{ "text" }} exist)');
    at = close + 2;
  }
  if (at < source.length) parts.push({ kind: 'text', text: source.slice(at) });
  return parts;
}

/** The namespaced names a template reads, for messages and filters. */
export function templateSecrets(parts: readonly TemplatePart[]): Array<{ namespace: string; key: string }> {
  return parts.filter((p): p is Extract<TemplatePart, { kind: 'secret' }> => p.kind === 'secret');
}
