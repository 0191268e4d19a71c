#!/bin/bash
# Inside the rig: meson test in each build directory. Every build runs even
# when an earlier one failed, so the summary counts them all.
#
#   build-aux/run-meson-tests.sh [--compile-later] BUILDDIR [BUILDDIR…]
#
# --compile-later: the builds after the first are compiled here, at the
# lowest CPU and I/O priority, while the first one's tests run: those tests
# mostly wait (Postfix, timers, windows), and the compile takes the cores'
# idle time instead of running before them (make test).
set -uo pipefail
status=0
compile_later=""
if [[ "${1:-}" == "--compile-later" ]]; then
  compile_later=1
  shift
fi
compile_pid=""
if [[ -n "$compile_later" && $# -gt 1 ]]; then
  later=("${@:2}")
  for build in "${later[@]}"; do rm -f "$build/compile-status"; done
  (
    for build in "${later[@]}"; do
      start=$(date +%s)
      if nice -n 19 ionice -c 3 meson compile -C "$build" > "$build/compile-during-tests.log" 2>&1; then
        echo "=== compiled $build beside the tests in $(( $(date +%s) - start )) s" > "$build/compile-status"
      else
        echo "=== compiling $build FAILED after $(( $(date +%s) - start )) s (log: $build/compile-during-tests.log)" \
          > "$build/compile-status"
        exit 1
      fi
    done
  ) &
  compile_pid=$!
fi
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
first="$1"
for build in "$@"; do
  if [[ -n "$compile_pid" && "$build" != "$first" ]]; then
    wait "$compile_pid" || status=1
    compile_pid=""
  fi
  if [[ -n "$compile_later" && "$build" != "$first" ]]; then
    cat "$build/compile-status" 2>/dev/null
    if ! grep -q '^=== compiled' "$build/compile-status" 2>/dev/null; then
      tail -40 "$build/compile-during-tests.log" 2>/dev/null
      echo "=== no tests in $build: it did not compile"
      status=1
      continue
    fi
  fi
  start=$(date +%s)
  processes="$(processes_for "$build")"
  echo "=== meson test in $build, $processes at a time, from $(date -u +%T) UTC"
  meson test -C "$build" --print-errorlogs --num-processes "$processes" || status=1
  # The CPU the tests used (user and system, all builds so far): beside the
  # wall time, it says how much of the two cores the suite keeps busy.
  times > "$cpu_file"
  echo "=== meson test in $build took $(( $(date +%s) - start )) s; CPU of the tests${compile_later:+ and the compile beside them} so far (user, system): $(tail -1 "$cpu_file")"
done
exit $status
