import { ContainerModule, type ContainerModuleLoadOptions } from 'inversify';
import type { DecryptorFactory } from '../../adapters/crypto/decryptor-router';
import { ArtifactCache, ArtifactSource, Clock, Decryptor, FleetLease, Hasher, SignatureVerifier, Telemetry } from '../../domain/ports';
import { AppTypes } from '../types';

/**
 * Adapters an embedder supplies to `createAgent`, each replacing what the configuration
 * would bind for that port. Every one must pass its port's contract suite
 * (`clef-agent/testing`).
 *
 * @public
 */
export interface AdapterOverrides {
  /** Where artifacts come from. CLEF_AGENT_SOURCE and CLEF_AGENT_VCS_* must then be unset. */
  source?: ArtifactSource;
  /** Envelope provider (`envelope.provider` of the artifact, e.g. `gcp`) → its decryptor, or a
   * factory called on first use. Added beside the built-in `aws`; the same name replaces it. */
  envelopeDecryptors?: Readonly<Record<string, Decryptor | DecryptorFactory>>;
  /** Replaces decryption entirely (age and every envelope provider). */
  decryptor?: Decryptor;
  signatureVerifier?: SignatureVerifier;
  hasher?: Hasher;
  /** The agent's own cache tier (what CLEF_AGENT_CACHE_PATH configures). */
  cache?: ArtifactCache;
  /** The shared fleet tier (what CLEF_AGENT_CACHE_URL configures): an entry store and a lease. */
  fleet?: { cache: ArtifactCache; lease: FleetLease };
  /** Receives every agent event instead of the JSON-lines log / OTLP adapters. */
  telemetry?: Telemetry;
  clock?: Clock;
}

const asFactory = (d: Decryptor | DecryptorFactory): DecryptorFactory => (typeof d === 'function' ? d : () => d);

/** Loaded last by the composition root: replaces bindings, never adds a second path. */
export function overridesModule(overrides: AdapterOverrides): ContainerModule {
  return new ContainerModule((options) => {
    const put = <T>(id: symbol, value: T | undefined) => {
      if (value !== undefined) replace(options, id).toConstantValue(value);
    };
    put(ArtifactSource, overrides.source);
    put(Decryptor, overrides.decryptor);
    put(SignatureVerifier, overrides.signatureVerifier);
    put(Hasher, overrides.hasher);
    put(ArtifactCache, overrides.cache);
    put(AppTypes.FleetCache, overrides.fleet?.cache);
    put(FleetLease, overrides.fleet?.lease);
    put(Telemetry, overrides.telemetry);
    put(Clock, overrides.clock);
    const extra = overrides.envelopeDecryptors;
    if (extra) put(AppTypes.ExtraEnvelopeDecryptors, Object.fromEntries(Object.entries(extra).map(([provider, d]) => [provider, asFactory(d)])));
  });
}

function replace(options: ContainerModuleLoadOptions, id: symbol) {
  return options.isBound(id) ? options.rebindSync(id) : options.bind(id);
}
