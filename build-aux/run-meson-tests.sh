#!/bin/bash
# Inside the rig: meson test in each build directory. Every build runs even
# when an earlier one failed, so the summary counts them all.
set -uo pipefail
status=0
cpu_file="$(mktemp)"
trap 'rm -f "$cpu_file"' EXIT
for build in "$@"; do
  start=$(date +%s)
  echo "=== meson test in $build, from $(date -u +%T) UTC"
  meson test -C "$build" --print-errorlogs --num-processes 2 || status=1
  # The CPU the tests used (user and system, all builds so far): beside the
  # wall time, it says how much of the two cores the suite keeps busy.
  times > "$cpu_file"
  echo "=== meson test in $build took $(( $(date +%s) - start )) s; CPU of the tests so far (user, system): $(tail -1 "$cpu_file")"
done
exit $status
