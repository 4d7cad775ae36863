import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback OTLP/HTTP collector for tests: POST /v1/logs and /v1/metrics, JSON or
 * protobuf. Bodies of both encodings are decoded into the same simple records (protobuf
 * by a minimal wire-format reader below: @opentelemetry/otlp-transformer ships request
 * encoders only). Raw bodies and headers are kept so tests can scan every received byte.
 */
export interface CollectedRequest {
  path: string;
  contentType: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface CollectedLog {
  type: string;
  severityNumber?: number;
  severityText?: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  scope: { name?: string; version?: string };
}

export interface CollectedPoint {
  attributes: Record<string, unknown>;
  value?: number;
  count?: number;
  sum?: number;
}

export interface CollectedMetric {
  name: string;
  unit?: string;
  kind: 'sum' | 'gauge' | 'histogram' | 'other';
  points: CollectedPoint[];
  resource: Record<string, unknown>;
}

type Mode = { kind: 'ok' } | { kind: 'hang' } | { kind: 'fail'; status: number };

export class OtlpCollector {
  readonly requests: CollectedRequest[] = [];
  readonly logs: CollectedLog[] = [];
  readonly metrics: CollectedMetric[] = [];
  private mode: Mode = { kind: 'ok' };
  private readonly hung = new Set<ServerResponse>();
  private listeners = new Set<() => void>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpCollector> {
    let collector!: OtlpCollector;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => collector.receive(req.url ?? '/', req.headers, Buffer.concat(chunks), res));
    });
    collector = new OtlpCollector(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return collector;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  get logsUrl(): string {
    return `${this.url}/v1/logs`;
  }
  get metricsUrl(): string {
    return `${this.url}/v1/metrics`;
  }

  /** Accept requests but never answer them. */
  hang(): void {
    this.mode = { kind: 'hang' };
  }
  fail(status = 500): void {
    this.mode = { kind: 'fail', status };
  }
  ok(): void {
    this.mode = { kind: 'ok' };
  }

  /** Every received byte: bodies plus a dump of all request headers. */
  receivedBytes(): Buffer {
    return Buffer.concat(this.requests.flatMap((r) => [Buffer.from(JSON.stringify(r.headers)), r.body]));
  }

  /** Resolves with the first truthy result of `probe`, re-checked as each request lands
   * (no sleeps); jest's timeout bounds the wait. */
  waitFor<T>(probe: (c: OtlpCollector) => T | undefined | null | false): Promise<T> {
    return new Promise<T>((resolve) => {
      const check = (): boolean => {
        const found = probe(this);
        if (!found) return false;
        this.listeners.delete(listener);
        resolve(found);
        return true;
      };
      const listener = (): void => void check();
      if (!check()) this.listeners.add(listener);
    });
  }

  metric(name: string): CollectedMetric[] {
    return this.metrics.filter((m) => m.name === name);
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(path: string, headers: IncomingHttpHeaders, body: Buffer, res: ServerResponse): void {
    const contentType = String(headers['content-type'] ?? '');
    this.requests.push({ path, contentType, headers, body });
    const isProto = contentType.includes('protobuf');
    try {
      const doc = isProto ? decodeProto(body, path.endsWith('/v1/metrics') ? metricsSchema : logsSchema) : JSON.parse(body.toString('utf8'));
      if (path.endsWith('/v1/logs')) this.logs.push(...extractLogs(doc));
      if (path.endsWith('/v1/metrics')) this.metrics.push(...extractMetrics(doc));
    } catch {
      // undecodable bodies stay available as raw bytes
    }
    for (const listener of [...this.listeners]) listener();
    if (this.mode.kind === 'hang') {
      this.hung.add(res);
      return;
    }
    const status = this.mode.kind === 'fail' ? this.mode.status : 200;
    res.writeHead(status, { 'content-type': isProto ? 'application/x-protobuf' : 'application/json' });
    res.end(isProto || status !== 200 ? '' : '{}');
  }
}

/* ---- OTLP JSON shape → simple records ---------------------------------------------- */

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function anyValue(v: Json): unknown {
  if (v == null) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(anyValue);
  if ('kvlistValue' in v) return attrs(v.kvlistValue.values);
  return undefined;
}

function attrs(list: Json[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv: Json) => [kv.key, anyValue(kv.value)]));
}

function extractLogs(doc: Json): CollectedLog[] {
  return (doc.resourceLogs ?? []).flatMap((rl: Json) =>
    (rl.scopeLogs ?? []).flatMap((sl: Json) =>
      (sl.logRecords ?? []).map((lr: Json) => ({
        type: String(anyValue(lr.body)),
        severityNumber: lr.severityNumber,
        severityText: lr.severityText,
        attributes: attrs(lr.attributes),
        resource: attrs(rl.resource?.attributes),
        scope: { name: sl.scope?.name, version: sl.scope?.version },
      })),
    ),
  );
}

function extractMetrics(doc: Json): CollectedMetric[] {
  return (doc.resourceMetrics ?? []).flatMap((rm: Json) =>
    (rm.scopeMetrics ?? []).flatMap((sm: Json) =>
      (sm.metrics ?? []).map((m: Json) => {
        const kind = m.sum ? 'sum' : m.gauge ? 'gauge' : m.histogram ? 'histogram' : 'other';
        const points = (m[kind]?.dataPoints ?? []).map((p: Json) => ({
          attributes: attrs(p.attributes),
          value: p.asInt !== undefined ? Number(p.asInt) : p.asDouble !== undefined ? Number(p.asDouble) : undefined,
          count: p.count !== undefined ? Number(p.count) : undefined,
          sum: p.sum !== undefined ? Number(p.sum) : undefined,
        }));
        return { name: m.name, unit: m.unit, kind, points, resource: attrs(rm.resource?.attributes) };
      }),
    ),
  );
}

/* ---- minimal protobuf reader: bytes → the OTLP JSON shape above --------------------- */

/** field number → [json name, type, repeated]; a nested schema for messages. */
type Schema = { [no: number]: [string, FieldType, boolean?] };
type FieldType = 'string' | 'varint' | 'bool' | 'int64' | 'fixed64' | 'double' | Schema;

const anyValueSchema: Schema = {};
const kvSchema: Schema = { 1: ['key', 'string'], 2: ['value', anyValueSchema] };
Object.assign(anyValueSchema, {
  1: ['stringValue', 'string'],
  2: ['boolValue', 'bool'],
  3: ['intValue', 'int64'],
  4: ['doubleValue', 'double'],
  5: ['arrayValue', { 1: ['values', anyValueSchema, true] }],
  6: ['kvlistValue', { 1: ['values', kvSchema, true] }],
});
const resourceSchema: Schema = { 1: ['attributes', kvSchema, true] };
const scopeSchema: Schema = { 1: ['name', 'string'], 2: ['version', 'string'] };
const logRecordSchema: Schema = { 2: ['severityNumber', 'varint'], 3: ['severityText', 'string'], 5: ['body', anyValueSchema], 6: ['attributes', kvSchema, true] };
const logsSchema: Schema = {
  1: ['resourceLogs', { 1: ['resource', resourceSchema], 2: ['scopeLogs', { 1: ['scope', scopeSchema], 2: ['logRecords', logRecordSchema, true] }, true] }, true],
};
const numberPoint: Schema = { 7: ['attributes', kvSchema, true], 4: ['asDouble', 'double'], 6: ['asInt', 'int64'] };
const histogramPoint: Schema = { 9: ['attributes', kvSchema, true], 4: ['count', 'fixed64'], 5: ['sum', 'double'] };
const metricSchema: Schema = {
  1: ['name', 'string'],
  3: ['unit', 'string'],
  5: ['gauge', { 1: ['dataPoints', numberPoint, true] }],
  7: ['sum', { 1: ['dataPoints', numberPoint, true] }],
  9: ['histogram', { 1: ['dataPoints', histogramPoint, true] }],
};
const metricsSchema: Schema = {
  1: ['resourceMetrics', { 1: ['resource', resourceSchema], 2: ['scopeMetrics', { 1: ['scope', scopeSchema], 2: ['metrics', metricSchema, true] }, true] }, true],
};

function decodeProto(buf: Buffer, schema: Schema): Json {
  const out: Json = {};
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = buf[pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const [no, wire] = [tag >>> 3, tag & 7];
    let raw: bigint | Buffer;
    if (wire === 0) raw = varint();
    else if (wire === 1) (raw = buf.subarray(pos, pos + 8)), (pos += 8);
    else if (wire === 5) (raw = buf.subarray(pos, pos + 4)), (pos += 4);
    else if (wire === 2) {
      const len = Number(varint());
      (raw = buf.subarray(pos, pos + len)), (pos += len);
    } else throw new Error(`unsupported wire type ${wire}`);
    const field = schema[no];
    if (!field) continue;
    const [name, type, repeated] = field;
    const value = convert(raw, type);
    if (repeated) (out[name] ??= []).push(value);
    else out[name] = value;
  }
  return out;
}

function convert(raw: bigint | Buffer, type: FieldType): unknown {
  if (typeof type === 'object') return decodeProto(raw as Buffer, type);
  if (type === 'string') return (raw as Buffer).toString('utf8');
  if (type === 'varint') return Number(raw as bigint);
  if (type === 'bool') return raw !== 0n;
  if (type === 'int64') return typeof raw === 'bigint' ? String(BigInt.asIntN(64, raw)) : String((raw as Buffer).readBigInt64LE());
  if (type === 'fixed64') return String((raw as Buffer).readBigUInt64LE());
  return (raw as Buffer).readDoubleLE();
}
