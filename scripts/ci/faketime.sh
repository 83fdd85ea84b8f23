#!/usr/bin/env bash
# Ensures Debian's faketime is installed (for running the unit tests under a clock a year ahead).
# Idempotent: a no-op when it is already there.
set -euo pipefail

if command -v faketime >/dev/null 2>&1; then
  exit 0
fi
[[ "$(id -u)" == 0 ]] || {
  echo "faketime.sh: faketime is missing and installing it needs root" >&2
  exit 1
}
echo "faketime.sh: installing Debian's faketime (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp /tmp/careloop-faketime-apt.XXXXXX.log)"
if ! { apt-get -o DPkg::Lock::Timeout=300 update -qq &&
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends faketime; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "faketime.sh: apt-get failed (log above)" >&2
  exit 1
fi
rm -f "$log"
command -v faketime >/dev/null 2>&1 || {
  echo "faketime.sh: apt-get succeeded but faketime is missing" >&2
  exit 1
}
