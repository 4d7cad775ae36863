import type { Authenticator, Principal } from '../../../src/adapters/http/authenticator';
import { send, startHarness, type Harness } from './support';

/** A scoped token that may read only the `shared` and `weird` namespaces. */
const scoped: Authenticator = {
  authenticate: (header): Principal | null =>
    header === 'Bearer scoped' ? { name: 'scoped', namespaces: new Set(['shared', 'weird', 'absent']) } : null,
};

describe('scoped principal', () => {
  let h: Harness;
  const get = (path: string) => send(h.server.port, { path, headers: { authorization: 'Bearer scoped' } });

  beforeAll(async () => {
    h = await startHarness({ authenticator: scoped });
  });
  afterAll(() => h.server.close(1000));

  it('sees only its namespaces in /v1/secrets', async () => {
    const res = await get('/v1/secrets');
    expect(res.status).toBe(200);
    expect(Object.keys(JSON.parse(res.body))).toEqual(['shared', 'weird']);
    expect(res.body).not.toContain('postgres://db');
  });

  it('sees only its flat names in /v1/keys', async () => {
    const res = await get('/v1/keys');
    expect(JSON.parse(res.body)).toEqual(['shared__LOG_LEVEL', 'shared__constructor', 'weird____proto__']);
  });

  it('gets a 404 (not 403) for a namespace it lacks, by either route', async () => {
    for (const path of ['/v1/secrets/api/DB_URL', '/v1/secrets/api__DB_URL']) {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'not_found' });
    }
  });

  it('reads its own namespaces', async () => {
    expect(JSON.parse((await get('/v1/secrets/shared/LOG_LEVEL')).body)).toEqual({ value: 'debug' });
    expect(JSON.parse((await get('/v1/secrets/shared__LOG_LEVEL')).body)).toEqual({ value: 'debug' });
  });
});
