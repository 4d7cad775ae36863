import { StaticTokenAuthenticator, bearerCredentials } from '../../../src/adapters/http/authenticator';

const TOKEN = 'tok-0123456789';

describe('StaticTokenAuthenticator', () => {
  const auth = new StaticTokenAuthenticator(TOKEN);

  it('accepts exactly "Bearer <token>" and grants every namespace', () => {
    expect(auth.authenticate(`Bearer ${TOKEN}`)).toEqual({ name: 'default', namespaces: 'all' });
  });

  it('treats the scheme name case-insensitively (RFC 7235)', () => {
    expect(auth.authenticate(`bearer ${TOKEN}`)).not.toBeNull();
    expect(auth.authenticate(`BEARER ${TOKEN}`)).not.toBeNull();
  });

  it.each([
    ['missing header', undefined],
    ['empty header', ''],
    ['scheme only', 'Bearer'],
    ['empty credentials', 'Bearer '],
    ['Basic scheme', `Basic ${TOKEN}`],
    ['no separator', `Bearer${TOKEN}`],
    ['two spaces', `Bearer  ${TOKEN}`],
    ['tab separator', `Bearer\t${TOKEN}`],
    ['token prefix', `Bearer ${TOKEN.slice(0, -1)}`],
    ['token with suffix', `Bearer ${TOKEN}x`],
    ['trailing space', `Bearer ${TOKEN} `],
    ['wrong token of equal length', `Bearer ${TOKEN.replace(/.$/, 'X')}`],
    ['token alone', TOKEN],
  ])('rejects %s', (_name, header) => {
    expect(auth.authenticate(header)).toBeNull();
  });

  it('rotates with setToken: the old token stops working', () => {
    const rotating = new StaticTokenAuthenticator('old-token');
    rotating.setToken('new-token');
    expect(rotating.authenticate('Bearer old-token')).toBeNull();
    expect(rotating.authenticate('Bearer new-token')).not.toBeNull();
  });

  it.each([[''], ['has space'], ['tab\there'], ['ünïcode'], ['line\nbreak']])('refuses unusable token %j', (token) => {
    expect(() => new StaticTokenAuthenticator(token)).toThrow(TypeError);
    expect(() => auth.setToken(token)).toThrow(TypeError);
    expect(auth.authenticate(`Bearer ${TOKEN}`)).not.toBeNull();
  });

  it('does not keep the plaintext token', () => {
    const holder = new StaticTokenAuthenticator('very-distinctive-token');
    expect(JSON.stringify(Object.values(holder))).not.toContain('very-distinctive-token');
    expect(Object.values(holder).some((v) => typeof v === 'string' && v.includes('distinctive'))).toBe(false);
  });
});

describe('bearerCredentials', () => {
  it('returns the credentials after exactly one space', () => {
    expect(bearerCredentials('Bearer abc')).toBe('abc');
    expect(bearerCredentials('Bearer  abc')).toBe(' abc');
    expect(bearerCredentials('Basic abc')).toBeNull();
  });

  it('matches the scheme case-insensitively, not only as usually spelt', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) expect(bearerCredentials(`${scheme} abc`)).toBe('abc');
    for (const scheme of ['Bearex', 'Beare_', 'Bearerr', 'Bear', '\u0130earer']) expect(bearerCredentials(`${scheme} abc`)).toBeNull();
  });
});
