/**
 * Isolates the AWS SDK's environment for in-process tests of the S3 source and the KMS
 * decryptor: the developer's ~/.aws, IMDS and any AWS_* variables are hidden, then only
 * what a test gives is set (ECS container credentials, env keys, endpoints, nothing at all).
 */
const KEYS = [
  'AWS_ENDPOINT_URL_S3',
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
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_MAX_ATTEMPTS',
  'AWS_RETRY_MODE',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
];

export interface IsolatedAwsEnv {
  set(vars: Record<string, string | undefined>): void;
  restore(): void;
}

export function useIsolatedAwsEnv(vars: Record<string, string> = {}): IsolatedAwsEnv {
  const saved = new Map(KEYS.map((k) => [k, process.env[k]]));
  const set = (v: Record<string, string | undefined>) => {
    for (const [k, value] of Object.entries(v)) {
      if (value === undefined) delete process.env[k];
      else process.env[k] = value;
    }
  };
  for (const k of KEYS) delete process.env[k];
  set({
    AWS_CONFIG_FILE: '/nonexistent/clef-agent-test/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/clef-agent-test/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...vars,
  });
  return {
    set,
    restore() {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
