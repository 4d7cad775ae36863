import type { ErrorCode } from '../errors';

/**
 * Lifecycle events of the agent. Attributes are chosen so that none can carry a secret
 * value, token, key material or credential-bearing URL: errors travel as codes plus
 * messages the domain wrote itself.
 */
export type AgentEvent =
  | { type: 'agent.started'; version: string; mode: ServingMode }
  | { type: 'agent.stopped'; reason: string; uptimeSeconds: number }
  | {
      type: 'artifact.refreshed';
      revision: string;
      keyCount?: number;
      kmsEnvelope: boolean;
      origin: Origin;
      durationMs: number;
      decryptMs?: number;
      expiresAt?: string;
      packedAt: string;
    }
  | { type: 'artifact.unchanged'; revision: string; durationMs: number }
  | { type: 'artifact.revoked'; revokedAt: string }
  | { type: 'artifact.expired'; expiresAt: string }
  | { type: 'artifact.invalid'; reason: ErrorCode; error: string; origin: Origin }
  | { type: 'fetch.failed'; code: ErrorCode; error: string; diskCacheAvailable: boolean; durationMs: number }
  | { type: 'cache.served'; revision: string }
  | { type: 'cache.expired'; cacheTtlSeconds: number; diskCachePurged: boolean }
  | { type: 'kms.denied'; code: ErrorCode }
  | { type: 'decrypt.completed'; durationMs: number; kmsEnvelope: boolean }
  | { type: 'http.request'; route: string; method: string; status: number; durationMs: number }
  // Secrets as files (docs/FILES.md): output paths and key names only, never values.
  | { type: 'files.rendered'; revision: string; outputs: number; changed: number; durationMs: number }
  | { type: 'files.render_failed'; revision: string; code: ErrorCode; error: string }
  | { type: 'files.removed'; reason: string; outputs: number }
  | { type: 'files.skipped'; output: string; key: string; reason: string }
  | { type: 'files.action_scheduled'; action: string; delayMs: number; splayMs: number; attempt: number }
  | { type: 'files.action_ok'; action: string; attempt: number; durationMs: number }
  | { type: 'files.action_failed'; action: string; attempt: number; code: ErrorCode; error: string; retryInMs: number }
  // Metrics-only events (debug level), emitted by the app's port decorators when metrics are on.
  /** One source request: `200` (document fetched), `304` (unchanged) or the failure's code. */
  | { type: 'source.request'; outcome: string; durationMs: number }
  /** One decrypt by provider (`age`, `aws`, ...): `ok` or the failure's code; `kmsCall` when a KMS was asked. */
  | { type: 'decrypt.result'; provider: string; outcome: string; kmsCall: boolean }
  /** One cache read: `disk` or `fleet` tier; `hit`, `miss` or `error`. */
  | { type: 'cache.lookup'; tier: 'disk' | 'fleet'; outcome: 'hit' | 'miss' | 'error' };

export type AgentEventType = AgentEvent['type'];
/** Where a document came from: the source, the local cache, or the fleet's shared tier. */
export type Origin = 'source' | 'cache' | 'fleet';
export type ServingMode = 'cached' | 'jit';

export const Telemetry = Symbol.for('clef-agent.Telemetry');

export interface Telemetry {
  /** Never throws and never blocks: adapters buffer and export in the background. */
  emit(event: AgentEvent): void;
  /** Exports what is buffered; resolves within `timeoutMs` whatever the backend does. */
  flush(timeoutMs: number): Promise<void>;
  /** Flushes (bounded) and releases resources. */
  shutdown(timeoutMs: number): Promise<void>;
}
