/** CLEF_AGENT_SOURCE routing for S3 and the standard AWS variables it reads at startup. */
import { loadConfig } from '../../src/app/config/load-config';
import { AGE_KEY_FILE } from '../support/vectors';

const BASE = { CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_TOKEN: 'static-token-0123456789' };
const load = (env: Record<string, string>) => loadConfig({ ...BASE, ...env });

async function configError(env: Record<string, string>): Promise<{ variable: string; message: string }> {
  try {
    await load(env);
  } catch (e) {
    return e as { variable: string; message: string };
  }
  throw new Error('loaded');
}

it('s3://: region from AWS_REGION, else AWS_DEFAULT_REGION; no endpoint by default', async () => {
  expect((await load({ CLEF_AGENT_SOURCE: 's3://my.bucket/clef/prod.json', AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' })).source).toEqual({
    kind: 's3',
    url: 's3://my.bucket/clef/prod.json',
    bucket: 'my.bucket',
    key: 'clef/prod.json',
    region: 'eu-west-1',
    endpoint: undefined,
  });
  expect((await load({ CLEF_AGENT_SOURCE: 's3://b-1/k', AWS_DEFAULT_REGION: 'us-west-2' })).source).toMatchObject({ region: 'us-west-2' });
});

it('s3:// with no region (or a blank one) names both variables', async () => {
  const e = await configError({ CLEF_AGENT_SOURCE: 's3://bucket/key', AWS_REGION: ' ' });
  expect(e.variable).toBe('AWS_REGION');
  expect(e.message).toContain('AWS_DEFAULT_REGION');
});

it('the region in an https URL wins over AWS_REGION', async () => {
  const c = await load({ CLEF_AGENT_SOURCE: 'https://s3.ap-south-1.amazonaws.com/bucket/a/b.json', AWS_REGION: 'eu-west-1' });
  expect(c.source).toMatchObject({ kind: 's3', bucket: 'bucket', key: 'a/b.json', region: 'ap-south-1' });
});

it('a presigned S3 URL and a non-S3 https URL stay HTTP sources, untouched', async () => {
  const presigned = 'https://bucket.s3.eu-west-1.amazonaws.com/k.json?X-Amz-Signature=abc&X-Amz-Credential=AKID';
  expect((await load({ CLEF_AGENT_SOURCE: presigned })).source).toEqual({ kind: 'http', url: presigned });
  expect((await load({ CLEF_AGENT_SOURCE: 'https://cdn.example.com/k.json' })).source).toEqual({ kind: 'http', url: 'https://cdn.example.com/k.json' });
});

it('AWS_ENDPOINT_URL_S3 wins over AWS_ENDPOINT_URL; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns both off', async () => {
  const src = { CLEF_AGENT_SOURCE: 's3://bucket/key', AWS_REGION: 'eu-west-1' };
  expect((await load({ ...src, AWS_ENDPOINT_URL: 'https://all.example.com' })).source).toMatchObject({ endpoint: 'https://all.example.com' });
  expect((await load({ ...src, AWS_ENDPOINT_URL: 'https://all.example.com', AWS_ENDPOINT_URL_S3: 'https://minio.example.com:9000' })).source).toMatchObject({ endpoint: 'https://minio.example.com:9000' });
  expect((await load({ ...src, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000' })).source).toMatchObject({ endpoint: 'http://127.0.0.1:9000' });
  expect((await load({ ...src, AWS_ENDPOINT_URL_S3: 'https://minio.example.com', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).source).toMatchObject({ endpoint: undefined });
});

it('endpoint mistakes are configuration errors naming the variable', async () => {
  const src = { CLEF_AGENT_SOURCE: 's3://bucket/key', AWS_REGION: 'eu-west-1' };
  expect((await configError({ ...src, AWS_ENDPOINT_URL_S3: 'http://minio.internal:9000' })).variable).toBe('AWS_ENDPOINT_URL_S3');
  expect((await configError({ ...src, AWS_ENDPOINT_URL: 'not a url' })).variable).toBe('AWS_ENDPOINT_URL');
  expect((await configError({ ...src, AWS_ENDPOINT_URL_S3: 'https://user:pw@minio.example.com' })).message).not.toContain('pw');
  // Plain http to a remote store is allowed only with the same switch as for HTTP sources.
  expect((await load({ ...src, AWS_ENDPOINT_URL_S3: 'http://minio.internal:9000', CLEF_AGENT_ALLOW_INSECURE_HTTP: 'true' })).source).toMatchObject({ endpoint: 'http://minio.internal:9000' });
});
