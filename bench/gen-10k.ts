/**
 * Packs a 10,000-key artifact (10 namespaces × 1,000 keys, 32-character values, like the
 * shared 20-key bench artifact) for the shared age recipient, with the test-side packer.
 *
 *   node bench/run.js gen-10k [out.json]     default: bench/.out/10k-keys.json
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packAge, type Tree } from '../test/support/pack';
import { AGE_RECIPIENT_FILE, LARGE_ARTIFACT } from './lib/config';

export const NAMESPACES = ['app', 'database', 'payments', 'cache', 'queue', 'search', 'mail', 'storage', 'auth', 'metrics'];

export function tree(keys: number): Tree {
  const t: Tree = {};
  for (const ns of NAMESPACES) t[ns] = {};
  for (let i = 0; i < keys; i++) {
    const ns = NAMESPACES[i % NAMESPACES.length];
    t[ns][`KEY_${String(i).padStart(5, '0')}`] = randomBytes(24).toString('base64url');
  }
  return t;
}

export async function generateArtifact(outPath = LARGE_ARTIFACT, keys = 10_000): Promise<{ path: string; bytes: number; keys: number }> {
  const recipient = readFileSync(AGE_RECIPIENT_FILE, 'utf8').trim();
  const document = await packAge(tree(keys), recipient, { identity: 'bench-svc', environment: 'production' });
  mkdirSync(path.dirname(outPath), { recursive: true });
  writeFileSync(outPath, document);
  return { path: outPath, bytes: Buffer.byteLength(document), keys };
}

export function cli(args: string[]): void {
  const out = path.resolve(args[0] ?? LARGE_ARTIFACT);
  generateArtifact(out).then(
    (r) => process.stdout.write(`wrote ${r.path}: ${r.keys} keys, ${(r.bytes / 1024).toFixed(0)} KiB\n`),
    (e: unknown) => {
      process.stderr.write(`gen-10k failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
