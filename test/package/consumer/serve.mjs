// createAgent serving a packed artifact from an overridden (in-memory) source.
// argv: <artifact file> <age key file> <free port>
import { readFileSync } from 'node:fs';
import { createAgent } from 'clef-agent';
import { MemorySource, MemoryTelemetry } from 'clef-agent/testing';

const [artifactFile, ageKeyFile, port] = process.argv.slice(2);
const token = 'consumer-token-0123456789abcdef';
const source = new MemorySource({ name: 'consumer', document: readFileSync(artifactFile, 'utf8') });
const telemetry = new MemoryTelemetry();
const agent = await createAgent({
  env: { CLEF_AGENT_TOKEN: token, CLEF_AGENT_AGE_KEY_FILE: ageKeyFile, CLEF_AGENT_PORT: port, CLEF_AGENT_LOG_LEVEL: 'silent' },
  adapters: { source, telemetry },
});
const { url } = await agent.start();
const res = await fetch(`${url}/v1/secrets`, { headers: { authorization: `Bearer ${token}` } });
const body = await res.json();
const health = agent.health();
await agent.stop();
process.stdout.write(JSON.stringify({ url, status: res.status, body, health: { status: health.status, source: health.source }, events: telemetry.events.map((e) => e.type), fetches: source.fetchCount }));
