import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bech32 } from '@scure/base';
import type Koa from 'koa';
import type pino from 'pino';
import { parseDocument } from '../domain/artifact/parse-document';
import { parsePayload } from '../domain/artifact/payload';
import { Telemetry } from '../domain/ports';
import { loadConfig } from './config/load-config';
import { envSchema } from './config/env-schema';
import { createContainer } from './container';
import { warmRequestPath } from './snapshot-http-warmup';
import { AppTypes } from './types';

/**
 * Runs, while the V8 startup snapshot is built, the pure parts of a start, so that V8 keeps
 * their compiled bytecode in the snapshot instead of compiling them at every start (a
 * function that never ran is compiled on its first call; issue 20, bench/RESULTS.md).
 *
 * Only code that leaves nothing behind runs here, on made-up inputs: the configuration of a
 * sample environment (not process.env: the builder's environment is empty anyway), the
 * real composition root resolving the services a start resolves (logging into a sink, not
 * stderr), document and payload parsing of a made-up artifact, the age format's
 * primitives (X25519 through Web Crypto, HKDF, HMAC, ChaCha20-Poly1305) and the web
 * streams age decrypts through. No handle, timer, listener, file or random value is
 * created (snapshot-warmup.test.ts checks); everything here is garbage once the heap is
 * written. The made-up identity is the scalar 01…01: no key anyone holds.
 */
function madeUpIdentity(): string {
  return bech32.encode('age-secret-key-', bech32.toWords(new Uint8Array(32).fill(1)), false).toUpperCase();
}

/** The sample configuration's token and agent id: a snapshot start must never answer to
 * them (test/e2e/snapshot.test.ts). */
export const WARM_UP_SAMPLE = { token: 'snapshot-warm-up-not-a-token', agentId: 'snapshot-warm-up' } as const;

function sampleEnv(): NodeJS.ProcessEnv {
  return {
    CLEF_AGENT_SOURCE: '/snapshot/warm-up/artifact.json',
    CLEF_AGENT_AGE_KEY: madeUpIdentity(),
    CLEF_AGENT_TOKEN: WARM_UP_SAMPLE.token,
    CLEF_AGENT_PORT: '7779',
    CLEF_AGENT_CACHE_TTL: '300',
    CLEF_AGENT_LOG_LEVEL: 'info',
    CLEF_AGENT_ID: WARM_UP_SAMPLE.agentId,
  };
}

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

/** Log lines of the warm-up go nowhere. */
const SINK: pino.DestinationStream = { write: () => undefined };

/** A start's configuration and composition: loadConfig, createContainer (building the age
 * decryptor derives the identity's public key: an X25519 multiplication through Web Crypto),
 * the first requests, and the services a start resolves. */
async function warmComposition(): Promise<void> {
  envSchema.safeParse({ CLEF_AGENT_PORT: 'not-a-port' }); // the error path too
  const config = await loadConfig(sampleEnv());
  const container = await createContainer(config, {}, SINK);
  await warmRequestPath(container.get<Koa>(AppTypes.HttpApp), config.port, WARM_UP_SAMPLE.token);
  container.get(AppTypes.SecretsService);
  container.get(AppTypes.RefreshScheduler);
  container.get<pino.Logger>(AppTypes.Logger).info({ event: 'agent.startup' }, 'warm-up');
  container.get<Telemetry>(Telemetry).emit({ type: 'agent.started', version: '0.0.0', mode: config.mode });
}

/** What age decrypts through: a byte stream piped through a transform. Not read to the end:
 * releasing a reader in Node 20 creates a second V8 context, which cannot be snapshotted. */
function warmStreams(): void {
  const bytes = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(16));
      controller.close();
    },
  });
  bytes.pipeThrough(new TransformStream<Uint8Array, Uint8Array>());
}

export async function warmUpForSnapshot(): Promise<void> {
  await warmComposition();
  warmStreams();

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
