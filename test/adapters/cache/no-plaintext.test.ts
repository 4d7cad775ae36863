import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileArtifactCache } from '../../../src/adapters/cache/file-cache';
import { newAgeIdentity, packAge } from '../../support/pack';
import { useTempRoot } from './temp-dir';

const temp = useTempRoot();

// The cache stores the packed (encrypted) artifact; a scan of everything it wrote
// must not turn up any secret value, in raw or JSON-escaped form.
it('writes no plaintext secret values to disk', async () => {
  const secrets = {
    DATABASE_URL: 'postgres://app:Pl41nT3xt-P4ss@db.internal:5432/app',
    API_TOKEN: 'tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    MULTILINE: 'line one\nline "two" ünïcødé',
  };
  const { recipient } = await newAgeIdentity();
  const document = await packAge({ app: secrets }, recipient, { revision: 'rev-scan' });

  const dir = join(temp.root(), 'cache');
  const cache = createFileArtifactCache(dir);
  await cache.set('https://artifacts.example/app/production.age.json', { document, revision: 'rev-scan', confirmedAt: Date.now() });
  await cache.close();

  const files = await readdir(dir);
  expect(files).toHaveLength(1);
  const bytes = await readFile(join(dir, files[0]!));
  const text = bytes.toString('utf8');

  // Positive control: the scan looks at the right thing — the ciphertext is there.
  const ciphertext = (JSON.parse(document) as { ciphertext: string }).ciphertext;
  expect(text).toContain(ciphertext);
  // Neither the cache key nor any secret value appears.
  expect(text).not.toContain('artifacts.example');
  for (const value of Object.values(secrets)) {
    for (const needle of [value, JSON.stringify(value).slice(1, -1), JSON.stringify(JSON.stringify(value)).slice(1, -1)]) {
      expect(bytes.includes(Buffer.from(needle, 'utf8'))).toBe(false);
    }
    // Also no fragment long enough to identify it.
    expect(text).not.toContain(value.slice(0, 12));
  }
});
