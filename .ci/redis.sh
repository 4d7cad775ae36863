#!/usr/bin/env bash
# Ensures the Debian packages the tests run are present: redis-server (TLS-enabled in Debian),
# redis-sentinel and redis-cli (redis-tools) for the Redis tests (test/support/redis.ts and
# test/support/redis-servers.ts start private instances per test file), the openssl CLI
# (throwaway CA and certificates), promtool (package `prometheus`) for the metrics tests, and a C
# compiler with libc headers (gcc, libc6-dev) for the native start (scripts/native/snapshot-exec.c).
# Idempotent: installs only what is missing, running apt-get update once.
set -euo pipefail

# command → Debian package
declare -A NEEDED=([redis-server]=redis-server [redis-sentinel]=redis-sentinel [redis-cli]=redis-tools [openssl]=openssl [promtool]=prometheus)
missing=()
for cmd in "${!NEEDED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEEDED[$cmd]}")
done
# A compiler alone is not enough: gcc only recommends the libc headers.
if ! printf '#include <stdio.h>\n#include <sys/stat.h>\n' | cc -E - >/dev/null 2>&1; then missing+=(gcc libc6-dev); fi
[ "${#missing[@]}" -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# --no-install-recommends: promtool is all the tests need from `prometheus`.
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
