import type { RenderedOutput } from '../files/render';

/**
 * Where rendered outputs go (secrets as files, docs/FILES.md). The domain renders each
 * served revision into outputs and hands them over as one set; the sink makes them
 * visible together or not at all.
 */
export const SecretsSink = Symbol.for('clef-agent.SecretsSink');

export interface PublishResult {
  /** Paths whose bytes (or mode/owner) changed; empty when the revision was already on disk. */
  changed: string[];
}

export interface SecretsSink {
  /**
   * Makes `outputs` (one revision) visible. Outputs whose content, mode and owner are
   * already in place are not touched. Rejects with an AgentError (`files_*`) having
   * changed nothing visible when it fails before the commit step.
   */
  publish(revision: string, outputs: readonly RenderedOutput[]): Promise<PublishResult>;
  /** Removes every output (revocation, expiry): the secrets are withdrawn. Idempotent. */
  withdraw(): Promise<string[]>;
  /** Cancels pending on-change actions (shutdown); writes in flight finish. */
  close(): Promise<void>;
}
