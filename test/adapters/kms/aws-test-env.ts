/**
 * Points the real AWS SDK at the loopback fake through the standard environment only
 * (AWS_ENDPOINT_URL_KMS, static env credentials), the way an operator would, and hides
 * the developer's ~/.aws files and IMDS so tests never reach a real account.
 */
const KEYS = [
  'AWS_ENDPOINT_URL_KMS',
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_MAX_ATTEMPTS',
  'AWS_RETRY_MODE',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
] as const;

export interface AwsTestEnv {
  /** Per-test override of a standard variable (e.g. AWS_MAX_ATTEMPTS). */
  set(name: (typeof KEYS)[number], value: string | undefined): void;
  restore(): void;
}

export function useAwsTestEnv(endpoint: string): AwsTestEnv {
  const saved = new Map<string, string | undefined>(KEYS.map((k) => [k, process.env[k]]));
  for (const k of KEYS) delete process.env[k];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_KMS: endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDLOOPBACKTEST',
    AWS_SECRET_ACCESS_KEY: 'loopback-test-secret',
    // Deliberately not the key's region: the adapter must take the region from the ARN.
    AWS_REGION: 'eu-west-1',
    AWS_CONFIG_FILE: '/nonexistent/clef-agent-test/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/clef-agent-test/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    // The SDK's own retries off by default so call counts are exact; tests that
    // exercise both retry layers raise it.
    AWS_MAX_ATTEMPTS: '1',
  });
  return {
    set(name, value) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    },
    restore() {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
