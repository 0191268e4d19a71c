#!/bin/bash
# Inside the rig: meson test in each build directory. Every build runs even
# when an earlier one failed, so the summary counts them all.
set -uo pipefail
status=0
for build in "$@"; do
  echo "=== meson test in $build"
  meson test -C "$build" --print-errorlogs --num-processes 2 || status=1
done
exit $status
