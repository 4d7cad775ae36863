/**
 * In-memory reference ArtifactSource for tests and demos: content is published by the
 * test, failures are injected with `fail`, and it honours the port's conditional
 * semantics (unchanged when the previous contentId matches) like the real adapters.
 */
import type { ArtifactSource, FetchRequest, FetchResult, SourceCapabilities } from '../../domain/ports/artifact-source';
import { AgentError } from '../../domain/errors';
import { sha256Hex } from '../sources/digest';

export interface MemorySourceOptions {
  /** Distinguishes several memory sources sharing one cache. */
  name?: string;
  document?: string;
}

export class MemorySource implements ArtifactSource {
  readonly type = 'memory';
  readonly description: string;
  readonly cacheKey: string;
  readonly capabilities: SourceCapabilities = { conditional: true };
  /** Number of fetch calls, including failed ones. */
  fetchCount = 0;
  private document: string | undefined;
  private failure: Error | undefined;
  private hanging = false;

  constructor(options: MemorySourceOptions = {}) {
    const name = options.name ?? 'default';
    this.description = `memory:${name}`;
    this.cacheKey = `memory:${sha256Hex(name)}`;
    this.document = options.document;
  }

  /** Replaces the content and clears any injected failure or hang. */
  publish(document: string): void {
    this.document = document;
    this.failure = undefined;
    this.hanging = false;
  }

  /** Removes the content: fetches fail with source_not_found. */
  remove(): void {
    this.document = undefined;
  }

  /** Every fetch rejects with `error` until the next publish. */
  fail(error: Error): void {
    this.failure = error;
  }

  /** Every fetch stays pending until its signal aborts, until the next publish. */
  hang(): void {
    this.hanging = true;
  }

  async fetch({ previous, signal }: FetchRequest): Promise<FetchResult> {
    this.fetchCount++;
    signal.throwIfAborted();
    if (this.hanging) await untilAborted(signal);
    if (this.failure) throw this.failure;
    if (this.document === undefined) throw new AgentError('source_not_found', `${this.description} has no document`);
    const contentId = sha256Hex(this.document);
    if (previous?.contentId === contentId) return { kind: 'unchanged' };
    return { kind: 'fetched', document: this.document, contentId, validator: { contentId } };
  }
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
}
