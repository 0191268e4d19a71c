#!/bin/bash
# Builds the Debian package from a copy of the source tree, so the work tree
# stays clean (dpkg-buildpackage writes obj-*/ and debian/postier/ into the
# tree it builds and its results into the parent folder). The copy and the
# results live in OUTDIR (build-deb/ by default); then lintian checks them.
#
#   build-aux/build-deb.sh [OUTDIR]
# Prints the path of the .deb on its last line.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$root/build-deb}" && cd "${1:-$root/build-deb}" && pwd)"
src="$out/postier"

rm -rf "$src" "$out"/postier_*.deb "$out"/postier_*.changes "$out"/postier_*.buildinfo \
       "$out"/postier-dbgsym_*.deb
mkdir -p "$src"
# The files git knows (and new ones not ignored), without build folders.
(cd "$root" && git ls-files -z --cached --others --exclude-standard \
   | while IFS= read -r -d '' f; do [[ -f "$f" || -L "$f" ]] && printf '%s\0' "$f"; done \
   | tar --null -T - -cf -) | tar -C "$src" -xf -

(cd "$src" && dpkg-buildpackage -us -uc -b) > "$out/dpkg-buildpackage.log" 2>&1 || {
  tail -40 "$out/dpkg-buildpackage.log" >&2
  echo "build-deb: dpkg-buildpackage failed; the whole log is $out/dpkg-buildpackage.log" >&2
  exit 1
}
rm -rf "$src"

changes="$(ls "$out"/postier_*.changes)"
echo "build-deb: lintian $(basename "$changes")" >&2
# --fail-on error,warning: a warning fails the build as an error does.
lintian --allow-root --fail-on error,warning --display-level '>=warning' "$changes" >&2
ls "$out"/postier_*.deb
