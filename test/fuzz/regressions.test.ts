/**
 * Minimal reproductions of failures the fuzz properties found, kept as plain examples so
 * they fail fast and clearly (no shrinking) until fixed, and guard against regressions
 * afterwards. Each states the correct behaviour, not the current one.
 */
import { decodeStrictBase64 } from '../../src/adapters/crypto/strict-base64';
import { envelopeInputs } from '../../src/adapters/kms/envelope-cipher';
import { parseDocument } from '../../src/domain/artifact/parse-document';
import type { PackedArtifact } from '../../src/domain/artifact/types';
import { primeDecryptor, vector, vectorRig, type RigPolicy } from './support/vector-rig';

const POLICY: RigPolicy = { mode: 'cached', antiRollback: false, unsignedRevocation: 'honour', bind: false, capped: false };
/** Above the ~4.47 M-character point where V8's regexp backtracking stack overflows. */
const FIVE_MIB = 5 * 1024 * 1024;
const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

beforeAll(() => primeDecryptor(['b-ed25519-signed']));

describe('found by fuzzing: a truthy revokedAt nested ~4k+ levels deep', () => {
  // parseDocument describes a non-string revokedAt with JSON.stringify, which recurses
  // and throws RangeError; ARTIFACT.md §9 says any truthy revokedAt is a revocation.
  it('parseDocument returns a revocation instead of throwing RangeError', () => {
    expect(parseDocument(`{"revokedAt":${deepArray(10_000)}}`).kind).toBe('revoked');
  });

  it('a served agent is revoked (and wiped), not left serving with an "unknown" failure', async () => {
    const rig = await vectorRig(vector('b-ed25519-signed'), POLICY);
    rig.source.publish(vector('b-ed25519-signed').text.replace(/^\{/, `{"revokedAt":${deepArray(10_000)},`));
    const outcome = await rig.refresher.refresh();
    expect(outcome.status === 'failed' ? outcome.error.code : outcome.status).toBe('revoked');
    expect(rig.state.snapshot).toBeNull();
  });
});

describe('found by fuzzing: strict base64 of a string over ~4.47 M characters', () => {
  // The canonical-base64 regexp overflows V8's backtracking stack (RangeError); the
  // document cap (10 MiB) lets such members through to it.
  it('decodeStrictBase64 decodes a 5 MiB base64 string instead of throwing RangeError', () => {
    expect(decodeStrictBase64('A'.repeat(FIVE_MIB))?.length).toBe((FIVE_MIB / 4) * 3);
  });

  it('the KMS envelope decoder copes with a 5 MiB ciphertext', () => {
    const b64 = (n: number) => Buffer.alloc(n, 1).toString('base64');
    const artifact = {
      ciphertext: 'A'.repeat(FIVE_MIB),
      envelope: { provider: 'aws', keyId: 'k', wrappedKey: b64(32), algorithm: 'SYMMETRIC_DEFAULT', iv: b64(12), authTag: b64(16) },
    } as PackedArtifact;
    expect(envelopeInputs(artifact).ciphertext.length).toBe((FIVE_MIB / 4) * 3);
  });

  it('a signed vector with a 5 MiB signature is rejected as a bad signature, not "unknown"', async () => {
    const rig = await vectorRig(vector('b-ed25519-signed'), POLICY);
    const before = rig.state.snapshot;
    const doc = JSON.parse(vector('b-ed25519-signed').text) as Record<string, unknown>;
    rig.source.publish(JSON.stringify({ ...doc, signature: 'A'.repeat(FIVE_MIB) }));
    const outcome = await rig.refresher.refresh();
    expect(['signature_error', 'signature_invalid']).toContain(outcome.status === 'failed' ? outcome.error.code : outcome.status);
    expect(rig.state.snapshot).toBe(before);
  });
});
