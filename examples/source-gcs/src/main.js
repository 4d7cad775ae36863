// clef-agent with its artifact in Google Cloud Storage. Settings are the stock agent's
// CLEF_AGENT_* variables (without CLEF_AGENT_SOURCE) plus GCS_BUCKET and GCS_OBJECT;
// credentials are the client's usual ones (ADC), STORAGE_EMULATOR_HOST for an emulator.
import { Storage } from '@google-cloud/storage';
import { ConfigError, createAgent } from 'clef-agent';
import { GcsSource } from './gcs-source.js';

const { GCS_BUCKET: bucket, GCS_OBJECT: object } = process.env;
// The agent retries with its own backoff: one request per attempt here.
const storage = new Storage({ retryOptions: { autoRetry: false } });
try {
  if (!bucket || !object) throw new ConfigError('GCS_BUCKET', 'and GCS_OBJECT must name the object holding the packed artifact');
  const agent = await createAgent({ env: process.env, adapters: { source: new GcsSource({ storage, bucket, object }) } });
  const { url, socket } = await agent.start();
  process.stderr.write(`clef-agent (GCS source) serving on ${url ?? socket}\n`);
  for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => agent.stop().then(() => process.exit(0)));
} catch (e) {
  process.stderr.write(`clef-agent-source-gcs: ${e instanceof ConfigError ? 'configuration error: ' : ''}${e.message}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
}
