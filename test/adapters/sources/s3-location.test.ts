import { parseS3Url } from '../../../src/adapters/sources/s3-location';
import { isS3Source } from '../../../src/app/config/s3-config';

describe('parseS3Url: the four https forms of AGENT.md §9.4 and s3://', () => {
  it.each([
    ['s3://my-bucket/clef/api/production.json', { bucket: 'my-bucket', key: 'clef/api/production.json' }],
    ['s3://my.dotted.bucket/a b/c%20d.json', { bucket: 'my.dotted.bucket', key: 'a b/c%20d.json' }],
    ['https://my-bucket.s3.eu-west-1.amazonaws.com/clef/prod.json', { bucket: 'my-bucket', key: 'clef/prod.json', region: 'eu-west-1' }],
    ['https://my-bucket.s3.amazonaws.com/clef/prod.json', { bucket: 'my-bucket', key: 'clef/prod.json', region: 'us-east-1' }],
    ['https://s3.ap-southeast-2.amazonaws.com/my-bucket/clef/prod.json', { bucket: 'my-bucket', key: 'clef/prod.json', region: 'ap-southeast-2' }],
    ['https://s3.amazonaws.com/my-bucket/clef/prod.json', { bucket: 'my-bucket', key: 'clef/prod.json', region: 'us-east-1' }],
    ['https://my.dotted.bucket.s3.us-gov-west-1.amazonaws.com/k%C3%A9y%20x.json', { bucket: 'my.dotted.bucket', key: 'kéy x.json', region: 'us-gov-west-1' }],
    ['https://s3-eu-west-1.amazonaws.com/my-bucket/prod.json', { bucket: 'my-bucket', key: 'prod.json', region: 'eu-west-1' }],
    ['HTTPS://MY-BUCKET.S3.EU-WEST-1.AMAZONAWS.COM/Clef/Prod.json', { bucket: 'my-bucket', key: 'Clef/Prod.json', region: 'eu-west-1' }],
  ])('%s', (url, expected) => {
    expect(parseS3Url(url)).toEqual(expected);
    expect(isS3Source(url)).toBe(true);
  });

  it.each([
    // presigned (or any query): the HTTP source fetches it as given, query intact
    'https://my-bucket.s3.eu-west-1.amazonaws.com/prod.json?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc',
    'https://my-bucket.s3.amazonaws.com/prod.json?AWSAccessKeyId=AKID&Signature=abc&Expires=1',
    'https://s3.amazonaws.com/my-bucket/prod.json?versionId=1',
    // not object URLs of S3's REST endpoint
    'https://my-bucket.s3-website-us-east-1.amazonaws.com/prod.json',
    'https://my-bucket.s3-website.eu-west-1.amazonaws.com/prod.json',
    'https://s3.amazonaws.com/my-bucket',
    'https://my-bucket.s3.amazonaws.com/',
    'https://example.com/my-bucket/prod.json',
    'https://s3.amazonaws.com.evil.example/my-bucket/prod.json',
    'http://my-bucket.s3.amazonaws.com/prod.json',
    'https://user:pw@my-bucket.s3.amazonaws.com/prod.json',
  ])('%s is not an S3 location', (url) => {
    expect(parseS3Url(url)).toBeUndefined();
    expect(isS3Source(url)).toBe(false);
  });

  it('an s3:// URL with a bad bucket is still routed to S3 (and rejected there as a configuration error)', () => {
    expect(parseS3Url('s3://Bad_Bucket/key')).toBeUndefined();
    expect(parseS3Url('s3://bucket-only')).toBeUndefined();
    expect(isS3Source('s3://Bad_Bucket/key')).toBe(true);
  });
});
