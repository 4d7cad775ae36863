#!/usr/bin/env bash
# Ensures the Debian packages the tests run are available: redis-server for the Redis cache
# tests (test/support/redis.ts starts a private instance per test file) and promtool (package
# `prometheus`) for the metrics tests. Idempotent: installs only what is missing, running
# apt-get update once.
set -euo pipefail

# command → Debian package
declare -A NEEDED=([redis-server]=redis-server [promtool]=prometheus)
missing=()
for cmd in "${!NEEDED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEEDED[$cmd]}")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# --no-install-recommends: promtool is all the tests need from `prometheus`.
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
