import { parseDocument } from './artifact/parse-document';
import { parsePayload } from './artifact/payload';
import type { PackedArtifact } from './artifact/types';
import { checkBinding, verifyArtifact, type Verification } from './artifact/verify-artifact';
import type { CoreDeps } from './core-deps';
import { AgentError, isAgentError, toAgentError } from './errors';
import { revisionTime } from './policy';
import type { SourceValidator } from './ports/artifact-source';
import { SecretsSnapshot } from './snapshot';
import { TrustMarks } from './trust-marks';
import type { Wipes } from './wipes';

export type { Origin } from './ports/telemetry';
import type { Origin } from './ports/telemetry';
export type AcceptResult = 'refreshed' | 'unchanged';

export interface Incoming {
  document: string;
  origin: Origin;
  validator?: SourceValidator;
  /** When the source last confirmed this document (cache entries); defaults to now. */
  confirmedAt?: number;
  startedAt: number;
}

/**
 * Takes one fetched document through ARTIFACT.md §12 and, if everything holds, publishes
 * it. Any failure leaves the served snapshot untouched, except revocation and expiry,
 * which wipe. An expired document only wipes once it is authenticated, so an unsigned
 * document cannot force a wipe when a verify key is configured.
 */
export class Acceptor {
  private readonly trust: TrustMarks;

  constructor(
    private readonly deps: CoreDeps,
    private readonly wipes: Wipes,
    private readonly onCommitted: () => void,
  ) {
    this.trust = new TrustMarks(deps);
  }

  async accept(incoming: Incoming): Promise<AcceptResult> {
    try {
      return await this.process(incoming);
    } catch (e) {
      const err = toAgentError(e, 'unknown');
      if (err.code !== 'revoked' && err.code !== 'expired') {
        this.deps.telemetry.emit({ type: 'artifact.invalid', reason: err.code, error: err.message, origin: incoming.origin });
        this.deps.state.recordError(err.code, err.message, this.deps.clock.now());
      }
      throw err;
    }
  }

  private async process(incoming: Incoming): Promise<AcceptResult> {
    const { state, policy, hasher, verifier, clock } = this.deps;
    const parsed = parseDocument(incoming.document, policy.maxDocumentChars);
    const binding = { identity: policy.expectedIdentity, environment: policy.expectedEnvironment };
    if (parsed.kind === 'revoked') {
      const m = parsed.marker;
      checkBinding(m.identity ?? binding.identity, m.environment ?? binding.environment, binding);
      if (verifier.enabled && policy.unsignedRevocation === 'ignore') {
        throw new AgentError('revocation_unsigned', 'unsigned revocation marker ignored (CLEF_AGENT_UNSIGNED_REVOCATION=ignore)');
      }
      return this.wipes.revoke(m);
    }
    const artifact = parsed.artifact;
    const verification = verifyArtifact(artifact, hasher, verifier, binding);
    if (incoming.origin !== 'source' && this.trust.covers(artifact)) {
      // Sticky revocation: only the source can bring a revoked revision back.
      throw new AgentError('revoked', 'a cached copy from before a revocation is not served');
    }
    if (artifact.expiresAtMs !== undefined && clock.now() > artifact.expiresAtMs) {
      return this.wipes.expire(artifact.expiresAt!);
    }
    this.checkRollback(artifact);
    const held = state.accepted;
    if (held && held.digest === verification.digest && (policy.mode === 'jit' || state.snapshot)) {
      held.validator = incoming.validator ?? held.validator;
      // Same signed content, possibly re-signed by a rotated key: health must name the key
      // that verified it now, and the cache must keep the copy the current keys accept.
      if (held.keyId !== verification.keyId) {
        held.keyId = verification.keyId;
        held.document = incoming.document;
      }
      this.markFresh(incoming);
      this.deps.telemetry.emit({ type: 'artifact.unchanged', revision: artifact.revision, durationMs: clock.now() - incoming.startedAt });
      return 'unchanged';
    }
    const snapshot = await this.decryptSnapshot(artifact);
    if (state.stopped) throw new AgentError('stopped', 'agent is stopping');
    this.commit(artifact, verification, snapshot, incoming);
    return 'refreshed';
  }

  private checkRollback(artifact: PackedArtifact): void {
    const t = revisionTime(artifact.revision);
    const high = this.deps.state.highestRevisionMs;
    if (this.deps.policy.antiRollback && t !== undefined && high !== undefined && t < high) {
      throw new AgentError('rollback', 'artifact revision is older than one already accepted (anti-rollback)');
    }
  }

  /** Decrypts and indexes the payload. In JIT mode this is a trial decrypt proving the key
   * works; the plaintext is dropped straight away. */
  async decryptSnapshot(artifact: PackedArtifact, signal?: AbortSignal): Promise<SecretsSnapshot> {
    const { decryptor, clock, telemetry, state } = this.deps;
    const started = clock.now();
    let plaintext: Uint8Array | undefined;
    try {
      plaintext = await decryptor.decrypt(artifact, signal);
      const snapshot = new SecretsSnapshot(artifact.revision, parsePayload(plaintext));
      telemetry.emit({ type: 'decrypt.completed', durationMs: clock.now() - started, kmsEnvelope: artifact.envelope !== undefined });
      return snapshot;
    } catch (e) {
      const err = isAgentError(e) ? e : new AgentError('decrypt', 'decryption failed', { cause: e });
      if (err.code === 'kms_access_denied') telemetry.emit({ type: 'kms.denied', code: err.code });
      state.recordError(err.code, err.message, clock.now());
      throw err;
    } finally {
      plaintext?.fill(0);
    }
  }

  private markFresh(incoming: Incoming): void {
    const { state, clock } = this.deps;
    // Never a time ahead of ours, whatever a cached or fleet entry claims (callers bound it too).
    const now = clock.now();
    state.lastRefreshAt = Math.min(incoming.confirmedAt ?? now, now);
    if (incoming.origin === 'source') this.trust.liftRevocation();
    if (incoming.origin !== 'cache') {
      // The source (directly, or through the fleet's lease holder) confirmed this document.
      state.lastError = null;
      state.servedFrom = incoming.origin;
    }
  }

  private commit(artifact: PackedArtifact, v: Verification, snapshot: SecretsSnapshot, incoming: Incoming): void {
    const { state, policy, clock, telemetry } = this.deps;
    // The previous snapshot is only dropped, not wiped: a response may still be writing it.
    state.snapshot = policy.mode === 'cached' ? snapshot : null;
    state.accepted = { artifact, document: incoming.document, digest: v.digest, keyId: v.keyId, validator: incoming.validator };
    state.wipedBecause = null;
    state.revokedAt = null;
    const t = revisionTime(artifact.revision);
    if (t !== undefined && (state.highestRevisionMs === undefined || t > state.highestRevisionMs)) {
      state.highestRevisionMs = t;
      this.trust.markRaised(); // persisted with the caches, so a restart does not forget it
    }
    this.markFresh(incoming);
    state.servedFrom = incoming.origin;
    this.onCommitted();
    telemetry.emit({
      type: 'artifact.refreshed',
      revision: artifact.revision,
      keyCount: policy.mode === 'cached' ? snapshot.keyCount : undefined,
      kmsEnvelope: artifact.envelope !== undefined,
      origin: incoming.origin,
      durationMs: clock.now() - incoming.startedAt,
      expiresAt: artifact.expiresAt,
      packedAt: artifact.packedAt,
    });
    if (policy.mode === 'jit') snapshot.wipe();
  }
}
