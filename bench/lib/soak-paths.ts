/** Paths the soak runs share: they are bundled to build/soak/, so the root is found by name. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

function findRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'clef-agent') return dir;
    if (path.dirname(dir) === dir) throw new Error('cannot find the clef-agent package root');
  }
}

export const ROOT = findRoot();
export const AGENT_MAIN = path.join(ROOT, 'dist/app/main.js');
export const VECTORS = path.resolve(ROOT, 'test/fixtures/vectors');
export const AGE_KEY_FILE = path.join(VECTORS, 'keys/age.key');
export const RECIPIENT = readFileSync(path.join(VECTORS, 'keys/age.pub'), 'utf8').trim();
