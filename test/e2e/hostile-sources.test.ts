/**
 * Hostile artifact sources against the real process (issue 9, item 2). A good, signed
 * artifact is loaded first; then the loopback source misbehaves in every way we can think
 * of. For each: the agent keeps serving the last good snapshot, /v1/health names the
 * failure by its stable code, memory stays bounded, and the process never dies.
 *
 * The agent runs with every acceptance rule switched on (verify key, identity/environment
 * binding, anti-rollback), a 0.2 s poll interval and a 1 s fetch budget, so each case
 * settles within a poll or two. Between cases the good artifact comes back and the test
 * waits for health to clear, so failures never accumulate into a long backoff.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { LoopbackServer } from '../support/fakes/loopback-server';
import { newEd25519Keys, packAge, revocationMarker, type Tree } from '../support/pack';
import { AGE_KEY_FILE, VECTORS_DIR } from '../support/vectors';
import { startAgent, stopAllAgents, type AgentProcess } from '../support/agent-process';

const RECIPIENT = readFileSync(path.join(VECTORS_DIR, 'keys/age.pub'), 'utf8').trim();
const IDENTITY = 'hostile-svc';
const ENVIRONMENT = 'production';
const ARTIFACT_PATH = '/artifact.age.json';
const MiB = 1024 * 1024;
const DEFAULT_CAP = 5 * MiB; // DEFAULT_MAX_ARTIFACT_BYTES: the agent runs with the default cap
const RSS_BOUND_BYTES = 200 * MiB;

const GOOD: Tree = { app: { DB_PASSWORD: 'hostile-good-password-0001', API_KEY: 'hostile-good-api-key-0002' } };
const EVIL: Tree = { app: { DB_PASSWORD: 'attacker-chosen-password-666', API_KEY: 'attacker-chosen-api-key-666' } };
const GOOD_REVISION_MS = Date.now();
const GOOD_REVISION = `${GOOD_REVISION_MS}-a11ce000`;
/** What the agent must be serving between and during the cases. */
const current = { tree: GOOD, revision: GOOD_REVISION, document: '' };

type Health = {
  status: string;
  ready: boolean;
  revision: string | null;
  servedFrom: string | null;
  lastError: { code: string; message: string } | null;
};

/** How the source answers while no LoopbackServer fault is set. */
type Behaviour =
  | { kind: 'serve'; body: Buffer }
  /** Headers at once, then one byte every 20 ms, forever. */
  | { kind: 'drip' }
  /** Declares `declared` bytes, sends `sent`, then drops the connection. */
  | { kind: 'truncated'; declared: number; sent: number }
  /** Filler as fast as the client reads it, never ending; optionally with a (lying) Content-Length. */
  | { kind: 'endless'; declareLength?: number }
  /** Redirects the artifact path to itself. */
  | { kind: 'redirect-loop' }
  /** Redirects to /hop/1, /hop/2, … forever (so the hops can be counted). */
  | { kind: 'redirect-chain' };

/** A source server whose behaviour the test switches; it counts every byte it streams. */
class HostileSource {
  behaviour: Behaviour = { kind: 'serve', body: Buffer.alloc(0) };
  /** Bytes handed to sockets by `endless` responses, per response, once each closed. */
  readonly streamed: number[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(readonly http: LoopbackServer) {}

  static async start(): Promise<HostileSource> {
    let self!: HostileSource;
    const http = await LoopbackServer.start((req, res) => self.handle(req, res));
    self = new HostileSource(http);
    return self;
  }

  get url(): string {
    return this.http.origin + ARTIFACT_PATH;
  }

  publish(document: string | Buffer): void {
    this.behaviour = { kind: 'serve', body: Buffer.isBuffer(document) ? document : Buffer.from(document, 'utf8') };
  }

  /** Number of requests the agent has made so far. */
  get requests(): number {
    return this.http.log.length;
  }

  async close(): Promise<void> {
    this.timers.forEach(clearInterval);
    await this.http.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const b = this.behaviour;
    const hop = /^\/hop\/(\d+)$/.exec(req.url ?? '');
    if (b.kind === 'redirect-chain' && (hop || req.url === ARTIFACT_PATH)) {
      res.writeHead(307, { location: `/hop/${hop ? Number(hop[1]) + 1 : 1}` });
      return void res.end();
    }
    if (req.url !== ARTIFACT_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return void res.end('not found');
    }
    switch (b.kind) {
      case 'serve': {
        const etag = `"${createHash('sha256').update(b.body).digest('hex').slice(0, 32)}"`;
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304, { etag });
          return void res.end();
        }
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(b.body.length), etag });
        return void res.end(b.body);
      }
      case 'drip': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => res.write('{'), 20);
        this.timers.add(timer);
        res.on('close', () => {
          clearInterval(timer);
          this.timers.delete(timer);
        });
        return;
      }
      case 'truncated': {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(b.declared) });
        res.write(Buffer.alloc(b.sent, 0x7b), () => res.socket?.destroy());
        return;
      }
      case 'endless':
        return this.endless(res, b.declareLength);
      case 'redirect-loop':
        res.writeHead(302, { location: ARTIFACT_PATH });
        return void res.end();
      case 'redirect-chain':
        return; // answered above
    }
  }

  /** Honours backpressure, so `written` is what the client actually pulled (plus socket buffers). */
  private endless(res: ServerResponse, declareLength: number | undefined): void {
    res.writeHead(200, { 'content-type': 'application/json', ...(declareLength !== undefined ? { 'content-length': String(declareLength) } : {}) });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let written = 0;
    let closed = false;
    res.on('close', () => {
      closed = true;
      this.streamed.push(written);
    });
    const pump = (): void => {
      while (!closed) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    pump();
  }
}

let source: HostileSource;
let agent: AgentProcess;
const keys = newEd25519Keys();
const otherKeys = newEd25519Keys();

const health = async (): Promise<Health> => (await agent.get('/v1/health')).json<Health>();
const waitHealth = (p: (h: Health) => boolean, timeoutMs?: number) => agent.waitFor('/v1/health', (r) => p(r.json<Health>()), timeoutMs);

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!m) throw new Error('no VmRSS in /proc status');
  return Number(m[1]) * 1024;
}

function pack(tree: Tree, opts: { identity?: string; environment?: string; revision?: string; signWith?: typeof keys.privateKey | null } = {}): Promise<string> {
  return packAge(tree, RECIPIENT, {
    identity: opts.identity ?? IDENTITY,
    environment: opts.environment ?? ENVIRONMENT,
    revision: opts.revision ?? `${GOOD_REVISION_MS + 1000}-e0e0e0e0`,
    signWith: opts.signWith === null ? undefined : (opts.signWith ?? keys.privateKey),
  });
}

/** The invariant of every case: still serving the good revision, process alive. */
async function expectStillServingGood(): Promise<void> {
  expect(agent.child.exitCode).toBeNull();
  const h = await health();
  expect(h).toMatchObject({ ready: true, revision: current.revision, status: 'degraded' });
  const secrets = await agent.authGet('/v1/secrets');
  expect(secrets.status).toBe(200);
  expect(secrets.json()).toEqual(current.tree);
  const one = await agent.authGet('/v1/secrets/app/DB_PASSWORD');
  expect(one.status).toBe(200);
  expect(one.json()).toEqual({ value: current.tree.app.DB_PASSWORD });
  expect((await agent.get('/v1/ready')).status).toBe(200);
}

/** Waits until health reports `code` from a request made after the fault was set. */
async function waitForCode(code: string, requestsBefore: number): Promise<Health> {
  const r = await waitHealth((h) => source.requests > requestsBefore && h.lastError?.code === code);
  return r.json<Health>();
}

beforeAll(async () => {
  source = await HostileSource.start();
  current.document = await pack(GOOD, { revision: GOOD_REVISION });
  source.publish(current.document);
  agent = await startAgent({
    env: {
      CLEF_AGENT_SOURCE: source.url,
      CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE,
      CLEF_AGENT_VERIFY_KEY: keys.verifyKey,
      CLEF_AGENT_IDENTITY: IDENTITY,
      CLEF_AGENT_ENVIRONMENT: ENVIRONMENT,
      CLEF_AGENT_ANTI_ROLLBACK: 'true',
      CLEF_AGENT_CACHE_TTL: '3600',
      CLEF_AGENT_POLL_INTERVAL: '0.2',
      CLEF_AGENT_FETCH_TIMEOUT: '1',
    },
  });
  await agent.waitReady();
  expect(await health()).toMatchObject({ revision: GOOD_REVISION, lastError: null });
});

afterEach(async () => {
  // Heal the source and wait until a poll confirms the good artifact again.
  source.http.fault = null;
  source.publish(current.document);
  await waitHealth((h) => h.lastError === null && h.revision === current.revision, 20_000);
});

afterAll(async () => {
  await stopAllAgents();
  await source?.close();
});

describe('transport failures keep the last good snapshot', () => {
  it.each([
    [500, 'source_unavailable'],
    [502, 'source_unavailable'],
    [503, 'source_unavailable'],
    [404, 'source_not_found'],
    [401, 'source_auth'],
    [403, 'source_auth'],
    [429, 'source_rate_limited'],
    [418, 'source_bad_response'],
  ])('HTTP %d → %s', async (status, code) => {
    const before = source.requests;
    source.http.fault = { kind: 'status', status, body: JSON.stringify(EVIL) };
    await waitForCode(code, before);
    await expectStillServingGood();
  });

  it('connection reset → source_unavailable', async () => {
    const before = source.requests;
    source.http.fault = { kind: 'reset' };
    await waitForCode('source_unavailable', before);
    expect(source.http.log.slice(before).some((e) => e.outcome === 'reset')).toBe(true);
    await expectStillServingGood();
  });

  it('a source that accepts and never answers → source_timeout (the fetch is abandoned)', async () => {
    const before = source.requests;
    source.http.fault = { kind: 'hang' };
    await waitForCode('source_timeout', before);
    await expectStillServingGood();
    // The scheduler keeps polling after a timeout: a hung fetch does not stall the chain.
    const afterFirst = source.requests;
    await waitHealth(() => source.requests >= afterFirst + 2);
  });

  it('a slow drip (headers, then a byte every 20 ms) → source_timeout', async () => {
    const before = source.requests;
    source.behaviour = { kind: 'drip' };
    await waitForCode('source_timeout', before);
    await expectStillServingGood();
  });

  it('a truncated body (Content-Length larger than what is sent, then close) → source_unavailable', async () => {
    const before = source.requests;
    source.behaviour = { kind: 'truncated', declared: 200_000, sent: 1000 };
    await waitForCode('source_unavailable', before);
    await expectStillServingGood();
  });

  it('a redirect loop → source_bad_response', async () => {
    const before = source.requests;
    source.behaviour = { kind: 'redirect-loop' };
    await waitForCode('source_bad_response', before);
    await expectStillServingGood();
  });

  it('an endless redirect chain → source_bad_response after at most 3 hops per fetch', async () => {
    const before = source.requests;
    source.behaviour = { kind: 'redirect-chain' };
    await waitForCode('source_bad_response', before);
    await expectStillServingGood();
    const hops = source.http.log.slice(before).map((e) => /^\/hop\/(\d+)$/.exec(e.path)).filter((m) => m !== null);
    expect(hops.length).toBeGreaterThan(0);
    expect(Math.max(...hops.map((m) => Number(m![1])))).toBe(3); // DEFAULT_MAX_REDIRECTS
  });
});

describe('oversize bodies are cut off, not buffered', () => {
  it('an endless body → source_too_large; the agent stops reading and memory stays bounded', async () => {
    const before = source.requests;
    const streamedBefore = source.streamed.length;
    source.behaviour = { kind: 'endless' };
    await waitForCode('source_too_large', before);
    // Let it try a few times: nothing may accumulate across attempts.
    await waitHealth(() => source.streamed.length >= streamedBefore + 3, 20_000);
    await expectStillServingGood();
    const attempts = source.streamed.slice(streamedBefore);
    const total = attempts.reduce((a, b) => a + b, 0);
    // Each attempt is cut at the cap (+ what sat in socket buffers); far from 1 GiB in total.
    for (const bytes of attempts) expect(bytes).toBeLessThan(DEFAULT_CAP + 16 * MiB);
    expect(total).toBeLessThan(128 * MiB);
    expect(rssBytes(agent.child.pid!)).toBeLessThan(RSS_BOUND_BYTES);
  });

  it('a declared Content-Length over the cap is refused from the header alone', async () => {
    const before = source.requests;
    const streamedBefore = source.streamed.length;
    source.behaviour = { kind: 'endless', declareLength: 2 * 1024 * MiB };
    await waitForCode('source_too_large', before);
    await waitHealth(() => source.streamed.length > streamedBefore);
    await expectStillServingGood();
    expect(source.streamed[streamedBefore]).toBeLessThan(DEFAULT_CAP + 16 * MiB);
    expect(rssBytes(agent.child.pid!)).toBeLessThan(RSS_BOUND_BYTES);
  });
});

describe('bad documents are rejected and never replace the good one', () => {
  it.each([
    ['invalid JSON', 'json_parse', () => Buffer.from('{"version":1,"identity":', 'utf8')],
    ['an HTML error page with 200', 'json_parse', () => Buffer.from('<html><body>Service Unavailable</body></html>', 'utf8')],
    ['an empty 200 body', 'json_parse', () => Buffer.alloc(0)],
    ['a body that is not UTF-8', 'source_bad_response', () => Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ['a JSON array', 'invalid_shape', () => Buffer.from('[1,2,3]', 'utf8')],
    ['version 2', 'unsupported_version', () => Buffer.from(JSON.stringify({ ...JSON.parse(current.document), version: 2 }), 'utf8')],
  ])('%s → %s', async (_name, code, body) => {
    const before = source.requests;
    source.publish(body());
    await waitForCode(code, before);
    await expectStillServingGood();
  });

  it('a valid signed artifact for another identity → identity_mismatch', async () => {
    const before = source.requests;
    source.publish(await pack(EVIL, { identity: 'other-svc' }));
    await waitForCode('identity_mismatch', before);
    await expectStillServingGood();
  });

  it('a valid signed artifact for another environment → identity_mismatch', async () => {
    const before = source.requests;
    source.publish(await pack(EVIL, { environment: 'staging' }));
    await waitForCode('identity_mismatch', before);
    await expectStillServingGood();
  });

  it('a revocation marker for another identity → identity_mismatch, no wipe', async () => {
    const before = source.requests;
    source.publish(revocationMarker('other-svc', ENVIRONMENT));
    await waitForCode('identity_mismatch', before);
    await expectStillServingGood();
  });

  it('an older, validly signed revision → rollback', async () => {
    const before = source.requests;
    source.publish(await pack(EVIL, { revision: `${GOOD_REVISION_MS - 60_000}-0dd0dd00` }));
    await waitForCode('rollback', before);
    await expectStillServingGood();
  });

  it('an artifact signed by another key → signature_invalid', async () => {
    const before = source.requests;
    source.publish(await pack(EVIL, { signWith: otherKeys.privateKey }));
    await waitForCode('signature_invalid', before);
    await expectStillServingGood();
  });

  it('an unsigned artifact while a verify key is set → signature_missing', async () => {
    const before = source.requests;
    source.publish(await pack(EVIL, { signWith: null }));
    await waitForCode('signature_missing', before);
    await expectStillServingGood();
  });

  it('swapped ciphertext under the good signature → integrity', async () => {
    const before = source.requests;
    const forged = JSON.parse(current.document) as Record<string, unknown>;
    forged.ciphertext = (JSON.parse(await pack(EVIL, { signWith: null })) as { ciphertext: string }).ciphertext;
    source.publish(JSON.stringify(forged, null, 2));
    await waitForCode('integrity', before);
    await expectStillServingGood();
  });
});

describe('after all of the above', () => {
  it('the process is alive, still polling, never served an attacker value, and logged no crash', async () => {
    expect(agent.child.exitCode).toBeNull();
    expect(agent.child.signalCode).toBeNull();
    const before = source.requests;
    await waitHealth(() => source.requests >= before + 2);
    expect(await health()).toMatchObject({ status: 'ok', ready: true, revision: current.revision, lastError: null });
    expect(rssBytes(agent.child.pid!)).toBeLessThan(RSS_BOUND_BYTES);
    const out = agent.output;
    for (const v of [...Object.values(EVIL.app), ...Object.values(GOOD.app)]) expect(out).not.toContain(v);
    expect(out).not.toMatch(/uncaught|unhandled|FATAL ERROR|heap out of memory/i);
  });

  it('a newer good revision is still accepted (the failures did not wedge the pipeline)', async () => {
    const NEXT: Tree = { app: { DB_PASSWORD: 'hostile-next-password-0003', API_KEY: 'hostile-next-api-key-0004' } };
    const next = { tree: NEXT, revision: `${GOOD_REVISION_MS + 5000}-beef0001`, document: '' };
    next.document = await pack(NEXT, { revision: next.revision });
    source.publish(next.document);
    await waitHealth((h) => h.revision === next.revision && h.lastError === null);
    expect((await agent.authGet('/v1/secrets')).json()).toEqual(NEXT);
    Object.assign(current, next); // the old good revision would now be a rollback
  });
});
