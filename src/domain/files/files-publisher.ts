import { toAgentError } from '../errors';
import type { SecretsQuery } from '../inbound';
import type { Clock } from '../ports/clock';
import type { SecretsSink } from '../ports/secrets-sink';
import type { Telemetry } from '../ports/telemetry';
import { type OutputSpec, renderOutputs } from './render';

const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 60_000;

export interface FilesPublisherDeps {
  query: SecretsQuery;
  sink: SecretsSink;
  telemetry: Telemetry;
  clock: Clock;
  mode: 'cached' | 'jit';
  specs: readonly OutputSpec[];
}

/**
 * Keeps the configured outputs equal to the served revision. It follows the same
 * publication the long-poll and `exec` follow (`waitForRevision`): every new revision is
 * rendered and published as one set; a wipe by revocation, expiry or TTL withdraws the
 * files; stopping the agent leaves them (a restarting sidecar must not pull a key from
 * under nginx). A render failure keeps the previous files.
 */
export class FilesPublisher {
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(private readonly deps: FilesPublisherDeps) {}

  start(): void {
    this.loop ??= this.follow();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await this.deps.sink.close();
  }

  /** Renders and publishes the revision served now; rejects with the AgentError. */
  async publishCurrent(): Promise<string[]> {
    const { query, sink, telemetry, clock, mode, specs } = this.deps;
    const started = clock.now();
    const snapshot = await query.read();
    const revision = snapshot.revision;
    try {
      const { outputs, skipped } = renderOutputs(specs, snapshot);
      for (const s of skipped) telemetry.emit({ type: 'files.skipped', output: s.output, key: s.key, reason: s.reason });
      const { changed } = await sink.publish(revision, outputs);
      telemetry.emit({ type: 'files.rendered', revision, outputs: outputs.length, changed: changed.length, durationMs: clock.now() - started });
      return changed;
    } catch (e) {
      const err = toAgentError(e, 'files_write_failed');
      telemetry.emit({ type: 'files.render_failed', revision, code: err.code, error: err.message });
      throw err;
    } finally {
      if (mode === 'jit') snapshot.wipe();
    }
  }

  private async follow(): Promise<void> {
    const { query, sink, telemetry } = this.deps;
    const signal = this.abort.signal;
    let seen: string | null = null;
    let first = true;
    let retryMs = 0; // after a failed write: try the same revision again after this long
    let withdrawn = false; // every poll of a revoked/expired source wipes again: withdraw once
    while (!signal.aborted) {
      if (!first) await this.waitForChange(seen, retryMs);
      first = false;
      if (signal.aborted) return;
      seen = query.currentRevision();
      const readiness = query.readiness();
      if (seen !== null && readiness.ready) {
        withdrawn = false;
        try {
          await this.publishCurrent();
          retryMs = 0;
        } catch (e) {
          // Disk trouble may pass; a template naming a missing secret will not (until the
          // next revision), so only write failures are retried, with doubling delays.
          const code = toAgentError(e, 'unknown').code;
          retryMs = code === 'files_missing_secret' ? 0 : Math.min(Math.max(retryMs * 2, RETRY_MIN_MS), RETRY_MAX_MS);
        }
        continue;
      }
      retryMs = 0;
      if (withdrawn || readiness.ready || readiness.reason === 'not_loaded' || readiness.reason === 'stopped') continue;
      // Revoked, expired or past the TTL: the same rule as memory, the files go too. A failed
      // removal is tried again on the next wake (the next poll wipes again).
      const removed = await sink.withdraw().catch(() => null);
      withdrawn = removed !== null;
      if (removed && removed.length > 0) telemetry.emit({ type: 'files.removed', reason: readiness.reason, outputs: removed.length });
    }
  }

  /** Until the served revision changes (or is wiped), or `retryMs` passes when set. */
  private async waitForChange(seen: string | null, retryMs: number): Promise<void> {
    if (retryMs === 0) return this.deps.query.waitForRevision(seen, this.abort.signal);
    const waiting = new AbortController();
    const onAbort = () => waiting.abort();
    this.abort.signal.addEventListener('abort', onAbort, { once: true });
    const cancel = this.deps.clock.schedule(retryMs, () => waiting.abort());
    try {
      await this.deps.query.waitForRevision(seen, waiting.signal);
    } finally {
      cancel();
      this.abort.signal.removeEventListener('abort', onAbort);
    }
  }
}
