#!/bin/bash
# Checks the systemd user units with systemd-analyze verify, as installed
# except for ExecStart, which points at the build's postierctl (verify
# insists that the command exists). Any warning fails the test too.
#   verify-units.sh PATH_UNIT SERVICE_UNIT POSTIERCTL
set -euo pipefail

path_unit=$1 service_unit=$2 postierctl=$3
echo "1..1"
if ! command -v systemd-analyze >/dev/null; then
  echo "ok 1 # SKIP systemd-analyze is missing (Debian package systemd)"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -m 0700 "$tmp/runtime" "$tmp/units"
cp "$path_unit" "$tmp/units/"
sed "s|^ExecStart=[^ ]*/postierctl |ExecStart=$postierctl |" "$service_unit" \
  >"$tmp/units/$(basename "$service_unit")"
grep -q "^ExecStart=$postierctl queue watch\$" "$tmp/units/$(basename "$service_unit")"

# --user needs a runtime folder; man pages are checked where they are
# installed, not here (--man=no).
cd "$tmp/units"
if XDG_RUNTIME_DIR="$tmp/runtime" HOME="$tmp" systemd-analyze --user --man=no verify \
     "$(basename "$path_unit")" "$(basename "$service_unit")" >"$tmp/out" 2>&1 &&
   [[ ! -s "$tmp/out" ]]; then
  echo "ok 1 systemd-analyze verify passes on $(basename "$path_unit") and $(basename "$service_unit")"
else
  sed 's/^/# /' "$tmp/out"
  echo "not ok 1 systemd-analyze verify"
fi
