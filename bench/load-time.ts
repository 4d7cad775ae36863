/**
 * Scenario 5, run in its own process: time RefreshService.refresh() of one artifact over
 * a FileSource with the real adapters (node:crypto verifier and hasher, age decryptor):
 * read → size/JSON/shape checks → binding/integrity/signature → decrypt → payload →
 * snapshot index and body serialisation. A fresh service and state per iteration, so
 * each refresh is a first load. The first iteration runs on cold (unoptimised) code, as
 * the agent's one load at start does; the others show the steady cost.
 *
 *   node bench/.out/load-time.js <artifact> <age key file> <iterations>  → JSON on stdout
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { SystemClock } from '../src/adapters/clock/system-clock';
import { parseAgeIdentities } from '../src/adapters/crypto/age-identities';
import { AgeDecryptor } from '../src/adapters/crypto/age-decryptor';
import { NodeHasher } from '../src/adapters/crypto/node-hasher';
import { NodeSignatureVerifier } from '../src/adapters/crypto/signature-verifier';
import { MemoryTelemetry } from '../src/adapters/memory/memory-telemetry';
import { FileSource } from '../src/adapters/sources/file-source';
import { AgentState } from '../src/domain/agent-state';
import type { PackedArtifact } from '../src/domain/artifact/types';
import type { CoreDeps } from '../src/domain/core-deps';
import type { AgentPolicy } from '../src/domain/policy';
import type { ArtifactSource, FetchRequest, FetchResult } from '../src/domain/ports/artifact-source';
import type { Decryptor } from '../src/domain/ports/decryptor';
import { RefreshService } from '../src/domain/refresh-service';

class TimedSource implements ArtifactSource {
  ms = 0;
  constructor(private readonly inner: FileSource) {}
  get type() {
    return this.inner.type;
  }
  get description() {
    return this.inner.description;
  }
  get cacheKey() {
    return this.inner.cacheKey;
  }
  get capabilities() {
    return this.inner.capabilities;
  }
  async fetch(request: FetchRequest): Promise<FetchResult> {
    const t = performance.now();
    try {
      return await this.inner.fetch(request);
    } finally {
      this.ms += performance.now() - t;
    }
  }
}

class TimedDecryptor implements Decryptor {
  ms = 0;
  constructor(private readonly inner: Decryptor) {}
  get capabilities() {
    return this.inner.capabilities;
  }
  async decrypt(artifact: PackedArtifact, signal?: AbortSignal): Promise<Uint8Array> {
    const t = performance.now();
    try {
      return await this.inner.decrypt(artifact, signal);
    } finally {
      this.ms += performance.now() - t;
    }
  }
}

export interface LoadSample {
  totalMs: number;
  readMs: number;
  decryptMs: number;
  /** total − read − decrypt: parse, checks, hashing, payload parse, index, serialisation. */
  restMs: number;
  keyCount: number;
}

async function once(file: string, identities: string[]): Promise<LoadSample> {
  const source = new TimedSource(new FileSource({ path: file, maxBytes: 64 * 1024 * 1024 }));
  const decryptor = new TimedDecryptor(new AgeDecryptor({ identities }));
  const clock = new SystemClock();
  const policy: AgentPolicy = {
    mode: 'cached',
    ttlMs: 300_000,
    backoffBaseMs: 1_000,
    backoffMaxMs: 60_000,
    requestRefreshMinGapMs: 1_000,
    antiRollback: false,
    unsignedRevocation: 'honour',
    maxDocumentChars: 64 * 1024 * 1024,
  };
  const deps: CoreDeps = {
    source,
    decryptor,
    verifier: new NodeSignatureVerifier({ keys: [] }),
    hasher: new NodeHasher(),
    clock,
    telemetry: new MemoryTelemetry(),
    state: new AgentState(),
    policy,
  };
  const service = new RefreshService(deps);
  const t = performance.now();
  const outcome = await service.refresh();
  const totalMs = performance.now() - t;
  const keyCount = deps.state.snapshot?.keyCount ?? 0;
  service.stop(); // cancels the expiry timer, if any
  if (outcome.status !== 'refreshed' || keyCount === 0) throw new Error(`refresh did not load: ${JSON.stringify(outcome)}`);
  deps.state.wipe('stopped');
  return { totalMs, readMs: source.ms, decryptMs: decryptor.ms, restMs: totalMs - source.ms - decryptor.ms, keyCount };
}

async function main(): Promise<void> {
  const [file, keyFile, n] = process.argv.slice(2);
  const identities = parseAgeIdentities(readFileSync(keyFile, 'utf8'));
  const samples: LoadSample[] = [];
  for (let i = 0; i < Math.max(2, Number(n)); i++) samples.push(await once(file, identities));
  process.stdout.write(JSON.stringify(samples));
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
