import type pino from 'pino';
import { warnIfUnauthenticated } from '../../src/app/commands/run';
import type { AgentConfig } from '../../src/app/config/agent-config';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = { warn: (obj: Record<string, unknown>) => lines.push(obj) } as unknown as pino.Logger;
  return { lines, logger };
}

const base = { allowInsecureHttp: true, verifyKeys: [] as string[] } as unknown as AgentConfig;

it('warns when an opted-in plain-http source has no verify key', () => {
  const { lines, logger } = capture();
  warnIfUnauthenticated(logger, { ...base, source: { kind: 'http', url: 'http://artifacts.internal/a.json' } });
  expect(lines).toEqual([expect.objectContaining({ code: 'source_insecure' })]);
});

it('warns for an S3 source whose AWS_ENDPOINT_URL_S3 is plain http', () => {
  const { lines, logger } = capture();
  warnIfUnauthenticated(logger, { ...base, source: { kind: 's3', url: 's3://b/k', bucket: 'b', key: 'k', region: 'eu-west-1', endpoint: 'http://minio.internal:9000' } });
  expect(lines).toEqual([expect.objectContaining({ code: 'source_insecure' })]);
});

it.each([
  ['https', { ...base, source: { kind: 'http', url: 'https://artifacts.internal/a.json' } }],
  ['with a verify key', { ...base, verifyKeys: ['k'], source: { kind: 'http', url: 'http://artifacts.internal/a.json' } }],
  ['a file source', { ...base, source: { kind: 'file', path: '/a.json' } }],
  ['an S3 source on AWS', { ...base, source: { kind: 's3', url: 's3://b/k', bucket: 'b', key: 'k', region: 'eu-west-1' } }],
])('stays quiet for %s', (_n, config) => {
  const { lines, logger } = capture();
  warnIfUnauthenticated(logger, config as AgentConfig);
  expect(lines).toEqual([]);
});
