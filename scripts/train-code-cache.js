'use strict';
/**
 * node [flags] scripts/train-code-cache.js <launcher> [artifact] [age-key-file]
 *
 * Writes <lib>/main.js.cache for a split bundle (scripts/bundle.js): it starts the agent
 * from the launcher's main.js in this process on the demo artifact (examples/demo), sends
 * one request to every route (including a 401 and a 404) so their code is compiled too,
 * then saves V8's code cache of everything compiled so far and stops the agent.
 *
 * Run it with the node binary and V8 flags (NODE_OPTIONS) the agent will run with: V8
 * rejects a cache made by another build or with other flags, and the launcher then falls
 * back to compiling from source. The cache holds compiled code, not heap values; training
 * on the throwaway demo artifact keeps real secrets out of the question entirely.
 */
const { randomBytes } = require('node:crypto');
const { rmSync, writeFileSync } = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

const DEMO = path.resolve(__dirname, '../examples/demo');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function get(port, urlPath, token) {
  return new Promise((resolve, reject) => {
    const headers = { Host: `127.0.0.1:${port}`, ...(token ? { Authorization: `Bearer ${token}` } : {}) };
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers, agent: false }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('error', reject);
  });
}

async function waitReady(port) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await get(port, '/v1/ready').then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error('the agent did not become ready within 30 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function main() {
  const [launcherArg, artifact = path.join(DEMO, 'demo.age.json'), ageKey = path.join(DEMO, 'age.key')] = process.argv.slice(2);
  if (!launcherArg) throw new Error('usage: train-code-cache.js <launcher> [artifact] [age-key-file]');
  const launcher = require(path.resolve(launcherArg));
  rmSync(`${launcher.MAIN}.cache`, { force: true }); // train from source, not from an older cache

  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  for (const name of Object.keys(process.env)) if (/^(CLEF_|OTEL_|AWS_)/.test(name)) delete process.env[name];
  Object.assign(process.env, {
    CLEF_AGENT_SOURCE: path.resolve(artifact),
    CLEF_AGENT_AGE_KEY_FILE: path.resolve(ageKey),
    CLEF_AGENT_TOKEN: token,
    CLEF_AGENT_PORT: String(port),
    CLEF_AGENT_LOG_LEVEL: 'silent',
  });
  process.argv = [process.argv[0], launcher.MAIN, 'run'];

  const script = launcher.compile();
  launcher.start(script);
  await waitReady(port);
  const keys = await get(port, '/v1/keys', token);
  const [firstKey] = JSON.parse(keys.body); // flat key names
  for (const p of ['/v1/health', '/v1/secrets', ...(firstKey ? [`/v1/secrets/${encodeURIComponent(firstKey)}`] : []), '/v1/nowhere']) await get(port, p, token);
  await get(port, '/v1/secrets'); // 401

  const data = script.createCachedData();
  writeFileSync(`${launcher.MAIN}.cache`, data, { mode: 0o644 });
  process.stderr.write(`trained ${path.relative(process.cwd(), `${launcher.MAIN}.cache`)} (${data.length} bytes)\n`);
  process.kill(process.pid, 'SIGTERM'); // the agent's own graceful stop
}

main().catch((e) => {
  process.stderr.write(`train-code-cache failed: ${e.message}\n`);
  process.exit(1);
});
