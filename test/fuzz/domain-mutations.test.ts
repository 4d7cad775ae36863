/**
 * Mutated copies of the valid vectors, fed through the whole refresh path of an agent
 * that already serves the good vector (or, at cold start, serves nothing yet). Whatever
 * the mutation, the agent either serves exactly the vector's secrets or keeps serving
 * what it had (revocation and expiry aside, which wipe); it never throws, never serves
 * a partial or different tree, and every rejection carries a specific code. Then the
 * good vector is published again and must be served (recovery).
 */
import fc from 'fast-check';
import { revisionTime } from '../../src/domain/policy';
import type { SecretsSnapshot } from '../../src/domain/snapshot';
import { allVectorSecretValues } from '../support/vectors';
import { params, TIMEOUT_MS } from './support/budget';
import { codeOf } from './support/coded';
import { mutation, render, SIGNED, type Mutation } from './support/mutations';
import { tally, type Tally } from './support/tally';
import { primeDecryptor, vector, vectorRig, type Rig, type RigPolicy, type Vector, type VectorName } from './support/vector-rig';

const NAMES: VectorName[] = ['a-age-basic', 'b-ed25519-signed'];
const WIPING = new Set(['revoked', 'expired']);
/** Long enough not to occur by chance in a mutated member (values like "info" would). */
const SECRET_VALUES = allVectorSecretValues().filter((v) => v.length >= 8);

const policy: fc.Arbitrary<RigPolicy> = fc.record({
  mode: fc.constantFrom('cached' as const, 'jit' as const),
  antiRollback: fc.boolean(),
  unsignedRevocation: fc.constantFrom('honour' as const, 'ignore' as const),
  bind: fc.boolean(),
  capped: fc.boolean(),
});

beforeAll(() => primeDecryptor(NAMES));

/** The served tree is exactly the vector's: same values, same namespace and key order. */
function expectVectorSecrets(s: SecretsSnapshot, v: Vector): void {
  expect(JSON.parse(s.secretsJson)).toEqual(v.secrets);
  expect(s.keys).toEqual(v.keys);
}

interface Before {
  snapshot: SecretsSnapshot | null;
  secretsJson: string | null;
  revision: string | undefined;
  digest: string | undefined;
}

function observe(rig: Rig): Before {
  const { snapshot, accepted } = rig.state;
  return { snapshot, secretsJson: snapshot?.secretsJson ?? null, revision: accepted?.artifact.revision, digest: accepted?.digest };
}

function expectUnchanged(rig: Rig, before: Before): void {
  expect(rig.state.snapshot).toBe(before.snapshot);
  expect(rig.state.snapshot?.secretsJson ?? null).toBe(before.secretsJson);
  expect(rig.state.accepted?.artifact.revision).toBe(before.revision);
  expect(rig.state.accepted?.digest).toBe(before.digest);
}

/** What may be served after an accepted mutation: the vector's plaintext, bound as configured. */
function expectAcceptable(rig: Rig, v: Vector, p: RigPolicy, preload: boolean): void {
  const original = JSON.parse(v.text) as Record<string, unknown>;
  const a = rig.state.accepted!.artifact;
  // No other ciphertext can decrypt to these secrets, and base64 is checked strictly.
  expect(a.ciphertext).toBe(original.ciphertext);
  if (v.signed) {
    // The signature covers these: with a verify key none of them may differ.
    for (const k of SIGNED) expect(a[k]).toEqual(original[k]);
  }
  if (p.bind) expect([a.identity, a.environment]).toEqual(['vector-svc', 'production']);
  // Anti-rollback compares packer-style revisions with the newest accepted one (none at
  // cold start); legacy revisions bypass it (ARTIFACT.md §10).
  const t = revisionTime(a.revision);
  if (p.antiRollback && preload && t !== undefined) expect(t).toBeGreaterThanOrEqual(revisionTime(v.revision)!);
  if (p.mode === 'cached') {
    expectVectorSecrets(rig.state.snapshot!, v);
    expect(rig.state.snapshot!.revision).toBe(a.revision);
  } else {
    expect(rig.state.snapshot).toBeNull();
  }
}

function expectNoSecretsLeaked(rig: Rig, errorMessage: string | undefined): void {
  const observable = JSON.stringify(rig.telemetry.events) + (errorMessage ?? '') + JSON.stringify(rig.state.lastError);
  for (const value of SECRET_VALUES) expect(observable.includes(value)).toBe(false);
}

/** `preload`: the good vector is served before the mutation arrives; otherwise the
 * mutation is the first document the agent ever sees. */
async function check(v: Vector, p: RigPolicy, m: Mutation, t: Tally, preload: boolean): Promise<void> {
  const rig = await vectorRig(v, p, preload);
  const before = observe(rig);
  rig.source.publish(render(v.text, m));

  const outcome = await rig.refresher.refresh();
  if (outcome.status === 'failed') {
    const code = codeOf(outcome.error);
    t.rejectedWith(code);
    if (WIPING.has(code)) {
      expect(rig.state.snapshot).toBeNull();
      expect(rig.state.accepted).toBeNull();
      expect(rig.state.wipedBecause).toBe(code);
      // The replaced snapshot is wiped, not just dropped.
      if (before.snapshot) expect(before.snapshot.secretsJson).toBe('{}');
    } else if (!preload) {
      expect(rig.state.snapshot).toBeNull();
      expect(rig.state.accepted).toBeNull();
    } else {
      expectUnchanged(rig, before);
      expect(rig.state.lastError?.code).toBe(code);
    }
  } else if (outcome.status === 'unchanged') {
    t.ok('unchanged');
    expectUnchanged(rig, before);
  } else {
    t.ok('refreshed');
    expectAcceptable(rig, v, p, preload);
  }
  expectNoSecretsLeaked(rig, outcome.status === 'failed' ? outcome.error.message : undefined);

  // A read serves exactly the vector's secrets or fails with the code that explains why
  // — in JIT mode it decrypts whatever was accepted, so an unverified document would
  // show up here (W2).
  const failed = outcome.status === 'failed' ? outcome.error.code : undefined;
  const expected = failed && WIPING.has(failed) ? failed : failed && !preload ? 'not_loaded' : 'served';
  let read: SecretsSnapshot | string;
  try {
    read = await rig.service.read();
  } catch (e) {
    read = codeOf(e);
  }
  expect(typeof read === 'string' ? read : 'served').toBe(expected);
  if (typeof read !== 'string') expectVectorSecrets(read, v);

  // Publishing the good vector again recovers — unless anti-rollback now rightly refuses
  // it because an accepted (unsigned) mutation carried a newer revision.
  rig.source.publish(v.text);
  const again = await rig.refresher.refresh();
  const raised = (rig.state.highestRevisionMs ?? 0) > revisionTime(v.revision)!;
  if (p.antiRollback && raised) {
    expect(again.status === 'failed' ? again.error.code : again.status).toBe('rollback');
  } else {
    expect(again.status === 'failed' ? again.error.code : 'recovered').toBe('recovered');
    expect(rig.state.accepted!.artifact.revision).toBe(v.revision);
    expectVectorSecrets(await rig.service.read(), v);
  }
}

describe.each(NAMES)('mutations of %s through the whole domain path (fuzz)', (name) => {
  const v = vector(name);

  it('while serving the vector: serve it exactly, or reject with a code and keep the previous snapshot', async () => {
    const t = tally(`domain ← mutations of ${name}, vector already served`);
    await fc.assert(
      fc.asyncProperty(policy, mutation, (p, m) => check(v, p, m, t, true)),
      params<[RigPolicy, Mutation]>(250, 0.1),
    );
  }, TIMEOUT_MS);

  it('at cold start: serve exactly the vector, or reject with a code and serve nothing', async () => {
    const t = tally(`domain ← mutations of ${name}, cold start`);
    await fc.assert(
      fc.asyncProperty(policy, mutation, (p, m) => check(v, p, m, t, false)),
      params<[RigPolicy, Mutation]>(250, 0.1),
    );
  }, TIMEOUT_MS);
});
