import { redactUrl } from '../../../src/adapters/sources/redact';
import { HttpSource } from '../../../src/adapters/sources/http-source';

describe('redactUrl', () => {
  it('masks userinfo', () => {
    expect(redactUrl('https://deploy:hunter2@cdn.example.com/a.json')).toBe('https://***@cdn.example.com/a.json');
    expect(redactUrl('https://tokenonly@cdn.example.com/a.json')).toBe('https://***@cdn.example.com/a.json');
  });

  it('masks every query value of a presigned S3 URL, keeping the names', () => {
    const url =
      'https://bucket.s3.amazonaws.com/clef/prod.age.json?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request' +
      '&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE&X-Amz-SignedHeaders=host&X-Amz-Signature=0123abcd';
    const out = redactUrl(url);
    expect(out).toBe(
      'https://bucket.s3.amazonaws.com/clef/prod.age.json?X-Amz-Algorithm=***&X-Amz-Credential=***&X-Amz-Date=***&X-Amz-Expires=***&X-Amz-Security-Token=***&X-Amz-SignedHeaders=***&X-Amz-Signature=***',
    );
    for (const s of ['AKIAEXAMPLE', 'FQoGZXIvYXdzEXAMPLE', '0123abcd']) expect(out).not.toContain(s);
  });

  it('masks GCS signed URLs and Azure SAS tokens alike', () => {
    expect(redactUrl('https://storage.googleapis.com/b/o?X-Goog-Signature=deadbeef&X-Goog-Credential=svc%40p.iam')).toBe(
      'https://storage.googleapis.com/b/o?X-Goog-Signature=***&X-Goog-Credential=***',
    );
    expect(redactUrl('https://acct.blob.core.windows.net/c/a.json?sv=2024&sig=abc%2Bdef&token=t0k')).toBe('https://acct.blob.core.windows.net/c/a.json?sv=***&sig=***&token=***');
  });

  it('drops the fragment and never echoes an unparseable input', () => {
    expect(redactUrl('https://h.example/a#access_token=xyz')).toBe('https://h.example/a');
    expect(redactUrl('not a url with secret=xyz')).toBe('<invalid url>');
  });
});

describe('HttpSource description and cacheKey', () => {
  const presigned = 'https://user:pa55@bucket.s3.amazonaws.com/clef/prod.age.json?X-Amz-Signature=s1g&X-Amz-Credential=cr3d';

  it('describes the URL with credentials masked', () => {
    const source = new HttpSource({ url: presigned });
    expect(source.description).toBe('https://***@bucket.s3.amazonaws.com/clef/prod.age.json?X-Amz-Signature=***&X-Amz-Credential=***');
  });

  it('keys the cache on origin + path only: credential-free and stable across re-signing', () => {
    const a = new HttpSource({ url: presigned });
    const b = new HttpSource({ url: 'https://bucket.s3.amazonaws.com/clef/prod.age.json?X-Amz-Signature=other' });
    const other = new HttpSource({ url: 'https://bucket.s3.amazonaws.com/clef/staging.age.json' });
    expect(a.cacheKey).toMatch(/^http:[0-9a-f]{64}$/);
    expect(a.cacheKey).toBe(b.cacheKey);
    expect(a.cacheKey).not.toBe(other.cacheKey);
    for (const s of ['pa55', 's1g', 'cr3d', 'user']) expect(a.cacheKey + a.description).not.toContain(s);
  });
});
