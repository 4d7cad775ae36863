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
# Type-check, then bundle into one file whose shebang is distroless's node, so it runs as
# /usr/local/bin/clef-agent without a shell (exec probes, ECS health checks).
RUN npx tsc --noEmit -p tsconfig.build.json \
 && node scripts/bundle.js /out/clef-agent /nodejs/bin/node

FROM gcr.io/distroless/nodejs20-debian12:nonroot
# Owned by root, mode 0755 from the build stage: the agent cannot modify itself.
COPY --from=build /out/clef-agent /usr/local/bin/clef-agent
USER 65532:65532
# A small V8 young generation: the agent's garbage is short-lived response bookkeeping, and
# the default semi-space lets RSS grow ~20 MiB under load for nothing (bench/RESULTS.md, S4).
ENV NODE_OPTIONS=--max-semi-space-size=2
ENTRYPOINT ["/usr/local/bin/clef-agent"]
CMD ["run"]
