import { AgentError } from '../../../src/domain/errors';
import { redisError, redisErrorCode } from '../../../src/adapters/cache/redis-errors';
import { parseRedisTarget } from '../../../src/adapters/cache/redis-target';

describe('parseRedisTarget', () => {
  it('passes redis:// and rediss:// URLs to the client as they are', () => {
    expect(parseRedisTarget('redis://u:p@h:6379/2')).toEqual({ kind: 'standalone', url: 'redis://u:p@h:6379/2', tls: false });
    expect(parseRedisTarget(' rediss://h ')).toEqual({ kind: 'standalone', url: 'rediss://h', tls: true });
  });

  it('reads Sentinel addresses, the master name, the database and both sets of credentials', () => {
    expect(parseRedisTarget('rediss+sentinel://app:p%40ss:w@s1:26379,s2,[::1]:26380/mymaster/3?sentinelUsername=sen&sentinelPassword=s%3Acret')).toEqual({
      kind: 'sentinel',
      tls: true,
      masterName: 'mymaster',
      database: 3,
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      node: { username: 'app', password: 'p@ss:w' },
      sentinel: { username: 'sen', password: 's:cret' },
    });
    expect(parseRedisTarget('redis+sentinel://h:1/m')).toMatchObject({ kind: 'sentinel', tls: false, node: { username: undefined, password: undefined } });
  });

  it.each([
    ['redis+sentinel://h:1', 'master name'],
    ['redis+sentinel://h:99999/m', 'host[:port]'],
    ['redis+sentinel://h:1/m?password=x', 'unknown Sentinel URL parameter'],
    ['http://h', 'must start with'],
    ['redis+sentinel://sekrit-pw@h:1/m?x=sekrit-pw', 'unknown'],
  ])('rejects %s with a message that never quotes a password', (url, fragment) => {
    let error: unknown;
    try {
      parseRedisTarget(url);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AgentError);
    expect((error as AgentError).code).toBe('cache_unavailable');
    expect((error as AgentError).message).not.toContain('sekrit-pw');
    if (!fragment.startsWith('master')) expect((error as AgentError).message).toContain(fragment);
  });
});

describe('redisErrorCode', () => {
  const withCode = (code: string) => Object.assign(new Error('x'), { code });
  it('tells certificate failures, refused credentials and plain unreachability apart', () => {
    expect(redisErrorCode(withCode('UNABLE_TO_VERIFY_LEAF_SIGNATURE'))).toBe('cache_tls');
    expect(redisErrorCode(withCode('ERR_TLS_CERT_ALTNAME_INVALID'))).toBe('cache_tls');
    expect(redisErrorCode(withCode('ERR_SSL_WRONG_VERSION_NUMBER'))).toBe('cache_tls');
    expect(redisErrorCode(new Error('WRONGPASS invalid username-password pair or user is disabled.'))).toBe('cache_auth');
    expect(redisErrorCode(new Error('NOAUTH Authentication required.'))).toBe('cache_auth');
    expect(redisErrorCode(new Error('wrapped', { cause: new Error('NOPERM this user has no permissions') }))).toBe('cache_auth');
    expect(redisErrorCode(withCode('ECONNREFUSED'))).toBe('cache_unavailable');
  });

  it('never copies the driver message, which may quote the host', () => {
    const error = redisError(Object.assign(new Error('connect ECONNREFUSED secret-host:6379'), { code: 'ECONNREFUSED' }), 'Redis connection failed');
    expect(error.message).toBe('Redis connection failed (ECONNREFUSED)');
  });
});
