#!/usr/bin/env bash
# Ensures redis-server is available for the Redis cache tests (test/support/redis.ts
# starts a private instance per test file). Idempotent: does nothing if present.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y redis-server
