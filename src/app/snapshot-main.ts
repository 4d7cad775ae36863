import { startupSnapshot } from 'node:v8';
import { runCli } from './dispatch';
import { setStartupForm } from './startup-form';

/**
 * Entry point of the V8 startup snapshot (scripts/build-snapshot.js). When the snapshot is
 * built, this evaluates every module a `run` needs (the bundled packages, the inversify
 * decorators' class metadata, the zod schemas, Koa and the router) and V8 stores the
 * resulting heap. A start from the snapshot (`node --snapshot-blob agent.blob <launcher>
 * run`) deserializes that heap and only reads the environment, loads keys and listens.
 *
 * Nothing per-process may be evaluated here: no configuration (it reads process.env and
 * draws the agent id), no token, no randomness (node's randomUUID pool would be frozen into
 * the blob and repeat in every process), no handles (the snapshot cannot hold them). The
 * builder also runs with an empty environment, so nothing of the build machine's leaks in.
 */
declare global {
  /** Set by the snapshot prelude (scripts/snapshot-prelude.js): switches its deferred built-ins live. */
  var __clefAgentSnapshotLive: (() => void) | undefined;
}

async function build(): Promise<void> {
  await import('./commands/run');
  await import('./lifecycle/daemon');
  await import('./lifecycle/lambda-extension');
  await import('./commands/probe');
  await (await import('./snapshot-warmup')).warmUpForSnapshot();
  // The warm-up stops short of a first load: age reads through web streams, and in Node 20
  // releasing a stream reader creates a second V8 context, which node cannot snapshot. Its
  // container logs into a sink: pino's stderr destination registers a FinalizationRegistry
  // and exit listeners (bench/RESULTS.md, "Startup experiments").
}

build().catch((e: unknown) => {
  process.stderr.write(`snapshot build failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});

startupSnapshot.setDeserializeMainFunction(() => {
  globalThis.__clefAgentSnapshotLive?.();
  setStartupForm('snapshot');
  // argv is [node, <launcher>, ...]: the same shape as a plain start.
  runCli(process.argv.slice(2));
});
