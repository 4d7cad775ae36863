/**
 * deploy/kubernetes/files-sidecar.yaml (secrets as files, docs/FILES.md), checked without a
 * cluster: the manifest parsed as Kubernetes reads it (YAML 1.1), the wiring between the
 * agent, the shared in-memory emptyDir and nginx, and the example's own outputs file run
 * through the real agent (`render --once`, paths moved under a temp dir).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { packAge } from '../support/pack';
import { AGE_KEY_FILE, VECTORS_DIR } from '../support/vectors';
import { runAgentToExit } from '../support/agent-process';

const ROOT = path.resolve(__dirname, '../..');
/** Manifest objects are walked loosely; the assertions below are the schema. */
type Obj = Record<string, any>;

const docs = parseAllDocuments(readFileSync(path.join(ROOT, 'deploy/kubernetes/files-sidecar.yaml'), 'utf8'), { version: '1.1' });
const objects = docs.map((d) => d.toJS() as Obj);
const configMap = objects.find((o) => o.kind === 'ConfigMap')!;
const pod = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec as Obj;
const [init, sidecar] = pod.initContainers as Obj[];
const nginx = (pod.containers as Obj[])[0];
const mountOf = (c: Obj, volume: string) => (c.volumeMounts as Obj[]).find((m) => m.name === volume)!;
const envOf = (c: Obj) => Object.fromEntries((c.env as Obj[]).map((e) => [e.name, e.value]));

it('parses cleanly as YAML 1.1: Secret, ConfigMap, Deployment', () => {
  for (const d of docs) expect(d.errors).toEqual([]);
  expect(objects.map((o) => o.kind)).toEqual(['Secret', 'ConfigMap', 'Deployment']);
});

it('renders once before nginx starts, then keeps the files current as a native sidecar with no listener', () => {
  expect(init.args).toEqual(['render', '--once']);
  expect(init.restartPolicy).toBeUndefined();
  expect(sidecar.restartPolicy).toBe('Always');
  expect(sidecar.args).toEqual(['run']);
  for (const agent of [init, sidecar]) {
    const env = envOf(agent);
    expect(env.CLEF_AGENT_TCP).toBe('false');
    expect(env.CLEF_AGENT_TOKEN ?? env.CLEF_AGENT_TOKEN_FILE).toBeUndefined();
    expect(env.CLEF_AGENT_FILES).toBe(path.posix.join(mountOf(agent, 'clef-files-config').mountPath, 'files.yaml'));
    expect(env.CLEF_AGENT_AGE_KEY_FILE).toBe(path.posix.join(mountOf(agent, 'clef-key').mountPath, 'age.key'));
    expect(agent.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  }
});

it('shares an in-memory emptyDir with nginx, which reads the rendered key and is signalled through its pid file', () => {
  const tls = (pod.volumes as Obj[]).find((v) => v.name === 'tls')!;
  expect(tls.emptyDir.medium).toBe('Memory');
  expect(mountOf(nginx, 'tls')).toMatchObject({ mountPath: mountOf(sidecar, 'tls').mountPath, readOnly: true });
  expect(pod.shareProcessNamespace).toBe(true);
  const outputs = parseYaml(configMap.data['files.yaml']).outputs as Obj[];
  const nginxConf = configMap.data['nginx.conf'] as string;
  for (const o of outputs) {
    expect(path.posix.dirname(o.path)).toBe(mountOf(sidecar, 'tls').mountPath);
    expect(nginxConf).toContain(o.path);
    expect(nginxConf).toContain(`pid ${o.on_change.pid_file};`);
    expect(path.posix.dirname(o.on_change.pid_file)).toBe(mountOf(nginx, 'nginx-run').mountPath);
  }
});

it("the example's outputs file works with the real agent", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'clef-deploy-files-'));
  try {
    const files = path.join(dir, 'files.yaml');
    writeFileSync(files, (configMap.data['files.yaml'] as string).replaceAll('/run/', `${dir}/run/`));
    const artifact = path.join(dir, 'artifact.json');
    const tree = { tls: { CERT_PEM: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', KEY_PEM: '-----BEGIN PRIVATE KEY-----\nMC4C\n-----END PRIVATE KEY-----\n' } };
    writeFileSync(artifact, await packAge(tree, readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim()));
    const r = await runAgentToExit({ CLEF_AGENT_SOURCE: artifact, CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_FILES: files, CLEF_AGENT_TCP: 'false', CLEF_AGENT_TOKEN: undefined }, ['render', '--once']);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(dir, 'run/secrets/tls/server.key'), 'utf8')).toBe(tree.tls.KEY_PEM);
    expect(readFileSync(path.join(dir, 'run/secrets/tls/server.crt'), 'utf8')).toBe(tree.tls.CERT_PEM);
    expect(statSync(path.join(dir, 'run/secrets/tls/server.key')).mode & 0o777).toBe(0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
