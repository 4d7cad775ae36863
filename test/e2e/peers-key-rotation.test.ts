/**
 * Issue 10.5 through the real process: several verify keys, the verify key file and the
 * age key file reloaded when they change (no restart, no signal), and `verifiedBy` in
 * health naming the key that verified the served revision, also after a re-signature.
 */
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verifyKeyId } from '../../src/adapters/crypto/signature-verifier';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { newAgeIdentity, newEd25519Keys, newP256Keys, packAge } from '../support/pack';
import { reSign } from '../support/resign';
import { AGE_KEY_FILE, VECTORS_DIR } from '../support/vectors';
import { startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();
const TREE = { app: { PASSWORD: 'rotation-value-1' } };
const keyId = (b64: string) => verifyKeyId(createPublicKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'spki' }));
const pem = (b64: string) => createPublicKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString();

type Health = { revision: string | null; verifiedBy: string | null; ready: boolean; lastError: { code: string } | null };

let dir: string;
let server: ArtifactServer;
let agent: AgentProcess;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'clef-peers-keys-'));
  server = await ArtifactServer.start();
});
afterEach(async () => {
  await stopAllAgents();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function replaceFile(file: string, content: string): void {
  writeFileSync(`${file}.tmp`, content, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
const waitHealth = (p: (h: Health) => boolean) => agent.waitFor('/v1/health', (r) => p(r.json<Health>()));

it('accepts a rotated verify key from the key file without restart or signal; verifiedBy follows', async () => {
  const [oldKey, newKey] = [newEd25519Keys(), newP256Keys()];
  const keyFile = path.join(dir, 'verify.keys');
  replaceFile(keyFile, `${oldKey.verifyKey}\n`);
  const original = await packAge(TREE, RECIPIENT, { revision: '1800000000001-00000001', signWith: oldKey.privateKey });
  server.publish(original);
  agent = await startAgent({ env: { CLEF_AGENT_SOURCE: server.url, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_VERIFY_KEY_FILE: keyFile, CLEF_AGENT_POLL_INTERVAL: '0.2', CLEF_AGENT_WATCH_FILES: 'true' } });
  await agent.waitReady();
  await waitHealth((h) => h.verifiedBy === keyId(oldKey.verifyKey));
  const pid = agent.child.pid;

  // The publisher re-signs the same revision with the new key before the agent knows it:
  // refused, and the verified revision keeps being served.
  server.publish(reSign(original, newKey.privateKey));
  await waitHealth((h) => h.lastError?.code === 'signature_invalid' && h.ready);
  expect((await agent.authGet('/v1/secrets')).json()).toEqual(TREE);

  // The key file gains the new key (PEM this time): picked up by the watcher.
  replaceFile(keyFile, `${oldKey.verifyKey}\n${pem(newKey.verifyKey)}`);
  const healed = await waitHealth((h) => h.verifiedBy === keyId(newKey.verifyKey) && h.lastError === null);
  expect(healed.json<Health>().revision).toBe('1800000000001-00000001');

  // The old key is retired; a new revision signed by the new key is served.
  replaceFile(keyFile, pem(newKey.verifyKey));
  await agent.waitForLog((l) => l.event === 'agent.reloaded' && l.verifyKeyFile === 'reloaded');
  server.publish(await packAge({ app: { PASSWORD: 'rotation-value-2' } }, RECIPIENT, { revision: '1800000000002-00000002', signWith: newKey.privateKey }));
  await waitHealth((h) => h.revision === '1800000000002-00000002' && h.verifiedBy === keyId(newKey.verifyKey));
  expect((await agent.authGet('/v1/secrets')).json()).toEqual({ app: { PASSWORD: 'rotation-value-2' } });
  expect(agent.child.pid).toBe(pid);
  expect(agent.child.exitCode).toBeNull();
});

it('accepts any of several comma-separated verify keys and reports which one verified', async () => {
  const [a, b] = [newEd25519Keys(), newEd25519Keys()];
  server.publish(await packAge(TREE, RECIPIENT, { signWith: b.privateKey }));
  agent = await startAgent({ env: { CLEF_AGENT_SOURCE: server.url, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_VERIFY_KEY: `${a.verifyKey},${b.verifyKey}` } });
  await agent.waitReady();
  expect((await agent.get('/v1/health')).json<Health>().verifiedBy).toBe(keyId(b.verifyKey));
});

it('picks up a new age identity from the key file without restart or signal', async () => {
  const next = await newAgeIdentity();
  const ageFile = path.join(dir, 'age.key');
  replaceFile(ageFile, readFileSync(AGE_KEY_FILE, 'utf8'));
  server.publish(await packAge(TREE, RECIPIENT, { revision: '1800000000001-00000001' }));
  agent = await startAgent({ env: { CLEF_AGENT_SOURCE: server.url, CLEF_AGENT_AGE_KEY_FILE: ageFile, CLEF_AGENT_POLL_INTERVAL: '0.2', CLEF_AGENT_WATCH_FILES: 'true' } });
  await agent.waitReady();

  // Encrypted only to the new recipient: not decryptable yet, the old revision stays served.
  server.publish(await packAge({ app: { PASSWORD: 'for-the-new-identity' } }, next.recipient, { revision: '1800000000002-00000002' }));
  await waitHealth((h) => h.lastError?.code === 'decrypt' && h.revision === '1800000000001-00000001');

  replaceFile(ageFile, `${readFileSync(AGE_KEY_FILE, 'utf8').trim()}\n${next.identity}\n`);
  await waitHealth((h) => h.revision === '1800000000002-00000002');
  expect((await agent.authGet('/v1/secrets')).json()).toEqual({ app: { PASSWORD: 'for-the-new-identity' } });
});
