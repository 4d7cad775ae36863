import * as path from 'node:path';

/**
 * Jest-only workaround. The OTLP exporters' Node transport loads `http`/`https` with a
 * dynamic `import()`, which jest's VM refuses unless node runs with
 * --experimental-vm-modules (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG). Plain node is
 * unaffected: e2e.test.ts runs the unpatched adapter in a child process.
 *
 * This replaces `createHttpExporterTransport` in every installed copy of
 * otlp-exporter-base (npm keeps several versions side by side) with the same logic
 * loading the module via require; the SDK's own `sendWithHttp` still does the request.
 * The delegate looks the function up on the module object at each call, so patching the
 * export is enough. Call before the adapter is created, in the same module registry.
 */
export function useRequireBasedOtlpTransport(): void {
  const flags = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`;
  if (flags.includes('--experimental-vm-modules')) return; // the real transport works then

  const exporters = [
    '@opentelemetry/exporter-logs-otlp-http',
    '@opentelemetry/exporter-logs-otlp-proto',
    '@opentelemetry/exporter-metrics-otlp-http',
    '@opentelemetry/exporter-metrics-otlp-proto',
  ];
  for (const exporter of exporters) {
    const from = path.dirname(require.resolve(exporter));
    const base = path.dirname(require.resolve('@opentelemetry/otlp-exporter-base', { paths: [from] }));
    patch(path.join(base, 'transport', 'http-exporter-transport.js'), path.join(base, 'transport', 'http-transport-utils.js'));
  }
}

interface TransportParameters {
  url: string;
  headers: () => Promise<Record<string, string>>;
  compression: 'gzip' | 'none';
  userAgent?: string;
}

function patch(transportFile: string, utilsFile: string): void {
  const transport = require(transportFile) as { createHttpExporterTransport: unknown };
  const { sendWithHttp } = require(utilsFile) as { sendWithHttp: (...args: unknown[]) => Promise<unknown> };
  transport.createHttpExporterTransport = (p: TransportParameters) => ({
    async send(data: Uint8Array, timeoutMillis: number) {
      const mod = new URL(p.url).protocol === 'http:' ? require('node:http') : require('node:https');
      // No keep-alive: nothing lingers after a test whose shutdown was cut short on purpose.
      const agent = new mod.Agent({ keepAlive: false });
      return sendWithHttp(mod.request, p.url, await p.headers(), p.compression, p.userAgent, agent, data, timeoutMillis);
    },
    shutdown() {},
  });
}
