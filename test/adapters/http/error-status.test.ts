import { AgentError, type ErrorCode } from '../../../src/domain/errors';
import { httpMappingFor, toHttpError } from '../../../src/adapters/http/error-status';

describe('error-status', () => {
  it.each<ErrorCode>([
    'not_loaded',
    'cache_expired',
    'expired',
    'revoked',
    'refresh_failed',
    'decrypt',
    'kms_access_denied',
    'kms_throttled',
    'no_age_identity',
    'stopped',
    'fetch_failed',
    'source_timeout',
    'signature_invalid',
    'integrity',
  ])('%s (cannot serve) is a 503 with its domain message', (code) => {
    expect(toHttpError(new AgentError(code, 'domain says why'))).toEqual({
      status: 503,
      code,
      message: 'domain says why',
      headers: undefined,
    });
  });

  it.each<[ErrorCode, number]>([
    ['bad_request', 400],
    ['forwarded_request', 400],
    ['unauthorized', 401],
    ['forbidden_host', 403],
    ['not_found', 404],
    ['method_not_allowed', 405],
  ])('%s maps to %i', (code, status) => {
    expect(httpMappingFor(code).status).toBe(status);
  });

  it('adds WWW-Authenticate to 401', () => {
    expect(httpMappingFor('unauthorized').headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
  });

  it('hides the message of an `unknown` AgentError behind a 500', () => {
    expect(toHttpError(new AgentError('unknown', 'internal detail'))).toMatchObject({
      status: 500,
      code: 'unknown',
      message: 'internal error',
    });
  });

  it('never copies a foreign error message', () => {
    const res = toHttpError(new Error('https://user:pass@host/leak'));
    expect(res).toEqual({ status: 500, code: 'unknown', message: 'internal error' });
  });
});
