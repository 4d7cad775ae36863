/**
 * The GCS source under clef-agent's ArtifactSource contract suite (from the packed
 * package's `clef-agent/testing`), through the real client against a loopback fake of the
 * JSON API, and `src/main.js` serving an artifact it reads from there.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import * as runner from 'node:test';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Storage } from '@google-cloud/storage';
import { Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { INVALID_UTF8, oversizeDocument, testArtifactSource, UNICODE_DOCUMENT } from 'clef-agent/testing';
import { GcsSource } from '../src/gcs-source.js';
import { FakeGcs } from './fake-gcs.js';

const BUCKET = 'clef-artifacts';
const OBJECT = 'packed/api gateway/production.age.json'; // a space: names are URL-encoded
const client = (fake) => new Storage({ apiEndpoint: fake.url, projectId: 'contract', retryOptions: { autoRetry: false } });

testArtifactSource(runner, 'gcs (@google-cloud/storage → loopback JSON API)', async ({ timeoutMs, maxBytes }) => {
  const fake = await FakeGcs.start();
  const put = async (data) => fake.put(BUCKET, OBJECT, data);
  return {
    source: new GcsSource({ storage: client(fake), bucket: BUCKET, object: OBJECT, timeoutMs, maxBytes }),
    publish: put,
    makeMissing: async () => fake.remove(BUCKET, OBJECT),
    makeUnauthorized: async () => void (fake.denied = true),
    makeHang: async () => void (fake.hang = true),
    whenHung: () => fake.whenHeld(),
    makeOversize: () => put(oversizeDocument(maxBytes)),
    makeMalformed: () => put(INVALID_UTF8),
    close: () => fake.close(),
  };
});

test('an unchanged poll reads the metadata only; a change downloads the generation just seen', async () => {
  const fake = await FakeGcs.start();
  try {
    const source = new GcsSource({ storage: client(fake), bucket: BUCKET, object: OBJECT });
    fake.put(BUCKET, OBJECT, UNICODE_DOCUMENT);
    const first = await source.fetch({ signal: new AbortController().signal });
    fake.log.length = 0;
    assert.deepEqual(await source.fetch({ previous: first.validator, signal: new AbortController().signal }), { kind: 'unchanged' });
    assert.equal(fake.log.filter((u) => u.includes('alt=media')).length, 0);
    fake.put(BUCKET, OBJECT, '{"next": true}');
    const second = await source.fetch({ previous: first.validator, signal: new AbortController().signal });
    assert.equal(second.document, '{"next": true}');
    assert.ok(fake.log.some((u) => u.includes('alt=media') && u.includes(`generation=${second.contentId}`)), 'download not pinned to the generation');
  } finally {
    await fake.close();
  }
});

async function freePort() {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A packed artifact as the Clef packer makes it (age, base64 ciphertext, SHA-256 hash). */
async function packAge(payload, recipient) {
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  const ciphertext = Buffer.from(await encrypter.encrypt(JSON.stringify(payload))).toString('base64');
  return JSON.stringify({
    version: 1,
    identity: 'api-gateway',
    environment: 'production',
    packedAt: new Date().toISOString(),
    revision: `${Date.now()}-0a1b2c3d`,
    ciphertextHash: createHash('sha256').update(ciphertext).digest('hex'),
    ciphertext,
  });
}

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

test('src/main.js serves the secrets of an artifact stored in GCS, and stops on SIGTERM', async () => {
  const fake = await FakeGcs.start();
  const identity = await generateIdentity();
  fake.put(BUCKET, OBJECT, await packAge({ app: { GREETING: 'hello from gcs ✓' } }, await identityToRecipient(identity)));
  const [port, token] = [await freePort(), 'example-token-0123456789abcdef'];
  const env = { PATH: process.env.PATH, STORAGE_EMULATOR_HOST: fake.url, GCS_BUCKET: BUCKET, GCS_OBJECT: OBJECT, CLEF_AGENT_AGE_KEY: identity, CLEF_AGENT_TOKEN: token, CLEF_AGENT_PORT: String(port), CLEF_AGENT_LOG_LEVEL: 'warn' };
  const agent = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    let stderr = '';
    agent.stderr.setEncoding('utf8');
    await new Promise((resolve, reject) => {
      agent.stderr.on('data', (d) => (stderr += d) && stderr.includes('serving on') && resolve());
      agent.once('exit', (code) => reject(new Error(`main exited ${code}: ${stderr}`)));
    });
    const res = await fetch(`http://127.0.0.1:${port}/v1/secrets`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { app: { GREETING: 'hello from gcs ✓' } });
    agent.kill('SIGTERM');
    const [code] = await once(agent, 'exit');
    assert.equal(code, 0);
  } finally {
    agent.kill('SIGKILL');
    await fake.close();
  }
});

test('src/main.js without GCS_BUCKET is a one-line configuration error, exit 2', async () => {
  const agent = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH, CLEF_AGENT_TOKEN: 'example-token-0123456789abcdef' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  agent.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const [code] = await once(agent, 'exit');
  assert.equal(code, 2);
  assert.match(stderr, /^clef-agent-source-gcs: configuration error: GCS_BUCKET .*\n$/);
});
