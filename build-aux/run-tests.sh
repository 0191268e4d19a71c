#!/bin/bash
# Runs the whole suite in each build directory given, inside one test rig
# (tests/rig/with-rig: keyring, Xvfb, Postfix), then prints one line,
# "N passed, N failed", counted from meson's test logs over all builds.
#
#   build-aux/run-tests.sh BUILDDIR [BUILDDIR…]
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
[[ $# -ge 1 ]] || { echo "usage: $0 BUILDDIR [BUILDDIR…]" >&2; exit 64; }

first_build="$1"
summary="$first_build/test-summary.txt"
rm -f "$summary"
# A log left by an earlier run must never be counted as this run's.
for build in "$@"; do rm -f "$build/meson-logs/testlog.json"; done

# One rig for every build: starting Postfix and the keyring once is enough.
tests/rig/with-rig build-aux/run-meson-tests.sh "$@"
status=$?

passed=0 failed=0
for build in "$@"; do
  log="$build/meson-logs/testlog.json"
  [[ -f "$log" ]] || { echo "run-tests: no test log in $build" >&2; failed=$((failed + 1)); continue; }
  read -r p f < <(/usr/bin/python3 - "$log" <<'PY'
import json, sys
p = f = 0
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if not line:
        continue
    r = json.loads(line)
    if r.get("result") in ("OK", "EXPECTEDFAIL"):
        p += 1
    elif r.get("result") != "SKIP":
        f += 1
print(p, f)
PY
)
  passed=$((passed + p)); failed=$((failed + f))
done

line="$passed passed, $failed failed"
echo "$line" > "$summary"
[[ $passed -eq 0 ]] && status=1
[[ $failed -ne 0 ]] && status=1
echo "$line"
exit $status
