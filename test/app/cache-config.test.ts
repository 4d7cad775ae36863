import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheConfig, readCacheSettings } from '../../src/app/config/cache-config';
import { ConfigError } from '../../src/app/config/config-error';
import type { Env } from '../../src/app/config/env-schema';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'clef-cache-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
};
const PEM = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
const env = (e: Partial<Env>) => e as Env;
async function configError(e: Partial<Env>): Promise<ConfigError> {
  const error = await cacheConfig(env(e)).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

it('reads the URL from a file and the TLS material from theirs', async () => {
  const urlFile = file('url', 'rediss://app:pw@redis.internal:6380\n');
  const config = await cacheConfig(env({ CLEF_AGENT_CACHE_URL_FILE: urlFile, CLEF_AGENT_CACHE_TLS_CA_FILE: file('ca.pem', PEM), CLEF_AGENT_CACHE_TLS_CERT_FILE: file('c.pem', PEM), CLEF_AGENT_CACHE_TLS_KEY_FILE: file('k.pem', KEY) }));
  expect(config.cacheUrl).toBe('rediss://app:pw@redis.internal:6380');
  expect(config.cacheTls).toEqual({ ca: PEM, cert: PEM, key: KEY });
  expect(config.cacheFiles?.urlFile).toBe(urlFile);
});

it('no fleet tier configured: nothing', async () => {
  expect(await cacheConfig(env({}))).toEqual({});
});

it('refuses inconsistent settings, naming the variable', async () => {
  expect((await configError({ CLEF_AGENT_CACHE_URL: 'redis://h', CLEF_AGENT_CACHE_URL_FILE: file('u2', 'redis://h') })).message).toContain('CLEF_AGENT_CACHE_URL_FILE');
  expect((await configError({ CLEF_AGENT_CACHE_URL: 'redis://h', CLEF_AGENT_CACHE_TLS_CERT_FILE: file('c2.pem', PEM) })).message).toContain('CLEF_AGENT_CACHE_TLS_KEY_FILE');
  expect((await configError({ CLEF_AGENT_CACHE_TLS_CA_FILE: file('ca2.pem', PEM) })).message).toContain('no fleet tier');
  expect((await configError({ CLEF_AGENT_CACHE_URL: 'redis://h', CLEF_AGENT_CACHE_TLS_CA_FILE: file('notpem', 'hello') })).message).toContain('no PEM');
});

it('a bad URL in the file is a configuration error that does not echo it', async () => {
  const error = await configError({ CLEF_AGENT_CACHE_URL_FILE: file('bad', 'redis+sentinel://u:hunter2-secret@h:1/m?bogus=hunter2-secret') });
  expect(error.message).toContain('CLEF_AGENT_CACHE_URL_FILE');
  expect(error.message).not.toContain('hunter2-secret');
  const shape = await configError({ CLEF_AGENT_CACHE_URL_FILE: file('bad2', 'https://u:hunter2-secret@h') });
  expect(shape.message).not.toContain('hunter2-secret');
});

it('readCacheSettings prefers the file (SIGHUP re-reads it) over the URL given at start', async () => {
  const urlFile = file('url3', 'redis+sentinel://s1,s2/m\n');
  expect(await readCacheSettings('redis://old', { urlFile })).toEqual({ url: 'redis+sentinel://s1,s2/m', tls: {} });
});
