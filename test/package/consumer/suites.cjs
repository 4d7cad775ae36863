'use strict';
/**
 * Every contract suite from clef-agent/testing, registered with the runner given: against
 * the in-memory reference adapters, or (broken = true) against adapters that each break
 * one promise of their port, to show the suites can fail.
 */
const { createHash } = require('node:crypto');
const t = require('clef-agent/testing');

/** Never answers "unchanged": ignores the previous validator. */
class NoConditionalSource extends t.MemorySource {
  fetch(request) {
    return super.fetch({ signal: request.signal });
  }
}

/** Hands out one shared buffer per artifact: a caller zeroing it corrupts the next decrypt. */
class SharedBufferDecryptor extends t.MemoryDecryptor {
  constructor(options) {
    super(options);
    this.cache = new Map();
  }
  async decrypt(artifact) {
    if (!this.cache.has(artifact.ciphertext)) this.cache.set(artifact.ciphertext, await super.decrypt(artifact));
    return this.cache.get(artifact.ciphertext);
  }
}

/** Calls a malformed signature merely invalid instead of reporting `signature_error`. */
class LenientVerifier extends t.MemorySignatureVerifier {
  verify(payload, signature) {
    try {
      return super.verify(payload, signature);
    } catch {
      return { valid: false };
    }
  }
}

/** Returns the stored object itself, not a copy. */
class AliasingCache extends t.MemoryArtifactCache {
  constructor() {
    super();
    this.raw = new Map();
  }
  async set(key, entry) {
    await super.set(key, entry);
    this.raw.set(key, entry);
  }
  async get(key) {
    return (await super.get(key)) === undefined ? undefined : this.raw.get(key);
  }
  async delete(key) {
    this.raw.delete(key);
    await super.delete(key);
  }
}

/** Lets anyone release a lease, whatever the token. */
class CarelessLease extends t.MemoryLease {
  async release(name) {
    return this.leases.delete(name); // the reference adapter's table, token unchecked
  }
}

/** Keeps recording after shutdown. */
class DeafTelemetry extends t.MemoryTelemetry {
  async shutdown() {}
}

/** Its cancel functions do nothing. */
class UncancellableClock extends t.FakeClock {
  schedule(ms, fn) {
    super.schedule(ms, fn);
    return () => undefined;
  }
}

/** Publishes a set one output at a time: a failure part-way leaves the earlier ones changed. */
class PiecemealSink extends t.MemorySecretsSink {
  async publish(revision, outputs) {
    const changed = [];
    for (const output of outputs) changed.push(...(await super.publish(revision, [output])).changed);
    return { changed };
  }
}

/** Hashes Latin-1 instead of UTF-8. */
const latin1Hasher = { sha256Hex: (text) => createHash('sha256').update(text, 'latin1').digest('hex') };

function register(runner, broken) {
  const name = broken ? 'broken' : 'memory';

  t.testArtifactSource(runner, name, async () => {
    const source = broken ? new NoConditionalSource({ name: 'suite' }) : new t.MemorySource({ name: 'suite' });
    return { source, publish: async (d) => source.publish(d), makeMissing: async () => source.remove(), close: async () => undefined };
  }, []);

  t.testDecryptor(runner, name, async () => {
    const decryptor = broken ? new SharedBufferDecryptor({ keyName: 'primary' }) : new t.MemoryDecryptor({ keyName: 'primary' });
    return {
      decryptor,
      seal: async (p) => t.packedArtifact({ ciphertext: t.memorySeal('primary', p) }),
      sealForOtherKey: async (p) => t.packedArtifact({ ciphertext: t.memorySeal('someone-else', p) }),
    };
  });

  t.testSignatureVerifier(runner, name, async () => {
    const Verifier = broken ? LenientVerifier : t.MemorySignatureVerifier;
    const verifier = new Verifier({ keys: { 'ci-key': 'shared-secret-1' } });
    const stranger = new t.MemorySignatureVerifier({ keys: { 'other-key': 'shared-secret-2' } });
    return { verifier, sign: async (p) => verifier.sign(p), signWithUnknownKey: async (p) => stranger.sign(p) };
  });

  t.testArtifactCache(runner, name, async () => {
    const cache = broken ? new AliasingCache() : new t.MemoryArtifactCache();
    return { cache, close: () => cache.close() };
  });

  t.testFleetLease(runner, name, async () => {
    let now = 0;
    const lease = broken ? new CarelessLease({ now: () => now }) : new t.MemoryLease({ now: () => now });
    return { a: lease, b: lease, expire: async (ms) => void (now += ms + 1), close: () => lease.close() };
  });

  t.testTelemetry(runner, name, async () => {
    const telemetry = broken ? new DeafTelemetry() : new t.MemoryTelemetry();
    return {
      telemetry,
      received: async () => telemetry.events.map(({ type, ...attributes }) => ({ type, attributes })),
      close: async () => undefined,
    };
  });

  t.testClock(runner, name, () => {
    const clock = broken ? new UncancellableClock() : new t.FakeClock();
    return { clock, advance: async (ms) => clock.advance(ms) };
  });

  t.testHasher(runner, name, () => (broken ? latin1Hasher : new t.NodeHasher()));

  t.testSecretsSink(runner, name, async () => {
    const [file, directory] = ['/run/secrets/app.env', '/run/secrets/dir'];
    const sink = broken ? new PiecemealSink() : new t.MemorySecretsSink();
    return {
      sink,
      file,
      directory,
      read: async (p) => sink.read(p),
      list: async (d) => sink.list(d),
      breakFile: async () => void sink.unwritable.add(file),
      close: () => sink.close(),
    };
  });
}

module.exports = { register };
