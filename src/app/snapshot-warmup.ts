import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Container, ContainerModule } from 'inversify';
import { createHttpApp } from '../adapters/http/app';
import { parseDocument } from '../domain/artifact/parse-document';
import { parsePayload } from '../domain/artifact/payload';
import type { SecretsQuery } from '../domain/inbound';
import { envSchema } from './config/env-schema';

/**
 * Runs, while the V8 startup snapshot is built, the pure parts of a start, so that V8 keeps
 * their compiled bytecode in the snapshot instead of compiling them at every start (a
 * function that never ran is compiled on its first call; issue 20, bench/RESULTS.md).
 *
 * Only code that leaves nothing behind runs here, on made-up inputs: the environment schema
 * on a sample environment (not process.env: the builder's environment is empty anyway), a
 * throwaway inversify container of the same binding kinds as the agent's, a Koa app with
 * the agent's routes, document and payload parsing of a made-up artifact, and the age
 * format's pure-JavaScript primitives (HKDF, HMAC, ChaCha20-Poly1305: the same modules
 * age-encryption uses) on all-zero bytes. No configuration, key, token, logger, timer,
 * socket or random value is created; everything here is garbage once the heap is written.
 */
const SAMPLE_ENV = {
  CLEF_AGENT_SOURCE: '/snapshot/warm-up/artifact.json',
  CLEF_AGENT_AGE_KEY_FILE: '/snapshot/warm-up/age.key',
  CLEF_AGENT_TOKEN: 'snapshot-warm-up-not-a-token',
  CLEF_AGENT_PORT: '7779',
  CLEF_AGENT_CACHE_TTL: '300',
  CLEF_AGENT_LOG_LEVEL: 'info',
  CLEF_AGENT_ID: 'snapshot-warm-up',
};

/** Shaped like a packed artifact: the document parser's accepting path (its refusals run below). */
const SAMPLE_DOCUMENT = JSON.stringify({
  version: 1,
  identity: 'snapshot-warm-up',
  environment: 'snapshot-warm-up',
  packedAt: '2026-01-01T00:00:00.000Z',
  revision: '1-warm-up',
  ciphertextHash: '0'.repeat(64),
  ciphertext: 'AAAA',
  keys: ['app__KEY'],
});

const IDLE_QUERY: SecretsQuery = new Proxy({} as SecretsQuery, {
  get: () => () => {
    throw new Error('snapshot warm-up: the query is never called');
  },
});

export async function warmUpForSnapshot(): Promise<void> {
  if (!envSchema.safeParse(SAMPLE_ENV).success) throw new Error('snapshot warm-up: the sample environment no longer parses');
  envSchema.safeParse({ CLEF_AGENT_PORT: 'not-a-port' }); // the error path too

  const A = Symbol('A');
  const B = Symbol('B');
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(A).toConstantValue({ a: 1 });
  await container.load(
    new ContainerModule(({ bind }) => {
      bind(B)
        .toResolvedValue((a: { a: number }) => ({ b: a.a }), [A])
        .inSingletonScope();
    }),
  );
  container.get(B);

  createHttpApp({ query: IDLE_QUERY, authenticator: { authenticate: () => null }, port: 7779 }).callback();

  parseDocument(SAMPLE_DOCUMENT);
  try {
    parseDocument('{"version":2}');
  } catch {
    /* the refusal path (unsupported_version) */
  }
  parsePayload(new TextEncoder().encode('{"app":{"KEY":"value"}}'));

  const zero = new Uint8Array(32);
  const key = hkdf(sha256, zero, zero, new TextEncoder().encode('payload'), 32);
  hmac(sha256, key, zero);
  const aead = chacha20poly1305(key, new Uint8Array(12));
  aead.decrypt(aead.encrypt(zero));
}
