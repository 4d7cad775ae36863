import { AgentError } from '../../../src/domain/errors';
import { AUTH, TOKEN, send, startHarness, type Harness } from './support';

const PROTECTED = ['/v1/secrets', '/v1/keys', '/v1/secrets/api__DB_URL', '/v1/secrets/api/DB_URL'];

const BAD_AUTH: Array<[string, string | undefined]> = [
  ['no header', undefined],
  ['Basic scheme', `Basic ${TOKEN}`],
  ['wrong token', 'Bearer not-the-token'],
  ['token prefix', `Bearer ${TOKEN.slice(0, -3)}`],
  ['token with suffix', `Bearer ${TOKEN}abc`],
  ['empty bearer', 'Bearer '],
  ['scheme only', 'Bearer'],
  ['two spaces', `Bearer  ${TOKEN}`],
  ['bare token', TOKEN],
];

describe('bearer authentication', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.server.close(1000));
  beforeEach(() => {
    h.query.readCalls = 0;
    h.query.readImpl = async () => h.query.snapshot;
  });

  it.each(BAD_AUTH)('401 for %s on every protected route, without calling read()', async (_name, authorization) => {
    for (const path of PROTECTED) {
      const res = await send(h.server.port, { path, headers: authorization === undefined ? {} : { authorization } });
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expect(JSON.parse(res.body)).toEqual({ error: expect.any(String), code: 'unauthorized' });
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    }
    expect(h.query.readCalls).toBe(0);
  });

  it('accepts the token with a lower-case scheme name', async () => {
    const res = await send(h.server.port, { path: '/v1/keys', headers: { authorization: `bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
  });

  it('does not authenticate health and ready', async () => {
    expect((await send(h.server.port, { path: '/v1/health' })).status).toBe(200);
    expect((await send(h.server.port, { path: '/v1/ready' })).status).toBe(200);
    expect(h.query.readCalls).toBe(0);
  });

  it('keeps no-store on a 503 from read()', async () => {
    h.query.readImpl = () => Promise.reject(new AgentError('not_loaded', 'secrets not yet loaded'));
    for (const path of PROTECTED) {
      const res = await send(h.server.port, { path, headers: { authorization: AUTH } });
      expect(res.status).toBe(503);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(JSON.parse(res.body)).toEqual({ error: 'secrets not yet loaded', code: 'not_loaded' });
    }
  });
});
