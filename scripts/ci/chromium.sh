#!/usr/bin/env bash
# Ensures Debian's chromium is installed at /usr/bin/chromium (for playwright-core in e2e/).
# Idempotent: a no-op when it is already there. Never use `npx playwright install` (no network).
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
  exit 0
fi
[[ "$(id -u)" == 0 ]] || {
  echo "chromium.sh: /usr/bin/chromium is missing and installing it needs root" >&2
  exit 1
}
echo "chromium.sh: installing Debian's chromium (apt-get, ~30 s)" >&2
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp /tmp/careloop-chromium-apt.XXXXXX.log)"
if ! { apt-get -o DPkg::Lock::Timeout=300 update -qq &&
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq chromium; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "chromium.sh: apt-get failed (log above)" >&2
  exit 1
fi
rm -f "$log"
[[ -x /usr/bin/chromium ]] || {
  echo "chromium.sh: apt-get succeeded but /usr/bin/chromium is missing" >&2
  exit 1
}
/usr/bin/chromium --version 2>/dev/null
