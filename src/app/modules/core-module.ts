import { ContainerModule } from 'inversify';
import { AgentState } from '../../domain/agent-state';
import type { CoreDeps } from '../../domain/core-deps';
import type { AgentPolicy } from '../../domain/policy';
import {
  ArtifactCache,
  ArtifactSource,
  Clock,
  Decryptor,
  FleetLease,
  Hasher,
  SignatureVerifier,
  Telemetry,
} from '../../domain/ports';
import { SecretsQuery } from '../../domain/inbound';
import { RefreshScheduler } from '../../domain/refresh-scheduler';
import { RefreshService } from '../../domain/refresh-service';
import { SecretsService } from '../../domain/secrets-service';
import type { AgentConfig } from '../config/agent-config';
import { AppTypes } from '../types';

export function policyFrom(config: AgentConfig): AgentPolicy {
  return {
    mode: config.mode,
    ttlMs: config.ttlSeconds * 1000,
    pollIntervalMs: config.pollIntervalMs,
    backoffBaseMs: Math.min(1000, config.pollIntervalMs ?? 1000),
    backoffMaxMs: 60_000,
    requestRefreshMinGapMs: Math.min(1000, config.pollIntervalMs ?? 1000),
    expectedIdentity: config.expectedIdentity,
    expectedEnvironment: config.expectedEnvironment,
    antiRollback: config.antiRollback,
    unsignedRevocation: config.unsignedRevocation,
    maxDocumentChars: config.maxArtifactBytes,
  };
}

/** The domain use cases, built from the ports the other modules bind. */
export const coreModule = new ContainerModule(({ bind }) => {
  bind<AgentPolicy>(AppTypes.Policy).toResolvedValue((c: AgentConfig) => policyFrom(c), [AppTypes.Config]);
  bind(AppTypes.AgentState).toConstantValue(new AgentState());
  bind<CoreDeps>(AppTypes.CoreDeps).toResolvedValue(
    (
      source: ArtifactSource,
      decryptor: Decryptor,
      verifier: SignatureVerifier,
      hasher: Hasher,
      clock: Clock,
      telemetry: Telemetry,
      state: AgentState,
      policy: AgentPolicy,
      cache: ArtifactCache | undefined,
      fleetCache: ArtifactCache | undefined,
      lease: FleetLease | undefined,
    ) => ({
      source, decryptor, verifier, hasher, clock, telemetry, state, policy, cache,
      fleet: fleetCache && lease ? { cache: fleetCache, lease } : undefined,
    }),
    [
      ArtifactSource, Decryptor, SignatureVerifier, Hasher, Clock, Telemetry, AppTypes.AgentState, AppTypes.Policy,
      { serviceIdentifier: ArtifactCache, optional: true },
      { serviceIdentifier: AppTypes.FleetCache, optional: true },
      { serviceIdentifier: FleetLease, optional: true },
    ],
  ).inSingletonScope();
  bind(AppTypes.RefreshService).toResolvedValue((d: CoreDeps) => new RefreshService(d), [AppTypes.CoreDeps]).inSingletonScope();
  bind(AppTypes.RefreshScheduler)
    .toResolvedValue((d: CoreDeps, r: RefreshService) => new RefreshScheduler(d, r), [AppTypes.CoreDeps, AppTypes.RefreshService])
    .inSingletonScope();
  bind(AppTypes.SecretsService)
    .toResolvedValue((d: CoreDeps, r: RefreshService) => new SecretsService(d, r), [AppTypes.CoreDeps, AppTypes.RefreshService])
    .inSingletonScope();
  bind(SecretsQuery).toService(AppTypes.SecretsService);
});
