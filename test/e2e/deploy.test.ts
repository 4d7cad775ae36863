/**
 * The deployment files, checked without a cluster or a Docker engine: manifests parsed
 * with `yaml` (YAML 1.1, as Kubernetes reads them) and schema-checked with zod, the ECS
 * task definition, the systemd unit (and `systemd-analyze verify` where installed), and the
 * Dockerfile's structure. The image's entrypoint itself (the native start, exec'd without a
 * shell, starting the V8 snapshot built with the image's NODE_OPTIONS) is run for real.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { AGE_KEY_FILE, vectorPath } from '../support/vectors';
import { freePort, httpGet } from '../support/agent-process';

const ROOT = path.resolve(__dirname, '../..');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');
const AGENT_BIN = '/usr/local/bin/clef-agent';

const execProbe = (target: 'ready' | 'health') =>
  z.object({ exec: z.object({ command: z.tuple([z.literal(AGENT_BIN), z.literal('probe'), z.literal(target)]) }).strict(), timeoutSeconds: z.number().min(2) }).loose();
const hardened = z.object({
  runAsNonRoot: z.literal(true),
  readOnlyRootFilesystem: z.literal(true),
  allowPrivilegeEscalation: z.literal(false),
  capabilities: z.object({ drop: z.array(z.literal('ALL')).length(1) }),
});
const envVar = z.object({ name: z.string(), value: z.string().optional(), valueFrom: z.unknown().optional() });
const agentContainer = z
  .object({
    name: z.literal('clef-agent'),
    image: z.string().min(1),
    args: z.tuple([z.literal('run')]),
    env: z.array(envVar),
    readinessProbe: execProbe('ready'),
    livenessProbe: execProbe('health'),
    securityContext: hardened,
    volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string(), readOnly: z.literal(true) })),
  })
  .loose();
const appContainer = z.object({ name: z.literal('app'), env: z.array(envVar), securityContext: hardened }).loose();
const podSpec = z
  .object({
    automountServiceAccountToken: z.literal(false),
    securityContext: z.object({ runAsNonRoot: z.literal(true), runAsUser: z.number().positive() }).loose(),
    volumes: z.array(z.object({ name: z.string(), secret: z.object({ secretName: z.string(), defaultMode: z.literal(0o440) }) })),
  })
  .loose();

function manifest(file: string) {
  const docs = parseAllDocuments(read(file), { version: '1.1' });
  for (const d of docs) expect(d.errors).toEqual([]);
  const objects = docs.map((d) => d.toJS() as { kind: string; metadata: { name: string } } & Record<string, unknown>);
  expect(objects.map((o) => o.kind)).toEqual(['Secret', 'Deployment']);
  const secret = objects[0] as unknown as { metadata: { name: string }; stringData: Record<string, string> };
  const spec = podSpec.parse((objects[1] as unknown as { spec: { template: { spec: unknown } } }).spec.template.spec) as z.infer<typeof podSpec> & {
    containers: unknown[];
    initContainers?: unknown[];
  };
  return { text: read(file), secret, spec };
}

/** What both variants must get right, whichever list the agent is in. */
function checkWiring(agent: z.infer<typeof agentContainer>, app: z.infer<typeof appContainer>, spec: z.infer<typeof podSpec>, secretName: string, secretKeys: string[]): void {
  const env = Object.fromEntries(agent.env.map((e) => [e.name, e.value]));
  expect(env.CLEF_AGENT_SOURCE).toMatch(/^https:\/\//);
  const mount = agent.volumeMounts[0];
  expect(spec.volumes.find((v) => v.name === mount.name)?.secret.secretName).toBe(secretName);
  for (const [variable, key] of [['CLEF_AGENT_TOKEN_FILE', 'token'], ['CLEF_AGENT_AGE_KEY_FILE', 'age.key']]) {
    expect(env[variable]).toBe(path.posix.join(mount.mountPath, key));
    expect(secretKeys).toContain(key);
  }
  const appEnv = Object.fromEntries(app.env.map((e) => [e.name, e]));
  expect(appEnv.CLEF_ENDPOINT.value).toBe(`http://127.0.0.1:${env.CLEF_AGENT_PORT}`);
  expect(appEnv.CLEF_AGENT_TOKEN.valueFrom).toEqual({ secretKeyRef: { name: secretName, key: 'token' } });
}

describe('Kubernetes', () => {
  it.each(['native-sidecar.yaml', 'classic-sidecar.yaml'])('%s never uses httpGet/tcpSocket probes (the API is loopback-only, D15)', (file) => {
    const text = read(`deploy/kubernetes/${file}`);
    expect(text).not.toMatch(/^\s*(httpGet|tcpSocket|grpc):/m);
  });

  it('native sidecar: an init container with restartPolicy Always, gated by a startupProbe', () => {
    const { spec, secret } = manifest('deploy/kubernetes/native-sidecar.yaml');
    expect(spec.initContainers).toHaveLength(1);
    const raw = spec.initContainers![0] as Record<string, unknown>;
    expect(raw.restartPolicy).toBe('Always');
    const agent = agentContainer.extend({ restartPolicy: z.literal('Always'), startupProbe: execProbe('ready') }).parse(raw);
    expect(spec.containers).toHaveLength(1);
    checkWiring(agent, appContainer.parse(spec.containers[0]), spec, secret.metadata.name, Object.keys(secret.stringData));
  });

  it('classic sidecar: the agent is a second regular container', () => {
    const { spec, secret } = manifest('deploy/kubernetes/classic-sidecar.yaml');
    expect(spec.initContainers).toBeUndefined();
    const byName = Object.fromEntries((spec.containers as Array<{ name: string }>).map((c) => [c.name, c]));
    const agent = agentContainer.parse(byName['clef-agent']);
    expect((byName['clef-agent'] as Record<string, unknown>).restartPolicy).toBeUndefined();
    checkWiring(agent, appContainer.parse(byName.app), spec, secret.metadata.name, Object.keys(secret.stringData));
  });
});

describe('Kubernetes scrape configuration (issue 19)', () => {
  function agentOf(file: string) {
    const docs = parseAllDocuments(read(file), { version: '1.1' }).map((d) => d.toJS() as Record<string, any>);
    const deployment = docs.find((d) => d.kind === 'Deployment')!;
    const pod = deployment.spec.template;
    const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers] as Array<Record<string, any>>;
    return { deployment, pod, agent: containers.find((c) => c.name === 'clef-agent')! };
  }

  it.each(['native-sidecar.yaml', 'classic-sidecar.yaml'])('%s: metrics on the pod IP, annotated for scraping, the API still on loopback', (file) => {
    const { pod, agent } = agentOf(`deploy/kubernetes/${file}`);
    const env = Object.fromEntries((agent.env as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
    const [host, port] = env.CLEF_AGENT_METRICS_ADDRESS.split(':');
    expect(host).toBe('0.0.0.0');
    expect(agent.ports).toEqual([{ name: 'metrics', containerPort: Number(port) }]);
    expect(pod.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': port, 'prometheus.io/path': '/metrics' });
    expect(Number(port)).not.toBe(Number(env.CLEF_AGENT_PORT));
  });

  it('the PodMonitor selects the Deployment\'s pods and scrapes the named metrics port', () => {
    const docs = parseAllDocuments(read('deploy/kubernetes/podmonitor.yaml'), { version: '1.1' });
    for (const d of docs) expect(d.errors).toEqual([]);
    const monitor = docs[0].toJS() as { apiVersion: string; kind: string; spec: { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: Array<{ port: string; path: string }> } };
    expect([monitor.apiVersion, monitor.kind]).toEqual(['monitoring.coreos.com/v1', 'PodMonitor']);
    for (const file of ['native-sidecar.yaml', 'classic-sidecar.yaml']) {
      const { pod } = agentOf(`deploy/kubernetes/${file}`);
      expect(pod.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    }
    expect(monitor.spec.podMetricsEndpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
  });
});

describe('Prometheus alerting rules', () => {
  it('pass promtool check rules and use only series the agent exports', () => {
    const file = path.join(ROOT, 'deploy/prometheus/clef-agent-alerts.yaml');
    const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    const used = new Set(read('deploy/prometheus/clef-agent-alerts.yaml').match(/\bclef_agent_[a-z_]+/g));
    const known = ['clef_agent_ready', 'clef_agent_refresh_last_success_timestamp_seconds', 'clef_agent_poll_interval_seconds', 'clef_agent_artifact_expires_in_seconds', 'clef_agent_refresh_errors_total', 'clef_agent_serving_status', 'clef_agent_kms_calls_total', 'clef_agent_file_renders_total', 'clef_agent_file_actions_total'];
    expect([...used].sort()).toEqual(known.sort());
  });
});

describe('ECS task definition', () => {
  const healthCheck = z
    .object({
      command: z.tuple([z.literal('CMD'), z.literal(AGENT_BIN), z.literal('probe'), z.literal('ready')]),
      interval: z.number().int().min(5).max(300),
      timeout: z.number().int().min(2).max(60),
      retries: z.number().int().min(1).max(10),
      startPeriod: z.number().int().min(0).max(300),
    })
    .strict();
  const taskDefinition = z
    .object({
      family: z.string(),
      networkMode: z.literal('awsvpc'), // containers share 127.0.0.1
      containerDefinitions: z.array(z.object({ name: z.string(), image: z.string(), essential: z.boolean() }).loose()).length(2),
    })
    .loose();

  it('parses; the sidecar has a probe-ready healthCheck and the app waits for HEALTHY', () => {
    const task = taskDefinition.parse(JSON.parse(read('deploy/ecs/task-definition.json')));
    const [agent, app] = task.containerDefinitions as Array<Record<string, unknown>>;
    expect(agent).toMatchObject({ name: 'clef-agent', essential: true, readonlyRootFilesystem: true, command: ['run'] });
    expect(String(agent.user)).not.toMatch(/^(0|root)(:|$)/);
    healthCheck.parse(agent.healthCheck);
    expect(app.dependsOn).toEqual([{ containerName: 'clef-agent', condition: 'HEALTHY' }]);
    const secretOf = (c: Record<string, unknown>) => (c.secrets as Array<{ name: string; valueFrom: string }>).find((s) => s.name === 'CLEF_AGENT_TOKEN')?.valueFrom;
    expect(secretOf(app)).toBeDefined();
    expect(secretOf(app)).toBe(secretOf(agent));
  });
});

describe('systemd unit', () => {
  const text = read('deploy/systemd/clef-agent.service');
  const settings = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) settings.set(m[1], [...(settings.get(m[1]) ?? []), m[2]]);
  }
  const one = (k: string) => settings.get(k)?.at(-1);

  it('is hardened, keeps secrets in credentials, reloads on SIGHUP', () => {
    for (const [k, v] of Object.entries({ DynamicUser: 'yes', ProtectSystem: 'strict', PrivateTmp: 'yes', NoNewPrivileges: 'yes', IPAddressAllow: 'localhost', StateDirectory: 'clef-agent', CapabilityBoundingSet: '' })) {
      expect([k, one(k)]).toEqual([k, v]);
    }
    expect(one('RestrictAddressFamilies')!.split(' ')).toEqual(expect.arrayContaining(['AF_INET', 'AF_UNIX']));
    expect(settings.has('MemoryDenyWriteExecute')).toBe(false); // V8's JIT needs W+X memory
    expect(text).toMatch(/#[^\n]*MemoryDenyWriteExecute[^\n]*V8/);
    expect(settings.get('LoadCredential')).toEqual(expect.arrayContaining(['token:/etc/clef-agent/token']));
    expect(settings.get('Environment')).toEqual(expect.arrayContaining(['CLEF_AGENT_TOKEN_FILE=%d/token', 'CLEF_AGENT_CACHE_PATH=%S/clef-agent']));
    expect(one('ExecStart')).toBe(`${AGENT_BIN} run`);
    expect(one('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(one('RestartPreventExitStatus')).toBe('2');
  });

  it('passes systemd-analyze verify when systemd is installed', () => {
    const probe = spawnSync('systemd-analyze', ['--version']);
    if (probe.error) return; // no systemd on this machine: the structural checks above still ran
    const dir = mkdtempSync(path.join(tmpdir(), 'clef-unit-'));
    try {
      const unit = path.join(dir, 'clef-agent.service');
      writeFileSync(unit, text.replaceAll(AGENT_BIN, process.execPath)); // verify wants an existing ExecStart
      const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stderr.split('\n').filter((l) => l.includes('clef-agent.service'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Dockerfile', () => {
  /** Instructions with continuation lines joined, comments dropped. */
  const instructions = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
  const stageStarts = instructions.map((i, n) => (i.op === 'FROM' ? n : -1)).filter((n) => n >= 0);
  const build = instructions.slice(stageStarts[0], stageStarts[1]);
  const train = instructions.slice(stageStarts[1], stageStarts[2]);
  const runtime = instructions.slice(stageStarts.at(-1));
  const RUNTIME_IMAGE = 'gcr.io/distroless/nodejs20-debian12:nonroot';
  const nodeOptions = (stage: typeof runtime) => stage.filter((i) => i.op === 'ENV' && i.args.startsWith('NODE_OPTIONS=')).map((i) => i.args);
  const unquote = (value: string) => value.replace(/^"(.*)"$/, '$1');

  it('runs with the sidecar heap settings, the same as the systemd unit', () => {
    const image = unquote(nodeOptions(runtime)[0].slice('NODE_OPTIONS='.length));
    expect(image.split(' ')).toEqual(['--max-semi-space-size=2', '--v8-pool-size=1']);
    const unit = read('deploy/systemd/clef-agent.service').match(/^Environment="NODE_OPTIONS=(.*)"$/m)?.[1];
    expect(unit).toBe(image);
    // The host build for the unit stamps its snapshot with the same NODE_OPTIONS, or the unit would never start from it.
    const native = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts['build:native'];
    expect(native.match(/^NODE_OPTIONS='([^']*)' /)?.[1]).toBe(image);
  });

  it('is multi-stage: npm ci and the esbuild bundle in the build stage', () => {
    expect(stageStarts).toHaveLength(3);
    expect(build[0].args).toMatch(/^node:20\S* AS build$/);
    expect(build.some((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args))).toBe(true);
    expect(build.some((i) => i.op === 'RUN' && i.args.includes('node scripts/bundle.js /out/bin/clef-agent --exec /nodejs/bin/node --snapshot-entry'))).toBe(true);
  });

  it('trains the code cache and builds the snapshot with the runtime image\'s own node and the runtime\'s NODE_OPTIONS', () => {
    expect(train[0].args).toBe(`${RUNTIME_IMAGE} AS train`);
    expect(runtime[0].args).toBe(RUNTIME_IMAGE);
    expect(nodeOptions(train)).toEqual(nodeOptions(runtime));
    expect(nodeOptions(runtime)).toHaveLength(1);
    const run = train.filter((i) => i.op === 'RUN');
    expect(run).toHaveLength(2);
    // Exec form (distroless has no shell); the build stage's sources are only bind-mounted.
    const commands = run.map((r) => {
      const [mount, ...rest] = r.args.split(' ');
      expect(mount).toBe('--mount=type=bind,from=build,source=/src,target=/src');
      return JSON.parse(rest.join(' ')) as string[];
    });
    expect(commands).toEqual([
      ['/nodejs/bin/node', '/src/scripts/train-code-cache.js', '/out/lib/clef-agent/launcher.js', '/src/examples/demo/demo.age.json', '/src/examples/demo/age.key'],
      ['/nodejs/bin/node', '/src/scripts/build-snapshot.js', '/out/lib/clef-agent', '/out/lib/clef-agent/launcher.js'],
    ]);
  });

  it('runs distroless, non-root, with no shell needed (no RUN, exec-form entrypoint)', () => {
    expect(runtime.filter((i) => i.op === 'RUN' || i.op === 'SHELL' || i.op === 'EXPOSE' || i.op === 'ADD')).toEqual([]);
    const user = runtime.filter((i) => i.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(0|root)(:|$)/);
    // No --chown: root-owned, so the agent cannot rewrite its code or its code cache.
    expect(runtime).toContainEqual({ op: 'COPY', args: `--from=train /out/bin/clef-agent ${AGENT_BIN}` });
    expect(runtime).toContainEqual({ op: 'COPY', args: '--from=train /out/lib/clef-agent /usr/local/lib/clef-agent' });
    expect(JSON.parse(runtime.find((i) => i.op === 'ENTRYPOINT')!.args)).toEqual([AGENT_BIN]);
    expect(JSON.parse(runtime.find((i) => i.op === 'CMD')!.args)).toEqual(['run']);
  });

  it('copies only what exists and what .dockerignore lets through', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.git', 'dist', 'build']));
    const sources = build.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const src of sources) {
      expect([src, existsSync(path.join(ROOT, src))]).toEqual([src, true]);
      expect(ignored).not.toContain(src);
    }
  });

  it('the image layout (native start, lib beside it, trained code cache, snapshot) starts from the snapshot without a shell', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clef-image-'));
    try {
      // As in the Dockerfile, with this machine's node in place of /nodejs/bin/node.
      const bin = path.join(dir, 'bin/clef-agent');
      const lib = path.join(dir, 'lib/clef-agent');
      const imageNodeOptions = unquote(nodeOptions(runtime)[0].slice('NODE_OPTIONS='.length));
      const launcher = path.join(lib, 'launcher.js');
      execFileSync(process.execPath, [path.join(ROOT, 'scripts/bundle.js'), bin, '--exec', process.execPath, '--snapshot-entry'], { stdio: 'pipe' });
      const trainEnv = { PATH: process.env.PATH, NODE_OPTIONS: imageNodeOptions };
      execFileSync(process.execPath, [path.join(ROOT, 'scripts/train-code-cache.js'), launcher], { env: trainEnv, stdio: 'pipe' });
      execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-snapshot.js'), lib, launcher], { env: trainEnv, stdio: 'pipe' });
      expect(readFileSync(bin).subarray(0, 4).toString('latin1')).toBe('\x7fELF');
      // V8 accepts the cache under the image's NODE_OPTIONS.
      const accepted = `process.stdout.write(String(require(${JSON.stringify(launcher)}).compile().cachedDataRejected))`;
      expect(execFileSync(process.execPath, ['-e', accepted], { env: { NODE_OPTIONS: imageNodeOptions }, encoding: 'utf8' })).toBe('false');
      expect(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+/);
      const port = await freePort();
      const env = { CLEF_AGENT_PORT: String(port), CLEF_AGENT_TOKEN: 'image-test-token-0123456789', CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, NODE_OPTIONS: imageNodeOptions };
      const agent = spawn(bin, ['run'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      agent.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      try {
        const probe = (target: string) => spawnSync(bin, ['probe', target], { env: { CLEF_AGENT_PORT: String(port) }, encoding: 'utf8' });
        for (;;) {
          if (probe('ready').status === 0) break;
          if (agent.exitCode !== null) throw new Error(`agent exited with ${agent.exitCode}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(probe('health').stdout).toMatch(/^health: ok /);
        expect((await httpGet(port, '/v1/keys', { authorization: `Bearer ${env.CLEF_AGENT_TOKEN}` })).status).toBe(200);
        expect(stderr).toMatch(/"event":"agent.startup","startup":"snapshot"/);
      } finally {
        const exited = new Promise((r) => agent.once('exit', r));
        agent.kill('SIGTERM');
        await exited;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
