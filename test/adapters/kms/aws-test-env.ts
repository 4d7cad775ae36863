import { type IsolatedAwsEnv, useIsolatedAwsEnv } from '../../support/aws-test-env';

/**
 * Points the real AWS SDK at the loopback KMS fake through the standard environment only
 * (AWS_ENDPOINT_URL_KMS, static env credentials), the way an operator would; the rest of
 * the AWS environment is hidden (test/support/aws-test-env.ts).
 */
export type AwsTestEnv = IsolatedAwsEnv;

export function useAwsTestEnv(endpoint: string): AwsTestEnv {
  return useIsolatedAwsEnv({
    AWS_ENDPOINT_URL_KMS: endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDLOOPBACKTEST',
    AWS_SECRET_ACCESS_KEY: 'loopback-test-secret',
    // Deliberately not the key's region: the adapter must take the region from the ARN.
    AWS_REGION: 'eu-west-1',
    // The SDK's own retries off by default so call counts are exact; tests that
    // exercise both retry layers raise it.
    AWS_MAX_ATTEMPTS: '1',
  });
}
