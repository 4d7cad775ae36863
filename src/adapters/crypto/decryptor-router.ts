/**
 * Picks the decryptor for an artifact: age when there is no envelope, otherwise the
 * decryptor registered for `envelope.provider`. Provider decryptors are built on first
 * use, so a provider's SDK is only loaded by deployments whose artifacts need it, and
 * adding GCP / Azure is one more map entry (an adapter-only change).
 */
import type { Decryptor, DecryptorCapabilities } from '../../domain/ports/decryptor';
import type { PackedArtifact } from '../../domain/artifact/types';
import { AgentError, toAgentError } from '../../domain/errors';

export type DecryptorFactory = () => Decryptor | Promise<Decryptor>;

export interface DecryptorRouterOptions {
  /** Handles age-only artifacts; absent when no age identity is configured. */
  age?: Decryptor;
  /** Envelope provider (`aws`, `gcp`, `azure`) → factory, called at most once on success. */
  envelope?: Readonly<Record<string, DecryptorFactory>>;
}

interface Closable {
  close?(): void | Promise<void>;
}

export class DecryptorRouter implements Decryptor {
  readonly capabilities: DecryptorCapabilities;
  private readonly age?: Decryptor;
  /** A Map, not the options object: provider names come from artifacts, and
   * `constructor` / `__proto__` must not resolve to anything. */
  private readonly factories: Map<string, DecryptorFactory>;
  private readonly built = new Map<string, Promise<Decryptor>>();

  constructor(options: DecryptorRouterOptions = {}) {
    this.age = options.age;
    this.factories = new Map(Object.entries(options.envelope ?? {}));
    const providers = new Set([...(options.age?.capabilities.envelopeProviders ?? []), ...this.factories.keys()]);
    this.capabilities = { age: options.age?.capabilities.age ?? false, envelopeProviders: [...providers] };
  }

  async decrypt(artifact: PackedArtifact, signal?: AbortSignal): Promise<Uint8Array> {
    const provider = artifact.envelope?.provider;
    if (provider === undefined) {
      if (!this.age) throw new AgentError('no_age_identity', 'artifact is age-encrypted but no age identity is configured', { hint: 'set an age identity for this agent' });
      return this.age.decrypt(artifact, signal);
    }
    const decryptor = await this.forProvider(provider);
    return decryptor.decrypt(artifact, signal);
  }

  /** Closes the provider decryptors built so far (their SDK clients hold sockets). */
  async close(): Promise<void> {
    const built = await Promise.allSettled(this.built.values());
    this.built.clear();
    for (const r of built) if (r.status === 'fulfilled') await (r.value as Closable).close?.();
  }

  private forProvider(provider: string): Promise<Decryptor> {
    const existing = this.built.get(provider);
    if (existing) return existing;
    const factory = this.factories.get(provider);
    if (!factory) {
      const supported = [...this.factories.keys()].join(', ') || 'none';
      throw new AgentError('unsupported_kms_provider', `KMS provider ${JSON.stringify(provider.slice(0, 32))} is not supported by this agent (supported: ${supported})`);
    }
    const pending = Promise.resolve()
      .then(factory)
      .catch((e: unknown) => {
        this.built.delete(provider); // a transient construction failure must not stick
        throw toAgentError(e, 'kms_unwrap');
      });
    this.built.set(provider, pending);
    return pending;
  }
}
