import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/app/config/load-config';
import { BASE_ENV, configError } from '../support/config-env';

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'clef-extcfg-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('listener, scoped-token and exec configuration', () => {
  it('defaults: TCP on, no socket, no scoped tokens, exec exports everything', async () => {
    const c = await loadConfig(BASE_ENV);
    expect(c).toMatchObject({ tcp: true, socket: undefined, tokensFile: undefined, scopedTokens: [], watchFiles: false, exec: { prefix: '', keys: undefined, onRotate: { kind: 'none' } } });
    expect((await loadConfig({ ...BASE_ENV, CLEF_AGENT_WATCH_FILES: 'true' })).watchFiles).toBe(true);
  });

  it('parses the socket (mode 0660 by default, octal when given) and CLEF_AGENT_TCP=false', async () => {
    const p = path.join(dir, 'a.sock');
    expect((await loadConfig({ ...BASE_ENV, CLEF_AGENT_SOCKET: p })).socket).toEqual({ path: p, mode: 0o660 });
    const c = await loadConfig({ ...BASE_ENV, CLEF_AGENT_SOCKET: p, CLEF_AGENT_SOCKET_MODE: '0600', CLEF_AGENT_TCP: 'false' });
    expect(c.socket).toEqual({ path: p, mode: 0o600 });
    expect(c.tcp).toBe(false);
  });

  it.each([
    [{ CLEF_AGENT_TCP: 'false' }, 'CLEF_AGENT_TCP', /nothing would listen/],
    [{ CLEF_AGENT_SOCKET: 'relative.sock' }, 'CLEF_AGENT_SOCKET', /absolute/],
    [{ CLEF_AGENT_SOCKET: `/${'x'.repeat(120)}` }, 'CLEF_AGENT_SOCKET', /too long/],
    [{ CLEF_AGENT_SOCKET: '/run/a.sock', CLEF_AGENT_SOCKET_MODE: '660x' }, 'CLEF_AGENT_SOCKET_MODE', /octal/],
    [{ CLEF_AGENT_SOCKET: '/run/a.sock', CLEF_AGENT_SOCKET_MODE: '0888' }, 'CLEF_AGENT_SOCKET_MODE', /octal/],
    [{ CLEF_AGENT_SOCKET_MODE: '0600' }, 'CLEF_AGENT_SOCKET_MODE', /CLEF_AGENT_SOCKET is not/],
    [{ CLEF_AGENT_EXEC_ON_ROTATE: 'reboot' }, 'CLEF_AGENT_EXEC_ON_ROTATE', /none, restart or signal/],
    [{ CLEF_AGENT_EXEC_ON_ROTATE: 'signal:SIGKILL' }, 'CLEF_AGENT_EXEC_ON_ROTATE', /uncatchable/],
    [{ CLEF_AGENT_EXEC_ON_ROTATE: 'signal:SIGNOPE' }, 'CLEF_AGENT_EXEC_ON_ROTATE', /unknown/],
    [{ CLEF_AGENT_EXEC_PREFIX: '1X' }, 'CLEF_AGENT_EXEC_PREFIX', /variable name/],
    [{ CLEF_AGENT_EXEC_KEYS: 'api__DB=bad-name' }, 'CLEF_AGENT_EXEC_KEYS', /item 1/],
    [{ CLEF_AGENT_EXEC_KEYS: 'api__A=X,api__B=X' }, 'CLEF_AGENT_EXEC_KEYS', /item 2 reuses/],
    [{ CLEF_AGENT_TOKENS_FILE: '/nonexistent/tokens.yaml' }, 'CLEF_AGENT_TOKENS_FILE', /does not exist/],
  ])('%p → ConfigError on %s', async (env, variable, why) => {
    const err = await configError(env as Record<string, string>);
    expect(err.variable).toBe(variable);
    expect(err.message).toMatch(why);
  });

  it('parses exec options and loads the tokens file at startup', async () => {
    const tokens = path.join(dir, 'tokens.yaml');
    const hash = createHash('sha256').update('scoped-token').digest('hex');
    writeFileSync(tokens, `tokens:\n  - {name: web, sha256: ${hash}, namespaces: [web]}\n`);
    const c = await loadConfig({ ...BASE_ENV, CLEF_AGENT_TOKENS_FILE: tokens, CLEF_AGENT_EXEC_PREFIX: 'APP_', CLEF_AGENT_EXEC_KEYS: 'api__DB_URL=DATABASE_URL, a=b=c=VAR', CLEF_AGENT_EXEC_ON_ROTATE: 'signal:SIGHUP' });
    expect(c.scopedTokens).toEqual([{ name: 'web', sha256: hash, namespaces: ['web'] }]);
    expect(c.exec.prefix).toBe('APP_');
    expect([...c.exec.keys!]).toEqual([['api__DB_URL', 'DATABASE_URL'], ['a=b=c', 'VAR']]);
    expect(c.exec.onRotate).toEqual({ kind: 'signal', signal: 'SIGHUP' });
    expect((await loadConfig({ ...BASE_ENV, CLEF_AGENT_EXEC_ON_ROTATE: 'restart' })).exec.onRotate).toEqual({ kind: 'restart' });
  });
});
