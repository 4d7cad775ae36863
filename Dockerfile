# syntax=docker/dockerfile:1
# clef-agent container image: the esbuild bundle on distroless Node 20.
#   docker build -t clef-agent .
# Runtime stage: no shell, no package manager, non-root (65532). The API binds 127.0.0.1
# only, so there is nothing to EXPOSE: run it as a sidecar sharing the app's network
# namespace, and use exec probes (`clef-agent probe ready|health`, see docs/DEPLOY.md).

FROM node:20-bookworm-slim AS build
WORKDIR /src
# Dependencies first (cached layer); --ignore-scripts: no install hooks of third-party packages run.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
COPY examples/demo ./examples/demo
# Type-check, then bundle: /out/bin/clef-agent is the launcher (shebang: distroless's node,
# so it runs without a shell for exec probes and ECS health checks), /out/lib/clef-agent
# the agent and its optional SDK chunks.
RUN npx tsc --noEmit -p tsconfig.build.json \
 && node scripts/bundle.js /out/bin/clef-agent /nodejs/bin/node --lib /out/lib/clef-agent

# V8 code cache (bench/RESULTS.md, S3: most of a cold start is compiling the bundle). It
# must be made by the runtime's own node binary with the runtime's flags, so this stage is
# the runtime image, with the same NODE_OPTIONS; the trainer runs the demo artifact only.
FROM gcr.io/distroless/nodejs20-debian12:nonroot AS train
COPY --from=build --chown=65532:65532 /out /out
ENV NODE_OPTIONS="--max-semi-space-size=2 --v8-pool-size=1"
RUN --mount=type=bind,from=build,source=/src,target=/src ["/nodejs/bin/node", "/src/scripts/train-code-cache.js", "/out/bin/clef-agent", "/src/examples/demo/demo.age.json", "/src/examples/demo/age.key"]

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
# The code cache above was made with exactly these flags: change both together (and the
# systemd unit, deploy/systemd/clef-agent.service, which uses the same).
ENV NODE_OPTIONS="--max-semi-space-size=2 --v8-pool-size=1"
ENTRYPOINT ["/usr/local/bin/clef-agent"]
CMD ["run"]
