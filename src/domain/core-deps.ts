import type { AgentState } from './agent-state';
import type { AgentPolicy } from './policy';
import type { ArtifactCache } from './ports/artifact-cache';
import type { ArtifactSource } from './ports/artifact-source';
import type { Clock } from './ports/clock';
import type { Decryptor } from './ports/decryptor';
import type { FleetLease } from './ports/fleet-lease';
import type { Hasher } from './ports/hasher';
import type { SignatureVerifier } from './ports/signature-verifier';
import type { Telemetry } from './ports/telemetry';

/** Everything the use cases share; assembled once by the composition root. */
export interface CoreDeps {
  source: ArtifactSource;
  decryptor: Decryptor;
  verifier: SignatureVerifier;
  hasher: Hasher;
  clock: Clock;
  telemetry: Telemetry;
  /** Optional persistent/shared tier holding verified ciphertext documents. */
  cache?: ArtifactCache;
  /** Optional fleet tier: a shared cache (untrusted storage, verified on read) plus a lease. */
  fleet?: { cache: ArtifactCache; lease: FleetLease };
  state: AgentState;
  policy: AgentPolicy;
}
