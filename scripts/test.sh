#!/usr/bin/env bash
# Runs the whole test suite, installing what the tests need first (as root, with apt).
# Usage: bash scripts/test.sh   (CI=true makes tests that need a missing server fail instead of skipping)
set -euo pipefail
cd "$(dirname "$0")/.."

# Time-zone tests need the IANA database; minimal Debian images may lack it.
if [ ! -e /usr/share/zoneinfo/America/New_York ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tzdata >/dev/null
  else
    echo "warning: tzdata is missing and this is not root; time-zone tests will fail" >&2
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
