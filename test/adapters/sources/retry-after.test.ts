import { parseEpochReset, parseRetryAfter } from '../../../src/adapters/sources/retry-after';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date relative to now, clamped at zero', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent, negative, fractional and garbage values', () => {
    for (const v of [undefined, null, '', '-5', '1.5', 'soon', '12abc']) expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});

describe('parseEpochReset', () => {
  it('turns x-ratelimit-reset (epoch seconds) into a delay', () => {
    const now = 1_767_268_800_000;
    expect(parseEpochReset(String(now / 1000 + 42), now)).toBe(42_000);
    expect(parseEpochReset(String(now / 1000 - 42), now)).toBe(0);
    expect(parseEpochReset('x', now)).toBeUndefined();
  });
});
