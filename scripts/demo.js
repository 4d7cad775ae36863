#!/usr/bin/env node
/**
 * `npm run demo`: starts the built agent on the bundled demo artifact (examples/demo,
 * with its own throwaway age key) and prints how to query it. Ctrl-C stops it.
 */
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const port = process.env.CLEF_AGENT_PORT || '7779';
const token = process.env.CLEF_AGENT_TOKEN || `demo-${randomBytes(12).toString('hex')}`;
const env = {
  ...process.env,
  CLEF_AGENT_SOURCE: path.join(root, 'examples/demo/demo.age.json'),
  CLEF_AGENT_AGE_KEY_FILE: path.join(root, 'examples/demo/age.key'),
  CLEF_AGENT_TOKEN: token,
  CLEF_AGENT_PORT: port,
};

// The demo token is throwaway and local; printing it here is the point of the demo.
process.stdout.write(`
clef-agent demo on http://127.0.0.1:${port}  (Ctrl-C to stop)

  curl -s http://127.0.0.1:${port}/v1/health
  curl -s -H 'Authorization: Bearer ${token}' http://127.0.0.1:${port}/v1/secrets
  curl -s -H 'Authorization: Bearer ${token}' http://127.0.0.1:${port}/v1/keys
  curl -s -H 'Authorization: Bearer ${token}' http://127.0.0.1:${port}/v1/secrets/app/API_KEY

`);
const child = spawn(process.execPath, [path.join(root, 'dist/app/main.js')], { env, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
