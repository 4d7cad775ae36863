import type { RenderedOutput } from '../../domain/files/render';
import { AgentError } from '../../domain/errors';
import type { PublishResult, SecretsSink } from '../../domain/ports/secrets-sink';

export interface MemorySecretsSinkOptions {
  /**
   * The configured outputs. Given: an output of another path or kind is refused
   * (`files_write_failed`), as the file sink refuses one it was not configured with.
   * Absent: any path is accepted.
   */
  targets?: ReadonlyArray<{ path: string; kind: 'file' | 'directory' }>;
}

/** What one output holds: a file's content, or a directory's name → content. */
type Held = { kind: 'file'; content: string } | { kind: 'directory'; files: Map<string, string> };

function writeFailed(path: string, why: string): AgentError {
  return new AgentError('files_write_failed', `cannot write ${path} (${why})`);
}

/** A copy of `out`, so a caller changing what it published changes nothing held. */
function toHeld(out: RenderedOutput): Held {
  if (out.kind === 'file') return { kind: 'file', content: out.content };
  const files = new Map(out.files);
  if (files.size !== out.files.length) throw writeFailed(out.path, 'a name appears twice');
  return { kind: 'directory', files };
}

function same(a: Held | undefined, b: Held): boolean {
  if (a?.kind === 'file' && b.kind === 'file') return a.content === b.content;
  if (a?.kind === 'directory' && b.kind === 'directory') return a.files.size === b.files.size && [...b.files].every(([name, content]) => a.files.get(name) === content);
  return false;
}

/**
 * Reference SecretsSink: the outputs live in a map, path → content. A publish prepares
 * every output of the set first (copies, checks) and only then swaps them into the map
 * together, with no await in between, so a failure while preparing changes nothing and
 * readers never see half a revision — what the file sink achieves with temp files and
 * renames.
 */
export class MemorySecretsSink implements SecretsSink {
  private readonly held = new Map<string, Held>();
  private readonly targets?: Map<string, 'file' | 'directory'>;
  /** Paths whose prepare fails, as a directory in the way of a file output makes the file sink fail (`files_unsafe_path`). */
  readonly unwritable = new Set<string>();
  private published: string | undefined;

  constructor(options: MemorySecretsSinkOptions = {}) {
    if (options.targets) this.targets = new Map(options.targets.map((t) => [t.path, t.kind]));
  }

  /** Prepares every output, then swaps the changed ones in together. */
  async publish(revision: string, outputs: readonly RenderedOutput[]): Promise<PublishResult> {
    const prepared: Array<[string, Held]> = [];
    for (const out of outputs) {
      const kind = this.targets?.get(out.path);
      if (this.targets && kind !== out.kind) throw writeFailed(out.path, 'not a configured output');
      if (this.unwritable.has(out.path)) throw new AgentError('files_unsafe_path', `refusing to write ${out.path}: it is marked unwritable`);
      const next = toHeld(out);
      if (!same(this.held.get(out.path), next)) prepared.push([out.path, next]);
    }
    // Commit: one synchronous step.
    for (const [path, next] of prepared) this.held.set(path, next);
    this.published = revision;
    return { changed: prepared.map(([path]) => path) };
  }

  /** Removes every output held; returns their paths. */
  async withdraw(): Promise<string[]> {
    const removed = [...this.held.keys()];
    this.held.clear();
    this.published = undefined;
    return removed;
  }

  async close(): Promise<void> {}

  /** The revision of the last publish that succeeded (undefined before one, and after withdraw). */
  get revision(): string | undefined {
    return this.published;
  }

  /** What a reader of the file output `path` sees; undefined when there is none. */
  read(path: string): string | undefined {
    const held = this.held.get(path);
    return held?.kind === 'file' ? held.content : undefined;
  }

  /** Name → content a reader of the directory output `path` sees (empty when there is none). */
  list(path: string): Record<string, string> {
    const held = this.held.get(path);
    return held?.kind === 'directory' ? Object.fromEntries(held.files) : {};
  }
}
