#!/usr/bin/env bash
# Ensures the Debian packages the Redis tests need are present (test/support/redis.ts and
# test/support/redis-servers.ts start private instances per test file):
# redis-server (TLS-enabled in Debian), redis-sentinel, redis-cli (redis-tools: the Sentinel
# tests ask the Sentinels who is primary) and the openssl CLI (throwaway CA and certificates).
# Idempotent: does nothing when everything is present; one `apt-get update` before installing
# whatever is missing.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-sentinel >/dev/null 2>&1 || missing+=(redis-sentinel)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
