/**
 * SecretsQuery.waitForRevision (long-polls, exec rotation) and `verifiedBy` after a
 * re-signature by a rotated key: domain level, over the in-memory harness.
 */
import { createPublicKey } from 'node:crypto';
import { NodeSignatureVerifier, verifyKeyId } from '../../src/adapters/crypto/signature-verifier';
import { newEd25519Keys, revocationMarker } from '../support/pack';
import { coreHarness, TREE } from '../support/core-harness';
import { reSign } from '../support/resign';

const keyIdOf = (verifyKey: string) => verifyKeyId(createPublicKey({ key: Buffer.from(verifyKey, 'base64'), format: 'der', type: 'spki' }));

/** Settles pending promise callbacks without any timer. */
async function settled<T>(p: Promise<T>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return done;
}

describe('waitForRevision', () => {
  it('resolves at once when the served revision already differs from `since`', async () => {
    const h = await coreHarness();
    h.source.publish(await h.pack(TREE, { revision: 'rev-1' }));
    await h.refresher.refresh();
    await expect(h.service.waitForRevision('rev-0', new AbortController().signal)).resolves.toBeUndefined();
    await expect(h.service.waitForRevision(null, new AbortController().signal)).resolves.toBeUndefined();
    expect(h.service.waiterCount).toBe(0);
  });

  it('wakes on the commit of a new revision, not on an unchanged poll', async () => {
    const h = await coreHarness();
    h.source.publish(await h.pack(TREE, { revision: 'rev-1' }));
    await h.refresher.refresh();
    const wait = h.service.waitForRevision('rev-1', new AbortController().signal);
    expect((await h.refresher.refresh()).status).toBe('unchanged');
    expect(await settled(wait)).toBe(false);
    expect(h.service.waiterCount).toBe(1);
    h.source.publish(await h.pack(TREE, { revision: 'rev-2' }));
    expect((await h.refresher.refresh()).status).toBe('refreshed');
    await wait;
    expect(h.service.currentRevision()).toBe('rev-2');
    expect(h.service.waiterCount).toBe(0);
  });

  it('wakes on revocation; the following read is refused', async () => {
    const h = await coreHarness();
    h.source.publish(await h.pack(TREE, { revision: 'rev-1' }));
    await h.refresher.refresh();
    const wait = h.service.waitForRevision('rev-1', new AbortController().signal);
    h.source.publish(revocationMarker());
    await h.refresher.refresh();
    await wait;
    await expect(h.service.read()).rejects.toMatchObject({ code: 'revoked' });
    expect(h.service.waiterCount).toBe(0);
  });

  it('a waiter for the first load (since null) wakes when something is served', async () => {
    const h = await coreHarness();
    const wait = h.service.waitForRevision(null, new AbortController().signal);
    expect(await settled(wait)).toBe(false);
    h.source.publish(await h.pack(TREE, { revision: 'rev-1' }));
    await h.refresher.refresh();
    await wait;
    expect(h.service.currentRevision()).toBe('rev-1');
  });

  it('wakes every waiter when the agent stops', async () => {
    const h = await coreHarness();
    h.source.publish(await h.pack(TREE, { revision: 'rev-1' }));
    await h.refresher.refresh();
    const waits = [1, 2, 3].map(() => h.service.waitForRevision('rev-1', new AbortController().signal));
    h.scheduler.stop();
    await Promise.all(waits);
    expect(h.service.waiterCount).toBe(0);
    await expect(h.service.read()).rejects.toMatchObject({ code: 'stopped' });
  });

  it('leaves no listener behind after many aborted waits', async () => {
    const h = await coreHarness();
    h.source.publish(await h.pack(TREE, { revision: 'rev-1' }));
    await h.refresher.refresh();
    const controllers = Array.from({ length: 500 }, () => new AbortController());
    const waits = controllers.map((c) => h.service.waitForRevision('rev-1', c.signal));
    expect(h.service.waiterCount).toBe(500);
    controllers.forEach((c) => c.abort());
    await Promise.all(waits);
    expect(h.service.waiterCount).toBe(0);
    expect(h.state.changeListeners.size).toBe(0);
    // An already-aborted signal never registers at all.
    await h.service.waitForRevision('rev-1', AbortSignal.abort());
    expect(h.service.waiterCount).toBe(0);
  });
});

describe('verifiedBy after key rotation', () => {
  it('names the new key when the same revision is re-signed by it', async () => {
    const [oldKey, newKey] = [newEd25519Keys(), newEd25519Keys()];
    const h = await coreHarness({ verifyKeys: [oldKey.verifyKey] });
    const original = await h.pack(TREE, { revision: 'rev-1', signWith: oldKey.privateKey });
    h.source.publish(original);
    await h.refresher.refresh();
    expect(h.service.health().verifiedBy).toBe(keyIdOf(oldKey.verifyKey));
    const decryptsBefore = h.decryptor.calls;

    // Rotation: the verifier learns the new key, the publisher re-signs the same revision.
    (h.deps.verifier as NodeSignatureVerifier).setKeys([newKey.verifyKey]);
    const reSigned = reSign(original, newKey.privateKey);
    h.source.publish(reSigned);
    expect((await h.refresher.refresh()).status).toBe('unchanged');
    expect(h.service.health()).toMatchObject({ revision: 'rev-1', verifiedBy: keyIdOf(newKey.verifyKey) });
    expect(h.state.accepted?.document).toBe(reSigned); // the cache keeps what the new key accepts
    expect(h.decryptor.calls).toBe(decryptsBefore);
  });
});
