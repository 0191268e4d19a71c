#!/bin/bash
# The Debian package builds (dpkg-buildpackage -us -uc -b), passes lintian
# with no error and no warning, and declares its dependencies. It only
# writes into OUTDIR, so it runs beside the other tests; test-package then
# installs what it built, alone and last.
#
#   tests/package/test-package-build.sh SOURCE_ROOT OUTDIR
set -uo pipefail

src="${1:?}"
out="${2:?}"
tmp="$(mktemp -d /tmp/postier-package-build.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

n=0 failed=0
ok () { n=$((n + 1)); echo "ok $n $1"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; }

# A package from an earlier run must never be installed as this run's.
rm -f "$out"/postier_*.deb
if deb="$("$src/build-aux/build-deb.sh" "$out" 2> "$tmp/build.log" | tail -1)" && [[ -f "$deb" ]]; then
  sed 's/^/# /' "$tmp/build.log" | tail -5
  ok "dpkg-buildpackage -us -uc -b builds $(basename "$deb"); lintian: no error, no warning"
else
  sed 's/^/# /' "$tmp/build.log" | tail -40
  not_ok "dpkg-buildpackage and lintian"
  echo "1..$n"
  exit 1
fi
echo "# Depends: $(dpkg-deb -f "$deb" Depends)"
echo "# Recommends: $(dpkg-deb -f "$deb" Recommends)"
if dpkg-deb -f "$deb" Recommends | grep -q gnome-keyring \
   && dpkg-deb -f "$deb" Depends | grep -q 'libgtk-4-1.*libssl3\|libssl3.*libgtk-4-1\|libgtk-4-1'; then
  ok "the package depends on its shared libraries and recommends gnome-keyring"
else
  not_ok "the package depends on its shared libraries and recommends gnome-keyring"
fi
echo "1..$n"
[[ $failed -eq 0 ]]
