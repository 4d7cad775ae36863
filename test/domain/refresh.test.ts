import { AgentError } from '../../src/domain/errors';
import { newEd25519Keys, revocationMarker } from '../support/pack';
import { codeOf, coreHarness, TREE } from '../support/core-harness';

describe('refresh: verify, decrypt, publish', () => {
  it('loads a published artifact and serves it', async () => {
    const h = await coreHarness();
    h.source.publish(await h.pack());
    expect((await h.refresher.refresh()).status).toBe('refreshed');
    const snap = await h.service.read();
    expect(JSON.parse(snap.secretsJson)).toEqual(TREE);
    expect(h.service.readiness()).toEqual({ ready: true });
    expect(h.telemetry.ofType('artifact.refreshed')).toHaveLength(1);
  });

  it('never serves before a first successful load', async () => {
    const h = await coreHarness();
    h.source.remove();
    expect(await codeOf(h.service.read())).toBe('not_loaded');
    expect(h.service.readiness()).toEqual({ ready: false, reason: 'not_loaded' });
    expect(h.service.health().lastError?.code).toBe('source_not_found');
  });

  it('a bad document never replaces the good snapshot', async () => {
    const h = await coreHarness();
    const good = await h.pack();
    h.source.publish(good);
    await h.refresher.refresh();
    const tampered = JSON.parse(good);
    tampered.ciphertextHash = 'f'.repeat(64);
    h.source.publish(JSON.stringify(tampered));
    const outcome = await h.refresher.refresh();
    expect(outcome.status === 'failed' && outcome.error.code).toBe('integrity');
    expect(JSON.parse((await h.service.read()).secretsJson)).toEqual(TREE);
    expect(h.service.health()).toMatchObject({ status: 'degraded', lastError: { code: 'integrity' } });
    expect(h.telemetry.ofType('artifact.invalid')[0]).toMatchObject({ reason: 'integrity' });
  });

  it.each([
    ['not JSON', '{', 'json_parse'],
    ['wrong version', JSON.stringify({ version: '1' }), 'unsupported_version'],
    ['payload not an object of strings', null, 'payload_parse'],
  ])('rejects %s with a code', async (_name, doc, code) => {
    const h = await coreHarness();
    h.source.publish(doc ?? (await h.pack(JSON.stringify({ api: { N: 1 } }))));
    const outcome = await h.refresher.refresh();
    expect(outcome.status === 'failed' && outcome.error.code).toBe(code);
    expect(h.state.snapshot).toBeNull();
  });

  it('an unchanged source is a successful refresh without decrypting', async () => {
    const h = await coreHarness();
    h.source.publish(await h.pack());
    await h.refresher.refresh();
    h.clock.advance(10_000);
    expect((await h.refresher.refresh()).status).toBe('unchanged');
    expect(h.decryptor.calls).toBe(1);
    expect(h.state.lastRefreshAt).toBe(h.clock.now());
  });

  it('the same revision with other ciphertext is verified, not trusted (W2)', async () => {
    const keys = newEd25519Keys();
    const h = await coreHarness({ verifyKeys: [keys.verifyKey] });
    const signed = await h.pack(TREE, { signWith: keys.privateKey, revision: '1777636800000-1a2b3c4d' });
    h.source.publish(signed);
    await h.refresher.refresh();
    const forged = await h.pack({ api: { DB_URL: 'evil' } }, { revision: '1777636800000-1a2b3c4d' });
    const f = JSON.parse(forged);
    f.signature = JSON.parse(signed).signature;
    h.source.publish(JSON.stringify(f));
    const outcome = await h.refresher.refresh();
    expect(outcome.status === 'failed' && outcome.error.code).toBe('signature_invalid');
    expect((await h.service.read()).get('api', 'DB_URL')).toBe(TREE.api.DB_URL);
  });

  it('rejects unsigned and wrongly signed artifacts when a verify key is set', async () => {
    const keys = newEd25519Keys();
    const other = newEd25519Keys();
    const h = await coreHarness({ verifyKeys: [keys.verifyKey] });
    h.source.publish(await h.pack());
    expect(await codeOf(h.refresher.refresh().then((o) => (o.status === 'failed' ? Promise.reject(o.error) : o)))).toBe('signature_missing');
    h.source.publish(await h.pack(TREE, { signWith: other.privateKey }));
    const o = await h.refresher.refresh();
    expect(o.status === 'failed' && o.error.code).toBe('signature_invalid');
    h.source.publish(await h.pack(TREE, { signWith: keys.privateKey }));
    expect((await h.refresher.refresh()).status).toBe('refreshed');
    expect(h.service.health().verifiedBy).toBe(h.deps.verifier.keyIds[0]);
  });

  it('rejects an artifact for another identity or environment when bound', async () => {
    const h = await coreHarness({ expectedIdentity: 'vector-svc', expectedEnvironment: 'production' });
    h.source.publish(await h.pack(TREE, { environment: 'staging' }));
    const o = await h.refresher.refresh();
    expect(o.status === 'failed' && o.error.code).toBe('identity_mismatch');
  });

  it('anti-rollback refuses an older packer revision once a newer one was accepted', async () => {
    const h = await coreHarness({ antiRollback: true });
    h.source.publish(await h.pack(TREE, { revision: '1777636800000-aaaaaaaa' }));
    await h.refresher.refresh();
    h.source.publish(await h.pack(TREE, { revision: '1777636700000-bbbbbbbb' }));
    const o = await h.refresher.refresh();
    expect(o.status === 'failed' && o.error.code).toBe('rollback');
  });

  it('revocation wipes, and the same artifact reloads when the source returns (W4)', async () => {
    const h = await coreHarness();
    const doc = await h.pack();
    h.source.publish(doc);
    await h.refresher.refresh();
    h.source.publish(revocationMarker());
    const o = await h.refresher.refresh();
    expect(o.status === 'failed' && o.error.code).toBe('revoked');
    expect(h.service.readiness()).toEqual({ ready: false, reason: 'revoked' });
    expect(await codeOf(h.service.read())).toBe('revoked');
    expect(h.service.health().revokedAt).not.toBeNull();
    h.source.publish(doc);
    expect((await h.refresher.refresh()).status).toBe('refreshed');
    expect(h.service.readiness()).toEqual({ ready: true });
  });

  it('with CLEF_AGENT_UNSIGNED_REVOCATION=ignore and a verify key, a marker cannot wipe', async () => {
    const keys = newEd25519Keys();
    const h = await coreHarness({ verifyKeys: [keys.verifyKey], unsignedRevocation: 'ignore' });
    h.source.publish(await h.pack(TREE, { signWith: keys.privateKey }));
    await h.refresher.refresh();
    h.source.publish(revocationMarker());
    const o = await h.refresher.refresh();
    expect(o.status === 'failed' && o.error.code).toBe('revocation_unsigned');
    expect(h.service.readiness()).toEqual({ ready: true });
  });

  it('single-flight: 100 concurrent reads while loading share one fetch and one decrypt', async () => {
    const h = await coreHarness();
    h.source.publish(await h.pack());
    const reads = Array.from({ length: 100 }, () => h.service.read());
    const snaps = await Promise.all(reads);
    expect(new Set(snaps).size).toBe(1);
    expect(h.source.fetchCount).toBe(1);
    expect(h.decryptor.calls).toBe(1);
  });

  it('stop() aborts an in-flight fetch and nothing is committed after it', async () => {
    const h = await coreHarness();
    h.source.hang();
    const pending = h.refresher.refresh();
    h.refresher.stop();
    const o = await pending;
    expect(o.status).toBe('failed');
    expect(h.state.snapshot).toBeNull();
    expect((await h.refresher.refresh()).status).toBe('failed');
    expect(h.source.fetchCount).toBe(1);
  });

  it('error messages never carry secret values', async () => {
    const h = await coreHarness();
    h.source.publish(await h.pack(JSON.stringify({ api: { K: 'super-secret-value', N: 5 } })));
    const o = await h.refresher.refresh();
    expect(o.status).toBe('failed');
    expect(JSON.stringify(h.telemetry.events)).not.toContain('super-secret-value');
    expect(o.status === 'failed' && o.error).toBeInstanceOf(AgentError);
  });
});
