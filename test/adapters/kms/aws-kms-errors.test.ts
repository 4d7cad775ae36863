/** Classification of failures the loopback fake cannot easily produce, and ARN parsing. */
import { regionFromKeyArn } from '../../../src/adapters/kms/aws-key-arn';
import { awsKmsError, classifyAwsKmsError } from '../../../src/adapters/kms/aws-kms-errors';
import { AgentError } from '../../../src/domain/errors';

const sdkError = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error('server text'), { name, ...extra });

describe('classifyAwsKmsError', () => {
  it.each([
    [sdkError('Unknown', { $metadata: { httpStatusCode: 429 } }), 'kms_throttled'],
    [sdkError('SlowDown', { $retryable: { throttling: true } }), 'kms_throttled'],
    [sdkError('LimitExceededException'), 'kms_throttled'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'kms_network'],
    [new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:9'), 'kms_network'],
    [sdkError('TimeoutError'), 'kms_network'],
    [sdkError('DependencyTimeoutException'), 'kms_network'],
    [sdkError('ServiceUnavailable', { $metadata: { httpStatusCode: 503 } }), 'kms_network'],
    [Object.assign(new Error('User: arn:aws:sts::1:assumed-role/x is not authorized to perform: kms:Decrypt'), { name: 'Weird' }), 'kms_access_denied'],
    [sdkError('CredentialsProviderError'), 'kms_access_denied'],
    [sdkError('ExpiredTokenException'), 'kms_access_denied'],
    [sdkError('KMSInternalException', { $metadata: { httpStatusCode: 500 } }), 'kms_unwrap'],
    ['a string', 'kms_unwrap'],
    [undefined, 'kms_unwrap'],
  ])('%#: maps to %s', (e, code) => {
    expect(classifyAwsKmsError(e)).toBe(code);
  });

  it('names the error class and key but never copies server text', () => {
    const err = awsKmsError(sdkError('AccessDeniedException', { message: 'secret-looking server text' }), 'arn:aws:kms:us-east-1:1:key/k');
    expect(err.code).toBe('kms_access_denied');
    expect(err.message).toContain('AccessDeniedException');
    expect(err.message).toContain('arn:aws:kms:us-east-1:1:key/k');
    expect(err.message).not.toContain('server text');
    expect(err.hint).toBeTruthy();
  });

  it('keeps hostile error names and long key ids out of messages', () => {
    const err = awsKmsError(sdkError('<script>\nInjected'), `arn:${'x'.repeat(5000)}`);
    expect(err.message).toContain('UnknownError');
    expect(err.message.length).toBeLessThan(400);
  });

  it('passes AgentErrors through unchanged', () => {
    const original = new AgentError('decrypt', 'x');
    expect(awsKmsError(original, 'k')).toBe(original);
  });
});

describe('regionFromKeyArn', () => {
  it.each([
    ['arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555', 'us-east-1'],
    ['arn:aws:kms:eu-central-1:123456789012:alias/app', 'eu-central-1'],
    ['arn:aws-cn:kms:cn-north-1:123456789012:key/abc', 'cn-north-1'],
    ['arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/abc', 'us-gov-west-1'],
    ['11111111-2222-3333-4444-555555555555', undefined],
    ['alias/app', undefined],
    ['arn:aws:s3:us-east-1:123456789012:key/abc', undefined],
    ['arn:aws:kms:us-east-1:123:key/abc', undefined],
  ])('%s → %s', (keyId, region) => {
    expect(regionFromKeyArn(keyId)).toBe(region);
  });
});
