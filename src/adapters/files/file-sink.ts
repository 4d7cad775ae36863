import type { RenderedOutput } from '../../domain/files/render';
import type { PublishResult, SecretsSink } from '../../domain/ports/secrets-sink';
import { prepareDirectory, removeDirectory } from './atomic-directory';
import { type ActionSpec, ChangeActions, actionKey } from './change-actions';
import { type FileOwnership, type PreparedWrite, prepareFile, removeFile, writeFailed } from './output-files';

/** How one configured output is written (everything but its content). */
export interface OutputTarget extends FileOwnership {
  path: string;
  kind: 'file' | 'directory';
  onChange?: ActionSpec;
}

export interface FileSinkOptions {
  targets: readonly OutputTarget[];
  /** Absent: changes are written but no action runs (`render --once`). */
  actions?: ChangeActions;
}

/**
 * The SecretsSink on a local filesystem. A revision is published in two phases: every
 * changed output is prepared first (temp files / a fresh revision directory, fsynced), and
 * only when all are ready are they committed (renames), one after another with no I/O in
 * between, so the outputs of one revision appear together; a failure while preparing
 * removes what was prepared and leaves every visible file as it was.
 */
export class FileSink implements SecretsSink {
  private readonly targets: Map<string, OutputTarget>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: FileSinkOptions) {
    this.targets = new Map(options.targets.map((t) => [t.path, t]));
  }

  publish(revision: string, outputs: readonly RenderedOutput[]): Promise<PublishResult> {
    return this.serialised(() => this.write(outputs));
  }

  withdraw(): Promise<string[]> {
    return this.serialised(async () => {
      const removed: string[] = [];
      for (const t of this.targets.values()) {
        try {
          if (await (t.kind === 'directory' ? removeDirectory(t.path) : removeFile(t.path))) removed.push(t.path);
        } catch (e) {
          throw writeFailed(t.path, e);
        }
      }
      return removed;
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.options.actions?.close();
  }

  private async write(outputs: readonly RenderedOutput[]): Promise<PublishResult> {
    const prepared: Array<[string, PreparedWrite]> = [];
    try {
      for (const out of outputs) {
        const target = this.targets.get(out.path);
        if (!target || target.kind !== out.kind) throw writeFailed(out.path, new Error('not a configured output'));
        const p = out.kind === 'file' ? await prepareFile(out.path, out.content, target) : await prepareDirectory(out.path, out.files, target);
        if (p) prepared.push([out.path, p]);
      }
    } catch (e) {
      await Promise.allSettled(prepared.map(([, p]) => p.abort()));
      throw e;
    }
    const changed: string[] = [];
    for (const [p, write] of prepared) {
      try {
        await write.commit();
      } catch (e) {
        await Promise.allSettled(prepared.slice(changed.length + 1).map(([, later]) => later.abort()));
        throw writeFailed(p, e);
      }
      changed.push(p);
    }
    this.runActions(changed);
    return { changed };
  }

  /** One trigger per distinct action, however many of its outputs changed. */
  private runActions(changed: readonly string[]): void {
    const actions = this.options.actions;
    if (!actions) return;
    const seen = new Set<string>();
    for (const p of changed) {
      const spec = this.targets.get(p)?.onChange;
      if (!spec || seen.has(actionKey(spec))) continue;
      seen.add(actionKey(spec));
      actions.trigger(spec);
    }
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
