#!/usr/bin/env bash
# Installs what the tests need and a new machine lacks, from Debian's
# packages. Idempotent: a machine that has everything installs nothing.
# `deno task test` runs it first, so `.ci/run` passes on a clean machine.
set -euo pipefail

# Each line: a command the tests run, then the Debian package that has it.
NEEDS=(
  "chromium chromium"
  "redis-server redis-server"
)

missing=()
for need in "${NEEDS[@]}"; do
  read -r cmd pkg <<<"$need"
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "tools/setup.sh: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
