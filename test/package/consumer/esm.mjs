import * as main from 'clef-agent';
import * as ports from 'clef-agent/ports';
import * as testing from 'clef-agent/testing';
import { createAgent, ConfigError } from 'clef-agent';

const keys = (m) => Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').sort();
let configError = null;
try {
  await createAgent({ env: { CLEF_AGENT_TOKEN: 'esm-consumer-token-0123456789', CLEF_AGENT_PORT: 'nope', CLEF_AGENT_SOURCE: '/x.json' } });
} catch (e) {
  configError = e instanceof ConfigError ? { variable: e.variable, message: e.message } : String(e);
}
process.stdout.write(JSON.stringify({ main: keys(main), ports: keys(ports), testing: keys(testing), configError }));
