# syntax=docker/dockerfile:1
# clef-agent container image: the esbuild bundle on distroless Node 20.
#   docker build -t clef-agent .
# Runtime stage: no shell, no package manager, non-root (65532). The API binds 127.0.0.1
# only, so there is nothing to EXPOSE: run it as a sidecar sharing the app's network
# namespace, and use exec probes (`clef-agent probe ready|health`, see docs/DEPLOY.md).

# The full (not -slim) image: it has the C compiler the native start is built with.
FROM node:20-bookworm AS build
WORKDIR /src
# Dependencies first (cached layer); --ignore-scripts: no install hooks of third-party packages run.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
COPY examples/demo ./examples/demo
# Type-check, then bundle: /out/bin/clef-agent is the native start (scripts/native/
# snapshot-exec.c: it starts distroless's node from the V8 startup snapshot when the snapshot's
# stamp matches, else the plain launcher; it needs no shell, for exec probes and ECS health
# checks), /out/lib/clef-agent the launcher, the agent, its optional SDK chunks and the
# snapshot's entry.
RUN npx tsc --noEmit -p tsconfig.build.json \
 && node scripts/bundle.js /out/bin/clef-agent --exec /nodejs/bin/node --snapshot-entry

# V8 code cache (bench/RESULTS.md, S3: most of a cold start is compiling the bundle) and V8
# startup snapshot (issue 20: module evaluation done at build time). Both must be made by the
# runtime's own node binary with the runtime's flags, so this stage is the runtime image,
# with the same NODE_OPTIONS. The trainer runs the demo artifact only; the snapshot holds
# evaluated modules, nothing of the environment (scripts/build-snapshot.js), and its stamp
# records this node and these NODE_OPTIONS for the native start to compare at every start.
# The code cache stays for starts the snapshot cannot serve (other NODE_OPTIONS).
FROM gcr.io/distroless/nodejs20-debian12:nonroot AS train
COPY --from=build --chown=65532:65532 /out /out
ENV NODE_OPTIONS="--max-semi-space-size=2 --v8-pool-size=1"
RUN --mount=type=bind,from=build,source=/src,target=/src ["/nodejs/bin/node", "/src/scripts/train-code-cache.js", "/out/lib/clef-agent/launcher.js", "/src/examples/demo/demo.age.json", "/src/examples/demo/age.key"]
RUN --mount=type=bind,from=build,source=/src,target=/src ["/nodejs/bin/node", "/src/scripts/build-snapshot.js", "/out/lib/clef-agent", "/out/lib/clef-agent/launcher.js"]

FROM gcr.io/distroless/nodejs20-debian12:nonroot
# Owned by root, modes 0755 (launcher) / 0644 (code) from the build: the agent cannot
# modify itself or its code cache.
COPY --from=train /out/lib/clef-agent /usr/local/lib/clef-agent
COPY --from=train /out/bin/clef-agent /usr/local/bin/clef-agent
USER 65532:65532
# A small V8 young generation: the agent's garbage is short-lived response bookkeeping, and
# the default semi-space lets RSS grow ~20 MiB under load for nothing (bench/RESULTS.md, S4).
# One V8 worker thread instead of one per core: a sidecar's GC and compile work is small, and
# each thread's stack and arena is RSS every pod pays (bench/RESULTS.md, "Heap settings").
# The code cache and the snapshot above were made with exactly these flags: change both
# together (and the systemd unit, deploy/systemd/clef-agent.service, which uses the same).
# Other NODE_OPTIONS at run time (e.g. --max-old-space-size) still start: without the
# snapshot, and the agent.startup log line says so (docs/DEPLOY.md).
ENV NODE_OPTIONS="--max-semi-space-size=2 --v8-pool-size=1"
ENTRYPOINT ["/usr/local/bin/clef-agent"]
CMD ["run"]
