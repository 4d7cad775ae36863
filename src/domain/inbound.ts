import type { ErrorCode } from './errors';
import type { FleetStatus } from './ports/fleet-lease';
import type { ServingMode } from './ports/telemetry';
import type { SecretsSnapshot } from './snapshot';

/**
 * What inbound adapters (the Koa HTTP API, `clef-agent check`, `exec`, the Lambda
 * lifecycle) may ask of the domain. They never touch sources, decryptors or state.
 */
export const SecretsQuery = Symbol.for('clef-agent.SecretsQuery');

export type NotReadyReason = 'not_loaded' | 'cache_expired' | 'expired' | 'revoked' | 'stopped';

export type Readiness = { ready: true } | { ready: false; reason: NotReadyReason };

export interface LastError {
  code: ErrorCode;
  message: string;
  /** Epoch ms. */
  at: number;
}

export interface HealthReport {
  /** `ok`: serving and the last refresh succeeded; `degraded`: serving, last refresh
   * failed; `unavailable`: not serving. HTTP status stays 200 in every case. */
  status: 'ok' | 'degraded' | 'unavailable';
  mode: ServingMode;
  ready: boolean;
  reason: NotReadyReason | null;
  revision: string | null;
  /** Epoch ms of the last successful refresh (fetch or unchanged poll). */
  lastRefreshAt: number | null;
  /** Cached mode: the TTL since the last successful refresh has passed. */
  expired: boolean;
  expiresAt: string | null;
  packedAt: string | null;
  /** `fleet`: read from the shared tier, which another agent fetched from the source. */
  servedFrom: 'source' | 'cache' | 'fleet' | null;
  /** Id of the verify key that accepted the served revision, when signatures are enforced. */
  verifiedBy: string | null;
  revokedAt: string | null;
  keyCount: number | null;
  lastError: LastError | null;
  /** The fleet tier's backend, when one is configured and can tell (null otherwise). Its
   * failures never stop serving: the agent fetches from the source directly meanwhile. */
  fleet: FleetStatus | null;
  source: { type: string; description: string };
}

export interface SecretsQuery {
  /**
   * Resolves the snapshot to serve, refreshing first when it is stale (cached mode) or
   * decrypting on demand (JIT). Rejects with an AgentError (`not_loaded`,
   * `cache_expired`, `expired`, `revoked`, `refresh_failed`, `decrypt`, `kms_*`, ...).
   * In JIT mode the caller must not keep the snapshot beyond the response.
   */
  read(): Promise<SecretsSnapshot>;
  readiness(): Readiness;
  health(): HealthReport;
  /** Revision currently served, if any (cheap, for ETags and long-polls). */
  currentRevision(): string | null;
  /**
   * Resolves once the served revision differs from `since` (at once if it already does),
   * when the served data is wiped or the agent stops (the next `read()` then rejects), or
   * when `signal` aborts. Never rejects. The waiter is removed on every path, so
   * cancelled waits leave nothing behind.
   */
  waitForRevision(since: string | null, signal: AbortSignal): Promise<void>;
}
