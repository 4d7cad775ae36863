// Type-checked (never run) as an ESM TypeScript consumer: the public declarations are
// enough to write, prove and plug in an adapter.
import * as nodeTest from 'node:test';
import { createAgent, ConfigError, type AdapterOverrides, type Agent, type HealthReport } from 'clef-agent';
import { AgentError, ArtifactSource, type FetchRequest, type FetchResult, type SourceCapabilities } from 'clef-agent/ports';
import { testArtifactSource, MemoryTelemetry, type SourceHarness, type TestRunner } from 'clef-agent/testing';

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
