import { Writable } from 'node:stream';
import { createLogger, LogTelemetry, type LogLevel } from '../../../src/adapters/telemetry/log-telemetry';
import type { AgentEvent } from '../../../src/domain/ports/telemetry';
import { sampleEvents } from '../../contracts/telemetry.contract';

function setup(level: LogLevel, accessLog = false) {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level, destination });
  const telemetry = new LogTelemetry({ logger, accessLog });
  const lines = async () => {
    await telemetry.flush(1000);
    return raw.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  };
  return { logger, telemetry, lines, raw };
}

describe('LogTelemetry', () => {
  it('writes one JSON line per event with its type, fields and level', async () => {
    const { telemetry, lines } = setup('debug');
    telemetry.emit(sampleEvents['artifact.refreshed']);
    telemetry.emit(sampleEvents['artifact.unchanged']);
    telemetry.emit(sampleEvents['fetch.failed']);
    telemetry.emit(sampleEvents['artifact.invalid']);
    telemetry.emit(sampleEvents['cache.expired']);
    const out = await lines();
    expect(out.map((l) => [l.event, l.level])).toEqual([
      ['artifact.refreshed', 'info'],
      ['artifact.unchanged', 'debug'],
      ['fetch.failed', 'warn'],
      ['artifact.invalid', 'error'],
      ['cache.expired', 'error'],
    ]);
    expect(out[0]).toMatchObject({ name: 'clef-agent', revision: '1700000000000-abcd', keyCount: 3, msg: 'artifact.refreshed' });
    expect(typeof out[0].time).toBe('string');
    expect(out[2]).toMatchObject({ code: 'source_timeout', error: 'source timed out' });
    expect(out[3]).toMatchObject({ reason: 'integrity' });
  });

  it('keeps state-change-only output at info: nothing routine, no access log by default', async () => {
    const { telemetry, lines } = setup('info');
    telemetry.emit(sampleEvents['artifact.unchanged']);
    telemetry.emit(sampleEvents['decrypt.completed']);
    telemetry.emit(sampleEvents['http.request']);
    telemetry.emit(sampleEvents['artifact.revoked']);
    expect((await lines()).map((l) => l.event)).toEqual(['artifact.revoked']);
  });

  it('logs http.request with allow-listed fields only when the access log is on', async () => {
    const { telemetry, lines } = setup('info', true);
    const request = { ...sampleEvents['http.request'], headers: { authorization: 'Bearer abc' }, query: 'token=x' };
    telemetry.emit(request as unknown as AgentEvent);
    const [line] = await lines();
    expect(line).toMatchObject({ event: 'http.request', level: 'info', method: 'GET', route: '/v1/secrets', status: 200, durationMs: 1 });
    expect(line).not.toHaveProperty('headers');
    expect(line).not.toHaveProperty('query');
  });

  it('redacts credential-looking fields and URL credentials (defence in depth)', async () => {
    const { telemetry, logger, lines, raw } = setup('debug');
    telemetry.emit({
      ...sampleEvents['fetch.failed'],
      error: 'GET https://bot:hunter2@example.com/a?sig=sekrit123 failed',
      authorization: 'Bearer leaked-1',
    } as unknown as AgentEvent);
    logger.info({ headers: { authorization: 'Bearer leaked-2', accept: 'json' }, token: 'leaked-3' }, 'ad hoc');
    const out = await lines();
    expect(out[0]).toMatchObject({ authorization: '[redacted]', error: 'GET https://***@example.com/a?*** failed' });
    expect(out[1]).toMatchObject({ headers: { authorization: '[redacted]', accept: 'json' }, token: '[redacted]' });
    for (const secret of ['hunter2', 'sekrit123', 'leaked-1', 'leaked-2', 'leaked-3']) expect(raw.join('')).not.toContain(secret);
  });

  it('never throws when the stream breaks', async () => {
    const broken = new Writable({
      write() {
        throw new Error('disk on fire');
      },
    });
    const telemetry = new LogTelemetry({ logger: createLogger({ level: 'info', destination: broken }), accessLog: false });
    expect(() => telemetry.emit(sampleEvents['agent.started'])).not.toThrow();
    await expect(telemetry.shutdown(100)).resolves.toBeUndefined();
  });

  it('defaults to stderr without touching it at creation', () => {
    const logger = createLogger({ level: 'silent' });
    expect(logger.level).toBe('silent');
  });
});
