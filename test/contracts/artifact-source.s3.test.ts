/**
 * The ArtifactSource contract for the S3 source, through the real AWS SDK: the default
 * credential chain fetches credentials from a loopback ECS container-credentials
 * endpoint, GetObject goes path-style to a loopback S3 (AWS_ENDPOINT_URL_S3 semantics)
 * that verifies the SigV4 signature against those credentials.
 */
import { S3Source } from '../../src/adapters/sources/s3-source';
import { FakeEcsCredentials } from '../support/fakes/ecs-credentials';
import { FakeS3Server } from '../support/fakes/s3-server';
import { useIsolatedAwsEnv } from '../support/aws-test-env';
import { artifactSourceContract, INVALID_UTF8, oversizeDocument } from './artifact-source.contract';

const BUCKET = 'clef.artifacts-prod'; // a dotted bucket name
const KEY = 'clef/api/production.json';

artifactSourceContract('s3 (ECS container credentials, path-style endpoint)', async ({ timeoutMs, maxBytes }) => {
  const ecs = await FakeEcsCredentials.start();
  const env = useIsolatedAwsEnv(ecs.env);
  const s3 = await FakeS3Server.start({ credentials: { [ecs.accessKeyId]: ecs.secretAccessKey } });
  const source = new S3Source({ bucket: BUCKET, key: KEY, region: 'eu-west-1', endpoint: s3.endpoint, timeoutMs, maxBytes });
  return {
    source,
    publish: async (d) => void s3.put(BUCKET, KEY, d),
    makeMissing: async () => s3.remove(BUCKET, KEY),
    makeUnauthorized: async () => void (s3.denySigned = true),
    makeHang: async () => void (s3.fault = { kind: 'hang' }),
    whenHung: () => s3.whenHeld(),
    makeOversize: async () => void s3.put(BUCKET, KEY, oversizeDocument(maxBytes)),
    makeMalformed: async () => void s3.put(BUCKET, KEY, INVALID_UTF8),
    secrets: [ecs.secretAccessKey, ecs.sessionToken, ecs.authToken],
    close: async () => {
      source.close();
      await s3.close();
      await ecs.close();
      env.restore();
    },
  };
});
