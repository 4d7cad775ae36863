/** README's first command: `npm run demo` serves the bundled example artifact. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort, httpGet } from '../support/agent-process';

it('scripts/demo.js serves examples/demo with its throwaway key and prints working curl commands', async () => {
  const port = await freePort();
  const token = 'demo-test-token-0123456789';
  const child = spawn(process.execPath, [path.resolve(__dirname, '../../scripts/demo.js')], {
    env: { PATH: process.env.PATH, CLEF_AGENT_PORT: String(port), CLEF_AGENT_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    for (;;) {
      const r = await httpGet(port, '/v1/ready').catch(() => null);
      if (r?.status === 200) break;
      if (child.exitCode !== null) throw new Error('demo exited early');
      await new Promise((r2) => setTimeout(r2, 25));
    }
    expect(stdout).toContain(`curl -s -H 'Authorization: Bearer ${token}' http://127.0.0.1:${port}/v1/secrets`);
    const secrets = await httpGet(port, '/v1/secrets', { authorization: `Bearer ${token}` });
    expect(secrets.json()).toMatchObject({ app: { API_KEY: 'demo-api-key-not-a-secret' }, shared: { LOG_LEVEL: 'info' } });
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
});
