/** Locations of the shared reference vectors (vendored under test/fixtures; see its README). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const VECTORS_DIR = path.resolve(__dirname, '../fixtures/vectors');
export const BENCH_DIR = path.resolve(__dirname, '../fixtures/bench');

export interface VectorExpect {
  artifact: string;
  description: string;
  needs: { ageIdentity?: string; verifyKey?: string };
  secrets?: Record<string, Record<string, string>>;
  keys?: string[];
  revision?: string;
  reject?: string;
  revokedAt?: string;
}

export function vectorNames(): string[] {
  return ['a-age-basic', 'b-ed25519-signed', 'd-tampered-ciphertext', 'd2-tampered-ciphertext-rehashed', 'f-unsigned', 'f2-signature-stripped', 'h-revoked-marker', 'h2-revoked-signed'];
}

export function loadExpect(name: string): VectorExpect {
  return JSON.parse(readFileSync(path.join(VECTORS_DIR, `${name}.expect.json`), 'utf8')) as VectorExpect;
}

export function vectorPath(name: string): string {
  return path.join(VECTORS_DIR, `${name}.json`);
}

export function vectorText(name: string): string {
  return readFileSync(vectorPath(name), 'utf8');
}

export const AGE_KEY_FILE = path.join(VECTORS_DIR, 'keys/age.key');
export function vectorAgeIdentity(): string {
  return readFileSync(AGE_KEY_FILE, 'utf8').split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!.trim();
}
export function vectorVerifyKey(): string {
  return readFileSync(path.join(VECTORS_DIR, 'keys/ed25519.spki.b64'), 'utf8').trim();
}

/** Every secret value of the accept vectors, for output scans. Values that would match
 * innocent output are left out: very short ones ("", "   ") and bare numbers such as the
 * port "5432", which turns up in timestamps and pids. */
export function allVectorSecretValues(): string[] {
  const values = new Set<string>();
  for (const n of ['a-age-basic', 'b-ed25519-signed']) {
    for (const ns of Object.values(loadExpect(n).secrets ?? {})) for (const v of Object.values(ns)) if (v.trim().length >= 4 && !/^\d+$/.test(v.trim())) values.add(v);
  }
  return [...values];
}
