/**
 * The loopback KMS of the test suite (test/support/fakes/kms-server.ts) in its own
 * process, so it does not share an event loop with the load generator. Started with an
 * IPC channel: it sends `{endpoint, dek, wrappedKey, keyId}` (base64) once listening, and
 * answers `{calls}` to every `'calls'` message.
 */
import { randomBytes } from 'node:crypto';
import { FAKE_KEY_ARN, FakeKmsServer } from '../test/support/fakes/kms-server';

async function main(): Promise<void> {
  if (!process.send) throw new Error('kms-fake needs an IPC channel');
  const kms = await FakeKmsServer.start();
  const dek = randomBytes(32);
  const wrappedKey = kms.wrapDek(dek);
  process.on('message', (m) => {
    if (m === 'calls') process.send!({ calls: kms.calls.length });
  });
  process.on('disconnect', () => void kms.close().then(() => process.exit(0)));
  process.send({ endpoint: kms.endpoint, dek: dek.toString('base64'), wrappedKey: wrappedKey.toString('base64'), keyId: FAKE_KEY_ARN });
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
