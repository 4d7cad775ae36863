/**
 * Builds the domain use cases over in-memory/reference adapters and a fake clock, so
 * refresh, TTL, expiry and schedule behaviour can be driven step by step.
 */
import { AgeDecryptor } from '../../src/adapters/crypto/age-decryptor';
import { NodeHasher } from '../../src/adapters/crypto/node-hasher';
import { NodeSignatureVerifier } from '../../src/adapters/crypto/signature-verifier';
import { MemorySource } from '../../src/adapters/memory/memory-source';
import { MemoryTelemetry } from '../../src/adapters/memory/memory-telemetry';
import { AgentState } from '../../src/domain/agent-state';
import type { PackedArtifact } from '../../src/domain/artifact/types';
import type { CoreDeps } from '../../src/domain/core-deps';
import type { AgentPolicy } from '../../src/domain/policy';
import type { ArtifactCache } from '../../src/domain/ports/artifact-cache';
import type { Decryptor } from '../../src/domain/ports/decryptor';
import { RefreshScheduler } from '../../src/domain/refresh-scheduler';
import { RefreshService } from '../../src/domain/refresh-service';
import { SecretsService } from '../../src/domain/secrets-service';
import { FakeClock } from './fake-clock';
import { newAgeIdentity, packAge, type PackOptions, type Tree } from './pack';

export const TREE: Tree = { api: { DB_URL: 'postgres://db/app', TOKEN: 'tok-1234' }, shared: { LOG_LEVEL: 'info' } };

/** Counts decrypts and can hold them until released, to observe coalescing. */
export class CountingDecryptor implements Decryptor {
  calls = 0;
  gate: Promise<void> | null = null;
  constructor(readonly inner: Decryptor) {}
  get capabilities() {
    return this.inner.capabilities;
  }
  async decrypt(a: PackedArtifact, signal?: AbortSignal): Promise<Uint8Array> {
    this.calls += 1;
    if (this.gate) await this.gate;
    return this.inner.decrypt(a, signal);
  }
}

export interface HarnessOptions extends Partial<AgentPolicy> {
  verifyKeys?: string[];
  cache?: ArtifactCache;
  source?: MemorySource;
  fleet?: CoreDeps['fleet'];
  /** Share an age identity between harnesses (agents of one fleet). */
  age?: { identity: string; recipient: string };
  clock?: FakeClock;
}

export async function coreHarness(options: HarnessOptions = {}) {
  const { verifyKeys = [], cache, source = new MemorySource(), fleet, clock = new FakeClock(), ...rest } = options;
  const { age: sharedAge, ...policyOverrides } = rest;
  const age = sharedAge ?? (await newAgeIdentity());
  const decryptor = new CountingDecryptor(new AgeDecryptor({ identities: [age.identity] }));
  const telemetry = new MemoryTelemetry();
  const policy: AgentPolicy = {
    mode: 'cached',
    ttlMs: 300_000,
    backoffBaseMs: 1_000,
    backoffMaxMs: 60_000,
    requestRefreshMinGapMs: 1_000,
    antiRollback: false,
    unsignedRevocation: 'honour',
    maxDocumentChars: 10 * 1024 * 1024,
    random: () => 0.5,
    ...policyOverrides,
  };
  const deps: CoreDeps = {
    source,
    decryptor,
    verifier: new NodeSignatureVerifier({ keys: verifyKeys }),
    hasher: new NodeHasher(),
    clock,
    telemetry,
    cache,
    fleet,
    state: new AgentState(),
    policy,
  };
  const refresher = new RefreshService(deps);
  const service = new SecretsService(deps, refresher);
  const scheduler = new RefreshScheduler(deps, refresher);
  /** Packs `tree` for this harness's age identity, with the fake clock's time as packedAt. */
  const pack = (tree: Tree | string = TREE, opts: PackOptions = {}) =>
    packAge(tree, age.recipient, { packedAt: new Date(clock.now()).toISOString(), ...opts });
  return { clock, source, decryptor, telemetry, deps, state: deps.state, refresher, service, scheduler, pack, age };
}

/** Resolves with the AgentError code a promise rejects with. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? 'no-code';
  }
  return 'resolved';
}
