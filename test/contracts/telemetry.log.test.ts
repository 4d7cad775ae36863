import { Writable } from 'node:stream';
import { createLogger, LogTelemetry } from '../../src/adapters/telemetry/log-telemetry';
import { telemetryContract } from './telemetry.contract';

/** pino writes to an in-memory stream; each JSON line is one received record. */
telemetryContract('log (pino JSON lines)', async () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const telemetry = new LogTelemetry({ logger: createLogger({ level: 'debug', destination }), accessLog: true });
  return {
    telemetry,
    received: async () => {
      await telemetry.flush(1000);
      return lines.map((line) => {
        const { event, level: _level, time: _time, name: _name, pid: _pid, msg: _msg, ...attributes } = JSON.parse(line);
        return { type: String(event), attributes };
      });
    },
    close: () => telemetry.shutdown(1000),
  };
});
