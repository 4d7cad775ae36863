import type * as Yaml from 'yaml';
// One locale file: `zod/locales` would load all of them (~45 ms per start, unbundled).
import en from 'zod/v4/locales/en.cjs';
import * as z from 'zod/mini';
import { digest as tokenDigest } from '../../adapters/http/authenticator';
import type { ScopedTokenEntry } from '../../adapters/http/scoped-token-authenticator';
import { ConfigError } from './config-error';

/**
 * CLEF_AGENT_TOKENS_FILE: scoped bearer tokens, stored as SHA-256 hashes so the file
 * grants nothing if it leaks. YAML or JSON (JSON is YAML), either a list or `{tokens: [...]}`:
 *
 *   tokens:
 *     - name: billing
 *       sha256: 3f0a…   # printf %s "$TOKEN" | sha256sum
 *       namespaces: [billing, shared]
 */
const VARIABLE = 'CLEF_AGENT_TOKENS_FILE';

// zod/mini loads no locale by default; English keeps the built-in messages (wrong type,
// unrecognized key) exactly as classic zod reported them.
z.config(en());

const entry = z.strictObject({
  name: z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, { message: 'name must be 1-64 of A-Z a-z 0-9 . _ -' })),
  sha256: z.pipe(
    z.string().check(z.regex(/^[0-9a-fA-F]{64}$/, { message: 'sha256 must be 64 hex digits (the SHA-256 of the token, not the token)' })),
    z.transform((h: string) => h.toLowerCase()),
  ),
  namespaces: z
    .array(z.string().check(z.minLength(1, { message: 'namespace names must not be empty' })))
    .check(z.minLength(1, { message: 'namespaces must list at least one namespace' })),
});

const listSchema = z.array(entry);
// Chosen by shape rather than z.union, so an error points into the entry at fault.
const fileSchema = z.pipe(
  z.strictObject({ tokens: listSchema }),
  z.transform((f: { tokens: z.output<typeof listSchema> }) => f.tokens),
);

function fail(file: string, why: string): never {
  throw new ConfigError(VARIABLE, `points to ${file}, which is not a valid tokens file: ${why}`);
}

/**
 * Parses and checks the whole file; throws a ConfigError naming the entry (by position
 * and name, never by hash). `staticToken` is CLEF_AGENT_TOKEN: an entry with the same hash
 * would be shadowed by it (all namespaces), so it is refused rather than silently widened.
 */
export function parseTokensFile(text: string, file: string, staticToken: string): ScopedTokenEntry[] {
  let raw: unknown;
  try {
    // Required here, not at the top: only agents with a tokens file pay for the YAML
    // parser (~70 modules, ~40 ms and several MB at startup; issue 8, bench/RESULTS.md).
    const { parse: parseYaml } = require('yaml') as typeof Yaml;
    raw = parseYaml(text, { maxAliasCount: 0 }); // no alias expansion: no billion laughs
  } catch (e) {
    fail(file, `not YAML or JSON (${(e as Error).name})`);
  }
  const parsed = Array.isArray(raw) ? listSchema.safeParse(raw) : fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue.path.find((p) => typeof p === 'number');
    fail(file, `${at === undefined ? '' : `entry ${Number(at) + 1}: `}${issue.message}`);
  }
  const staticHash = tokenDigest(staticToken).toString('hex');
  const names = new Set<string>();
  const hashes = new Set<string>();
  parsed.data.forEach((e, i) => {
    if (names.has(e.name)) fail(file, `entry ${i + 1}: name "${e.name}" is used twice`);
    if (hashes.has(e.sha256)) fail(file, `entry ${i + 1} ("${e.name}"): the same token hash appears twice`);
    if (e.sha256 === staticHash) fail(file, `entry ${i + 1} ("${e.name}"): this is the hash of CLEF_AGENT_TOKEN, which already grants every namespace`);
    names.add(e.name);
    hashes.add(e.sha256);
  });
  return parsed.data.map((e) => ({ name: e.name, sha256: e.sha256, namespaces: [...new Set(e.namespaces)] }));
}
