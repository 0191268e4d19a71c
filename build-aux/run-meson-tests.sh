#!/bin/bash
# Inside the rig: meson test in each build directory. Every build runs even
# when an earlier one failed, so the summary counts them all.
set -uo pipefail
status=0
cpu_file="$(mktemp)"
trap 'rm -f "$cpu_file"' EXIT
# The plain build's tests mostly wait (for Postfix, timers, windows): two at
# a time used about half of the 2 cores' time (the CPU line below), so three
# run at once. The ASan half stays at two until its own line says otherwise.
processes_for () {
  if grep -q '"name": "b_sanitize", "value": "none"' "$1/meson-info/intro-buildoptions.json" 2>/dev/null; then
    echo 3
  else
    echo 2
  fi
}
for build in "$@"; do
  start=$(date +%s)
  processes="$(processes_for "$build")"
  echo "=== meson test in $build, $processes at a time, from $(date -u +%T) UTC"
  meson test -C "$build" --print-errorlogs --num-processes "$processes" || status=1
  # The CPU the tests used (user and system, all builds so far): beside the
  # wall time, it says how much of the two cores the suite keeps busy.
  times > "$cpu_file"
  echo "=== meson test in $build took $(( $(date +%s) - start )) s; CPU of the tests so far (user, system): $(tail -1 "$cpu_file")"
done
exit $status
