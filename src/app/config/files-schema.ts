import { constants } from 'node:os';
// One locale file: `zod/locales` would load all of them (~45 ms per start, unbundled).
import en from 'zod/v4/locales/en.cjs';
import * as z from 'zod/mini';

z.config(en());

/**
 * The outputs file (CLEF_AGENT_FILES, docs/FILES.md), YAML or JSON:
 *
 *   outputs:
 *     - path: /run/secrets/app.env
 *       format: dotenv          # files | dotenv | json | yaml | properties
 *       namespaces: [app]       # optional filters (formats only)
 *     - path: /etc/nginx/tls/server.key
 *       template: '{{ secret "tls" "KEY_PEM" }}'
 *       mode: "0640"
 *       on_change: { command: [nginx, -s, reload], timeout: 30s, settle: 1s, splay: 10s }
 */
const duration = z.union(
  [
    z.pipe(
      z.string().check(z.regex(/^\d+(\.\d+)?(ms|s|m|h)$/, { message: 'durations are written like 500ms, 30s, 5m or 1h' })),
      z.transform((v: string) => {
        const [, n, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v)!;
        return Math.round(Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms']);
      }),
    ),
    z.pipe(
      z.number().check(z.refine((n: number) => n >= 0 && n <= 86_400, { message: 'a duration in seconds must be from 0 to 86400' })),
      z.transform((n: number) => Math.round(n * 1000)),
    ),
  ],
  { message: 'a duration is a number of seconds or a string like 500ms, 30s, 5m' },
);

const octalMode = z.pipe(
  z.string({ message: 'modes are quoted octal strings such as "0600" (an unquoted 0600 is not octal in YAML)' }).check(z.regex(/^0?[0-7]{3}$/, { message: 'modes are octal such as "0600"' })),
  z.transform((v: string) => parseInt(v, 8)),
);

const id = z.number().check(z.int({ message: 'owner and group are numeric ids' }), z.minimum(0, { message: 'owner and group are numeric ids' }));

const signalName = z.string().check(
  z.refine((s: string) => s in constants.signals && s !== 'SIGKILL' && s !== 'SIGSTOP', { message: 'signal must name a catchable signal such as SIGHUP' }),
);

const onChange = z.strictObject({
  command: z.optional(z.array(z.string().check(z.minLength(1, { message: 'command items must not be empty' }))).check(z.minLength(1, { message: 'command must list the program and its arguments' }))),
  signal: z.optional(signalName),
  pid_file: z.optional(z.string().check(z.minLength(1))),
  timeout: z.optional(duration),
  settle: z.optional(duration),
  splay: z.optional(duration),
  backoff: z.optional(duration),
  backoff_max: z.optional(duration),
});

const names = z.array(z.string().check(z.minLength(1, { message: 'names must not be empty' }))).check(z.minLength(1, { message: 'a filter must list at least one name' }));

export const outputSchema = z.strictObject({
  path: z.string({ message: 'path is required' }).check(z.minLength(1, { message: 'path must not be empty' })),
  format: z.optional(z.enum(['files', 'dotenv', 'json', 'yaml', 'properties'], { message: 'format must be files, dotenv, json, yaml or properties' })),
  template: z.optional(z.string()),
  template_file: z.optional(z.string().check(z.minLength(1))),
  namespaces: z.optional(names),
  keys: z.optional(names),
  mode: z.optional(octalMode),
  dir_mode: z.optional(octalMode),
  owner: z.optional(id),
  group: z.optional(id),
  on_change: z.optional(onChange),
});

export const outputsFileSchema = z.strictObject({
  outputs: z.array(outputSchema).check(z.minLength(1, { message: 'outputs must list at least one output' })),
});

export type RawOutput = z.output<typeof outputSchema>;
export type RawOnChange = z.output<typeof onChange>;
