import { createHash } from 'node:crypto';
import { StaticTokenAuthenticator } from '../../../src/adapters/http/authenticator';
import { ScopedTokenAuthenticator } from '../../../src/adapters/http/scoped-token-authenticator';

const sha256 = (s: string) => createHash('sha256').update(s, 'latin1').digest('hex');
const STATIC = 'static-token-0123456789';
const entries = [
  { name: 'billing', sha256: sha256('billing-token-aaaa'), namespaces: ['billing', 'shared'] },
  { name: 'web', sha256: sha256('web-token-bbbb'), namespaces: ['web'] },
];

describe('ScopedTokenAuthenticator', () => {
  const auth = new ScopedTokenAuthenticator(entries, new StaticTokenAuthenticator(STATIC));

  it('maps each scoped token to its name and namespaces', () => {
    const p = auth.authenticate('Bearer billing-token-aaaa');
    expect(p?.name).toBe('billing');
    expect(p?.namespaces).toEqual(new Set(['billing', 'shared']));
    expect(auth.authenticate('bearer web-token-bbbb')?.name).toBe('web');
  });

  it('keeps the static token as an all-namespaces principal', () => {
    expect(auth.authenticate(`Bearer ${STATIC}`)).toEqual({ name: 'default', namespaces: 'all' });
  });

  it.each([undefined, '', 'Bearer ', 'Basic billing-token-aaaa', 'Bearer billing-token-aaa', 'Bearer billing-token-aaaaa', `Bearer ${sha256('billing-token-aaaa')}`])(
    'rejects %p (including the hash itself presented as a token)',
    (header) => {
      expect(auth.authenticate(header)).toBeNull();
    },
  );

  it('swaps the whole table on setEntries', () => {
    const rotating = new ScopedTokenAuthenticator(entries);
    rotating.setEntries([{ name: 'web2', sha256: sha256('web-token-cccc'), namespaces: ['web'] }]);
    expect(rotating.authenticate('Bearer billing-token-aaaa')).toBeNull();
    expect(rotating.authenticate('Bearer web-token-cccc')?.name).toBe('web2');
    expect(rotating.size).toBe(1);
  });

  it('refuses a malformed hash instead of never matching silently', () => {
    expect(() => new ScopedTokenAuthenticator([{ name: 'x', sha256: 'ABC', namespaces: ['a'] }])).toThrow(TypeError);
  });

  it('hashes the presented token once, however many entries there are', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ name: `t${i}`, sha256: sha256(`token-${i}`), namespaces: ['ns'] }));
    const big = new ScopedTokenAuthenticator(many);
    const authModule = require('../../../src/adapters/http/authenticator') as typeof import('../../../src/adapters/http/authenticator');
    const spy = jest.spyOn(authModule, 'digest');
    try {
      expect(big.authenticate('Bearer token-49')?.name).toBe('t49');
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});
