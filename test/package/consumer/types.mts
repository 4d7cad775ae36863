// Type-checked (never run) as an ESM TypeScript consumer: the public declarations are
// enough to write, prove and plug in an adapter.
import * as nodeTest from 'node:test';
import { createAgent, ConfigError, type AdapterOverrides, type Agent, type HealthReport } from 'clef-agent';
import { AgentError, ArtifactSource, type FetchRequest, type FetchResult, type PublishResult, type RenderedOutput, type SecretsSink, type SourceCapabilities } from 'clef-agent/ports';
import { testArtifactSource, testSecretsSink, MemorySecretsSink, MemoryTelemetry, type SecretsSinkHarness, type SourceHarness, type TestRunner } from 'clef-agent/testing';

class StaticSource implements ArtifactSource {
  readonly type = 'static';
  readonly description = 'static:example';
  readonly cacheKey = 'static:example';
  readonly capabilities: SourceCapabilities = { conditional: true };
  constructor(private document: string | undefined) {}
  async fetch({ previous, signal }: FetchRequest): Promise<FetchResult> {
    signal.throwIfAborted();
    if (this.document === undefined) throw new AgentError('source_not_found', 'nothing published');
    if (previous?.contentId === String(this.document.length)) return { kind: 'unchanged' };
    return { kind: 'fetched', document: this.document, contentId: String(this.document.length) };
  }
  set(document: string | undefined): void {
    this.document = document;
  }
}

// node:test's own functions are a TestRunner as they are.
const runner: TestRunner = nodeTest;
testArtifactSource(runner, 'static', async (): Promise<SourceHarness> => {
  const source = new StaticSource(undefined);
  return { source, publish: async (d) => source.set(d), makeMissing: async () => source.set(undefined), close: async () => undefined };
}, []);

// A sink that counts what it publishes, over the reference sink, proven by the sink suite.
class CountingSink implements SecretsSink {
  published = 0;
  constructor(private readonly inner: MemorySecretsSink) {}
  async publish(revision: string, outputs: readonly RenderedOutput[]): Promise<PublishResult> {
    const result = await this.inner.publish(revision, outputs);
    this.published += result.changed.length;
    return result;
  }
  withdraw(): Promise<string[]> {
    return this.inner.withdraw();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
testSecretsSink(runner, 'counting', async (): Promise<SecretsSinkHarness> => {
  const inner = new MemorySecretsSink();
  return {
    sink: new CountingSink(inner),
    file: '/run/app.env',
    directory: '/run/dir',
    read: async (p) => inner.read(p),
    list: async (d) => inner.list(d),
    breakFile: async () => void inner.unwritable.add('/run/app.env'),
    close: () => inner.close(),
  };
});

export async function start(): Promise<HealthReport> {
  const adapters: AdapterOverrides = { source: new StaticSource('{}'), telemetry: new MemoryTelemetry() };
  let agent: Agent;
  try {
    agent = await createAgent({ env: process.env, adapters });
  } catch (e) {
    if (e instanceof ConfigError) throw new Error(e.variable);
    throw e;
  }
  await agent.start();
  const identifier: symbol = ArtifactSource;
  void identifier;
  return agent.health();
}
