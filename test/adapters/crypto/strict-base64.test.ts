import { decodeStrictBase64 } from '../../../src/adapters/crypto/strict-base64';

describe('decodeStrictBase64', () => {
  it.each([
    ['QUJD', 'ABC'],
    ['QUI=', 'AB'],
    ['QQ==', 'A'],
    ['+/+/', '\u00fb\u00ff\u00bf'],
  ])('decodes canonical %s', (text, latin1) => {
    expect(decodeStrictBase64(text)?.toString('latin1')).toBe(latin1);
  });

  it.each([
    ['empty', ''],
    ['unpadded', 'QUI'],
    ['over-padded', 'QQ==='],
    ['padding in the middle', 'QQ==QUJD'],
    ['base64url characters', 'Pz8-_w=='],
    ['a line break', 'QUJD\nQUJD'],
    ['a trailing space', 'QUJD '],
    ['a character Buffer would skip', 'QU$JD'],
    ['non-zero padding bits', 'QR=='],
  ])('rejects %s', (_label, text) => {
    expect(decodeStrictBase64(text)).toBeUndefined();
  });
});
