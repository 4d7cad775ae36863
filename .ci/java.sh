#!/usr/bin/env bash
# Ensures a JDK is available: test/domain/files-formats.test.ts reads the rendered
# .properties output back with java.util.Properties (single-file source launch, which
# needs the compiler module, so a JRE is not enough). Idempotent: does nothing if present.
set -euo pipefail

if command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends default-jdk-headless
