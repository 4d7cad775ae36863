/**
 * The FilesPublisher use case over the real domain (fake clock, memory source) and a
 * recording SecretsSink: it follows the same publication as long-polls and exec, withdraws
 * on revocation/expiry but not on stop, keeps files on a render failure, and retries a
 * failed write with backoff.
 */
import { AgentError } from '../../src/domain/errors';
import { FilesPublisher } from '../../src/domain/files/files-publisher';
import type { OutputSpec, RenderedOutput } from '../../src/domain/files/render';
import { parseTemplate } from '../../src/domain/files/template';
import type { PublishResult, SecretsSink } from '../../src/domain/ports/secrets-sink';
import { coreHarness } from '../support/core-harness';
import { revocationMarker } from '../support/pack';

class RecordingSink implements SecretsSink {
  calls: Array<{ op: 'publish'; revision: string; outputs: readonly RenderedOutput[] } | { op: 'withdraw' }> = [];
  failNext = 0;
  private wake: (() => void) | null = null;

  async publish(revision: string, outputs: readonly RenderedOutput[]): Promise<PublishResult> {
    this.calls.push({ op: 'publish', revision, outputs });
    this.wake?.();
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new AgentError('files_write_failed', 'disk full (test)');
    }
    return { changed: outputs.map((o) => o.path) };
  }
  async withdraw(): Promise<string[]> {
    this.calls.push({ op: 'withdraw' });
    this.wake?.();
    return ['/out/app.env'];
  }
  async close(): Promise<void> {}
  /** Resolves once `n` calls have been recorded. */
  async until(n: number): Promise<void> {
    while (this.calls.length < n) await new Promise<void>((r) => (this.wake = r));
  }
}

const SPECS: OutputSpec[] = [{ path: '/out/app.env', body: { kind: 'format', format: 'dotenv' } }];

async function setup(specs = SPECS) {
  const h = await coreHarness();
  const sink = new RecordingSink();
  const publisher = new FilesPublisher({ query: h.service, sink, telemetry: h.telemetry, clock: h.clock, mode: 'cached', specs });
  return { h, sink, publisher };
}

it('publishes each new revision once, withdraws on revocation, and leaves files on stop', async () => {
  const { h, sink, publisher } = await setup();
  h.source.publish(await h.pack({ app: { KEY: 'one' } }, { revision: '1800000000001-00000001' }));
  publisher.start();
  await h.refresher.refresh();
  await sink.until(1);
  expect(sink.calls[0]).toMatchObject({ op: 'publish', revision: '1800000000001-00000001', outputs: [{ kind: 'file', content: "app__KEY='one'\n" }] });
  await h.refresher.refresh(); // unchanged: nothing happens
  h.source.publish(await h.pack({ app: { KEY: 'two' } }, { revision: '1800000000002-00000002' }));
  await h.refresher.refresh();
  await sink.until(2);
  expect(sink.calls[1]).toMatchObject({ op: 'publish', revision: '1800000000002-00000002' });
  h.source.publish(revocationMarker());
  await h.refresher.refresh();
  await sink.until(3);
  expect(sink.calls[2]).toEqual({ op: 'withdraw' });
  expect(h.telemetry.ofType('files.removed')).toEqual([{ type: 'files.removed', reason: 'revoked', outputs: 1 }]);
  await publisher.stop();
  h.service.wipe();
  expect(sink.calls).toHaveLength(3);
});

it('a missing secret keeps the previous files and is not retried; a failed write is retried with backoff', async () => {
  const { h, sink, publisher } = await setup([{ path: '/out/t', body: { kind: 'template', parts: parseTemplate('{{ secret "app" "KEY" }}') } }]);
  h.source.publish(await h.pack({ app: { OTHER: 'x' } }, { revision: '1800000000001-00000001' }));
  publisher.start();
  await h.refresher.refresh();
  await h.telemetry.waitFor('files.render_failed');
  expect(h.telemetry.ofType('files.render_failed')[0]).toMatchObject({ code: 'files_missing_secret' });
  expect(sink.calls).toHaveLength(0);
  await h.clock.advanceAsync(120_000);
  expect(sink.calls).toHaveLength(0); // nothing to retry: the next revision may fix it

  sink.failNext = 2;
  h.source.publish(await h.pack({ app: { KEY: 'v' } }, { revision: '1800000000002-00000002' }));
  await h.refresher.refresh();
  await sink.until(1);
  await h.clock.advanceAsync(1_000);
  await sink.until(2);
  await h.clock.advanceAsync(2_000);
  await sink.until(3);
  await h.telemetry.waitFor('files.rendered');
  expect(h.telemetry.ofType('files.render_failed').map((e) => e.code)).toEqual(['files_missing_secret', 'files_write_failed', 'files_write_failed']);
  await publisher.stop();
});

it('withdraws the files when the served artifact expires', async () => {
  const { h, sink, publisher } = await setup();
  h.source.publish(await h.pack({ app: { KEY: 'v' } }, { revision: '1800000000001-00000001', expiresAt: new Date(h.clock.now() + 60_000).toISOString() }));
  publisher.start();
  h.scheduler.start();
  await sink.until(1);
  await h.clock.advanceAsync(61_000);
  await sink.until(2);
  expect(sink.calls[1]).toEqual({ op: 'withdraw' });
  expect(h.telemetry.ofType('files.removed')).toEqual([{ type: 'files.removed', reason: 'expired', outputs: 1 }]);
  h.scheduler.stop();
  await publisher.stop();
});
