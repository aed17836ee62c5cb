#!/usr/bin/env bash
# Runs the whole test suite, installing what the tests need first (as root, with apt).
# Usage: bash scripts/test.sh   (CI=true makes tests that need a missing server fail instead of skipping)
set -euo pipefail
cd "$(dirname "$0")/.."

# What the tests need from Debian: the IANA time-zone database, the real servers the storage tests start
# (throw-away instances on free loopback ports; nothing is configured system-wide), Chromium for the browser tests,
# and npm, which bundles the dashboard's page when the server is built.
missing=()
[ -e /usr/share/zoneinfo/America/New_York ] || missing+=(tzdata)
[ -x /usr/sbin/clickhouse-server ] || missing+=(clickhouse-server clickhouse-client)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    # policy-rc.d 101: install the packages without starting their system services; the tests start their own.
    own_policy=false
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=true
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    if $own_policy; then rm -f /usr/sbin/policy-rc.d; fi
  else
    echo "warning: not root, so not installing ${missing[*]}; tests that need them skip (or fail with CI=true)" >&2
  fi
fi

log=$(mktemp)
status=0
dotnet test Utmost.slnx -c Release --nologo 2>&1 | tee "$log" || status=$?

# One closing line in the plain form CI reads: "tests: N passed, N failed, N skipped".
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
