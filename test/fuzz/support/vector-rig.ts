/**
 * The whole domain path (RefreshService → Acceptor → parse/verify/decrypt → snapshot)
 * over the shared vectors' real keys: AgeDecryptor with the vector age identity,
 * NodeSignatureVerifier with the vector Ed25519 key, NodeHasher, MemorySource,
 * MemoryTelemetry, FakeClock. Built like test/support/core-harness.ts, which generates
 * its own age identity and so cannot open the vectors.
 */
import { AgeDecryptor } from '../../../src/adapters/crypto/age-decryptor';
import { NodeHasher } from '../../../src/adapters/crypto/node-hasher';
import { NodeSignatureVerifier } from '../../../src/adapters/crypto/signature-verifier';
import { MemorySource } from '../../../src/adapters/memory/memory-source';
import { MemoryTelemetry } from '../../../src/adapters/memory/memory-telemetry';
import { AgentState } from '../../../src/domain/agent-state';
import type { PackedArtifact } from '../../../src/domain/artifact/types';
import type { CoreDeps } from '../../../src/domain/core-deps';
import type { AgentPolicy } from '../../../src/domain/policy';
import type { Decryptor } from '../../../src/domain/ports/decryptor';
import { RefreshService } from '../../../src/domain/refresh-service';
import { SecretsService } from '../../../src/domain/secrets-service';
import { FakeClock } from '../../support/fake-clock';
import { loadExpect, vectorAgeIdentity, vectorText, vectorVerifyKey } from '../../support/vectors';

export type VectorName = 'a-age-basic' | 'b-ed25519-signed';

export interface Vector {
  name: VectorName;
  text: string;
  /** Signed vectors are loaded with the verify key configured. */
  signed: boolean;
  revision: string;
  secrets: Record<string, Record<string, string>>;
  /** Flat names in the reference order (namespace order, then key order). */
  keys: string[];
}

const vectors = new Map<VectorName, Vector>();

export function vector(name: VectorName): Vector {
  let v = vectors.get(name);
  if (!v) {
    const expect = loadExpect(name);
    v = { name, text: vectorText(name), signed: expect.needs.verifyKey !== undefined, revision: expect.revision!, secrets: expect.secrets!, keys: expect.keys! };
    vectors.set(name, v);
  }
  return v;
}

/**
 * The real AgeDecryptor, except that the vectors' own, untouched ciphertexts are
 * answered from a plaintext the real decryptor produced once (see `primeDecryptor`).
 * Pure-JS age costs ~20 ms per 89 KB vector, and every case decrypts the good vector at
 * least once; every mutated ciphertext still goes through real age.
 */
class ReplayingDecryptor implements Decryptor {
  constructor(
    private readonly inner: AgeDecryptor,
    private readonly known: ReadonlyMap<string, Uint8Array>,
  ) {}

  get capabilities() {
    return this.inner.capabilities;
  }

  async decrypt(artifact: PackedArtifact, signal?: AbortSignal): Promise<Uint8Array> {
    const plaintext = artifact.envelope === undefined ? this.known.get(artifact.ciphertext) : undefined;
    // A copy: the acceptor zeroes what it is given.
    return plaintext ? plaintext.slice() : this.inner.decrypt(artifact, signal);
  }
}

let age: AgeDecryptor | undefined;
const plaintexts = new Map<string, Uint8Array>();

function ageDecryptor(): AgeDecryptor {
  age ??= new AgeDecryptor({ identities: [vectorAgeIdentity()] });
  return age;
}

/** Decrypts each vector once with the real decryptor; call from beforeAll. */
export async function primeDecryptor(names: readonly VectorName[]): Promise<void> {
  for (const name of names) {
    const doc = JSON.parse(vector(name).text) as { ciphertext: string };
    if (!plaintexts.has(doc.ciphertext)) plaintexts.set(doc.ciphertext, await ageDecryptor().decrypt(doc as unknown as PackedArtifact));
  }
}

export interface RigPolicy {
  mode: 'cached' | 'jit';
  antiRollback: boolean;
  unsignedRevocation: 'honour' | 'ignore';
  /** Require the vector's identity/environment (W5a). */
  bind: boolean;
  /** Cap documents at the vector's size + 1 MiB instead of 10 MiB, so huge members hit it. */
  capped: boolean;
}

/** A fresh agent, with `v` already loaded through the normal refresh path when `preload`. */
export async function vectorRig(v: Vector, p: RigPolicy, preload = true) {
  const clock = new FakeClock();
  const source = new MemorySource();
  const telemetry = new MemoryTelemetry();
  const policy: AgentPolicy = {
    mode: p.mode,
    ttlMs: p.mode === 'jit' ? 0 : 300_000,
    backoffBaseMs: 1_000,
    backoffMaxMs: 60_000,
    requestRefreshMinGapMs: 1_000,
    antiRollback: p.antiRollback,
    unsignedRevocation: p.unsignedRevocation,
    maxDocumentChars: p.capped ? v.text.length + 1024 * 1024 : 10 * 1024 * 1024,
    expectedIdentity: p.bind ? 'vector-svc' : undefined,
    expectedEnvironment: p.bind ? 'production' : undefined,
    random: () => 0.5,
  };
  const deps: CoreDeps = {
    source,
    decryptor: new ReplayingDecryptor(ageDecryptor(), plaintexts),
    verifier: new NodeSignatureVerifier({ keys: v.signed ? [vectorVerifyKey()] : [] }),
    hasher: new NodeHasher(),
    clock,
    telemetry,
    state: new AgentState(),
    policy,
  };
  const refresher = new RefreshService(deps);
  const service = new SecretsService(deps, refresher);
  if (preload) {
    source.publish(v.text);
    const first = await refresher.refresh();
    if (first.status !== 'refreshed') throw new Error(`the good vector ${v.name} did not load: ${JSON.stringify(first)}`);
  }
  return { deps, state: deps.state, source, telemetry, refresher, service, clock };
}

export type Rig = Awaited<ReturnType<typeof vectorRig>>;
