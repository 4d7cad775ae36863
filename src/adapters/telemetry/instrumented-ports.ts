import type { PackedArtifact } from '../../domain/artifact/types';
import { isAgentError } from '../../domain/errors';
import type { ArtifactCache, CachedArtifact } from '../../domain/ports/artifact-cache';
import type { ArtifactSource, FetchRequest, FetchResult } from '../../domain/ports/artifact-source';
import type { Decryptor } from '../../domain/ports/decryptor';
import type { Telemetry } from '../../domain/ports/telemetry';

/**
 * Decorators that turn port calls into metrics-only events (`source.request`,
 * `decrypt.result`, `cache.lookup`). They wrap the ports from the outside, so neither the
 * domain nor the adapters know metrics exist, and they are applied only when metrics are
 * configured. Labels are codes and fixed words: never a key name, URL or message.
 */
/** Other members unchanged; methods bound to the real adapter (private fields keep working). */
function passThrough(target: object, prop: string | symbol): unknown {
  const value: unknown = Reflect.get(target, prop);
  return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
}

function codeOf(e: unknown): string {
  return isAgentError(e) ? e.code : 'unknown';
}

export function instrumentSource(source: ArtifactSource, telemetry: Telemetry, now: () => number = Date.now): ArtifactSource {
  return new Proxy(source, {
    get(target, prop) {
      if (prop !== 'fetch') return passThrough(target, prop);
      return async (request: FetchRequest): Promise<FetchResult> => {
        const started = now();
        const done = (outcome: string) => telemetry.emit({ type: 'source.request', outcome, durationMs: now() - started });
        try {
          const result = await target.fetch(request);
          done(result.kind === 'unchanged' ? '304' : '200');
          return result;
        } catch (e) {
          done(codeOf(e));
          throw e;
        }
      };
    },
  });
}

/** Errors that mean the KMS was never asked (bad or unsupported envelope). */
const NO_KMS_CALL: ReadonlySet<string> = new Set(['incomplete_envelope', 'unsupported_kms_provider', 'invalid_shape']);

export function instrumentDecryptor(decryptor: Decryptor, telemetry: Telemetry): Decryptor {
  return new Proxy(decryptor, {
    get(target, prop) {
      if (prop !== 'decrypt') return passThrough(target, prop);
      return async (artifact: PackedArtifact, signal?: AbortSignal): Promise<Uint8Array> => {
        const provider = artifact.envelope ? String(artifact.envelope.provider) : 'age';
        const known = provider === 'age' || target.capabilities.envelopeProviders.includes(provider);
        const label = known ? provider : 'other'; // the provider string comes from the artifact: bound it
        try {
          const plaintext = await target.decrypt(artifact, signal);
          telemetry.emit({ type: 'decrypt.result', provider: label, outcome: 'ok', kmsCall: artifact.envelope !== undefined });
          return plaintext;
        } catch (e) {
          const code = codeOf(e);
          // A KMS failure is a kms_* code; a later AES-GCM failure (`decrypt`) still made the call.
          const kmsCall = artifact.envelope !== undefined && !NO_KMS_CALL.has(code);
          telemetry.emit({ type: 'decrypt.result', provider: label, outcome: code, kmsCall });
          throw e;
        }
      };
    },
  });
}

export function instrumentCache(cache: ArtifactCache, tier: 'disk' | 'fleet', telemetry: Telemetry): ArtifactCache {
  return new Proxy(cache, {
    get(target, prop) {
      if (prop !== 'get') return passThrough(target, prop);
      return async (key: string): Promise<CachedArtifact | undefined> => {
        try {
          const entry = await target.get(key);
          telemetry.emit({ type: 'cache.lookup', tier, outcome: entry === undefined ? 'miss' : 'hit' });
          return entry;
        } catch (e) {
          telemetry.emit({ type: 'cache.lookup', tier, outcome: 'error' });
          throw e;
        }
      };
    },
  });
}
