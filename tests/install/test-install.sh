#!/bin/bash
# meson install puts everything where GNOME expects it, and the installed
# programs run with no build tree around.
#
# The source is configured afresh with a temporary prefix ($tmp/usr), built
# without its tests, installed, and its build folder deleted: the installed
# programs then find their schema, catalogue and help only where an
# installed Postier looks — under the prefix — exactly as with /usr. (A
# DESTDIR install of a /usr build could not be run honestly: it would look
# in /usr.) Runs inside the rig, for its Xvfb display.
#
# As root, the package test (tests/package) installs the real .deb into
# /usr and runs these same checks there with --installed /usr; this test
# then skips rather than build the whole tree a third time.
#
#   tests/install/test-install.sh SOURCE_ROOT BUILD_TREE_POSTIERCTL VERSION [--installed PREFIX]
set -uo pipefail

src="${1:?}"
build_tree_ctl="${2:?}"
project_version="${3:?}"
installed_prefix=""
[[ "${4:-}" == --installed ]] && installed_prefix="${5:?}"
if [[ -z "$installed_prefix" && $EUID -eq 0 ]] && command -v dpkg-buildpackage > /dev/null; then
  echo "1..0 # SKIP as root the package test runs these checks on the installed package in /usr"
  exit 0
fi
# shellcheck source=../install/app-session.sh source-path=SCRIPTDIR
source "$src/tests/install/app-session.sh"
tmp="$(mktemp -d /tmp/postier-install.XXXXXX)"
app_pid=""
cleanup () {
  stop_app
  unmount_leftovers
  rm -rf "$tmp"
}
trap cleanup EXIT

n=0 failed=0
ok () { n=$((n + 1)); echo "ok $n $1"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; }
check () { local what="$1"; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

if [[ -n "$installed_prefix" ]]; then
  prefix="$installed_prefix"
else
prefix="$tmp/usr"
echo "# configure, build and install into $prefix"
if ! meson setup "$tmp/build" "$src" --prefix="$prefix" --buildtype=plain -Dtests=false \
       > "$tmp/setup.log" 2>&1 \
   || ! meson compile -C "$tmp/build" > "$tmp/compile.log" 2>&1 \
   || ! meson install -C "$tmp/build" --no-rebuild > "$tmp/install.log" 2>&1; then
  sed 's/^/# /' "$tmp/setup.log" "$tmp/compile.log" "$tmp/install.log" 2>/dev/null | tail -40
  not_ok "meson setup, compile and install"
  echo "1..$n"
  exit 1
fi
ok "meson setup, compile and install"

# No build tree around: nothing may lean on it.
rm -rf "$tmp/build"

echo "# what landed:"
(cd "$tmp" && find usr \( -type f -o -type l \) | LC_ALL=C sort | sed 's/^/#   /')
fi
# Where programs and units land under the prefix (not all of /usr).
lib_dirs=("$prefix/lib" "$prefix/libexec")

expect_file () { check "installed: ${1#"$prefix"/}" test -f "$1"; }
id=io.github.postier.Postier
expect_file "$prefix/bin/postier"
expect_file "$prefix/bin/postierctl"
expect_file "$prefix/share/applications/$id.desktop"
check "the desktop file handles mailto: links" \
  grep -q '^MimeType=.*x-scheme-handler/mailto;' "$prefix/share/applications/$id.desktop"
expect_file "$prefix/share/metainfo/$id.metainfo.xml"
if command -v appstreamcli >/dev/null; then
  if appstreamcli validate --pedantic --no-net "$prefix/share/metainfo/$id.metainfo.xml" > "$tmp/as.log" 2>&1; then
    ok "the installed metainfo validates (--pedantic)"
  else
    sed 's/^/# /' "$tmp/as.log"
    not_ok "the installed metainfo validates (--pedantic)"
  fi
fi
expect_file "$prefix/share/glib-2.0/schemas/$id.gschema.xml"
expect_file "$prefix/share/glib-2.0/schemas/org.postier.Postier.gschema.xml"
expect_file "$prefix/share/glib-2.0/schemas/gschemas.compiled"
expect_file "$prefix/share/icons/hicolor/scalable/apps/$id.svg"
expect_file "$prefix/share/icons/hicolor/symbolic/apps/$id-symbolic.svg"
expect_file "$prefix/share/locale/fr/LC_MESSAGES/postier.mo"
for page in "$src"/help/C/*.page; do
  expect_file "$prefix/share/help/C/$id/$(basename "$page")"
  expect_file "$prefix/share/help/fr/$id/$(basename "$page")"
done
# Man pages and the background flusher's user units: whatever the source
# ships must be installed.
for man in "$src"/data/man/*.[1-8]; do
  [[ -e "$man" ]] || continue
  section="${man##*.}"
  check "installed: man page $(basename "$man")" \
    test -n "$(compgen -G "$prefix/share/man/man$section/$(basename "$man")*")"
done
for unit in "$src"/data/systemd/*.service "$src"/data/systemd/*.path "$src"/data/systemd/*.timer "$src"/data/systemd/*.service.in "$src"/data/systemd/*.path.in; do
  [[ -e "$unit" ]] || continue
  name="$(basename "${unit%.in}")"
  check "installed: systemd user unit $name" \
    test -n "$(find "${lib_dirs[@]}" -path '*systemd/user/*' -name "$name" -print -quit 2>/dev/null)"
done

echo "# the installed postierctl"
version="$("$prefix/bin/postierctl" --version 2>&1)"
echo "# $version"
check "postierctl --version runs from the prefix" test "$version" = "postierctl $project_version"
# Every command but queueing is postierctl-full, out of the PATH (issue 12).
check "installed: postierctl-full" \
  test -n "$(find "${lib_dirs[@]}" -name postierctl-full -type f -perm -u+x -print -quit 2>/dev/null)"
check "the installed postierctl hands queue --help to postierctl-full" \
  bash -c '"$1" queue --help | grep -q "^  flush "' _ "$prefix/bin/postierctl"
# A build-tree-only variable pointing at a bogus folder: the installed
# program ignores it and still speaks French; the build tree's honours it
# (so this check would catch the variable being obeyed).
bogus="$tmp/no-catalogue-here"
fr_installed="$(POSTIER_LOCALEDIR="$bogus" LANGUAGE=fr LC_ALL=C.UTF-8 "$prefix/bin/postierctl" --help 2>&1)"
fr_build="$(POSTIER_LOCALEDIR="$bogus" LANGUAGE=fr LC_ALL=C.UTF-8 "$build_tree_ctl" --help 2>&1)"
check "installed postierctl finds its French catalogue, ignoring POSTIER_LOCALEDIR" \
  grep -q 'Commandes' <<<"$fr_installed"
check "the build tree's postierctl does honour POSTIER_LOCALEDIR" \
  bash -c '! grep -q Commandes <<<"$1"' _ "$fr_build"

echo "# the installed app under Xvfb"
if [[ -n "$installed_prefix" ]]; then
  echo "# (started by the caller)"
elif [[ -z "${DISPLAY:-}" ]] || ! command -v xdotool >/dev/null || ! command -v dbus-run-session >/dev/null; then
  not_ok "the installed app starts (no display, xdotool or dbus-run-session)"
else
  mkdir -p "$tmp/home/config" "$tmp/home/data" "$tmp/home/cache" "$tmp/home/state"
  # Its own session bus, so no other Postier on the rig's bus answers in
  # its place, that activates nothing (session-bus.conf); a first run, so
  # the set-up dialog opens with a French title.
  env -u POSTIER_BENCH_FIRST_FRAME \
    HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/config" XDG_DATA_HOME="$tmp/home/data" \
    XDG_CACHE_HOME="$tmp/home/cache" XDG_STATE_HOME="$tmp/home/state" \
    GSETTINGS_SCHEMA_DIR="$prefix/share/glib-2.0/schemas" GSETTINGS_BACKEND=memory \
    POSTIER_LOCALEDIR="$bogus" LANGUAGE=fr LC_ALL=C.UTF-8 \
    GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1 \
    dbus-run-session --config-file="$session_bus_conf" -- "$prefix/bin/postier" \
    > "$tmp/app.log" 2>&1 &
  app_pid=$!
  if wait_for_own_window "Bienvenue dans Postier" "$app_pid"; then
    ok "the installed app shows its first-run dialog in French (schema, resources, catalogue found)"
  else
    sed 's/^/# /' "$tmp/app.log" | tail -20
    not_ok "the installed app shows its first-run dialog in French (schema, resources, catalogue found)"
  fi
  if grep -qi 'critical\|No GSettings schemas' "$tmp/app.log"; then
    sed 's/^/# /' "$tmp/app.log" | tail -20
    not_ok "the installed app printed no critical"
  else
    ok "the installed app printed no critical"
  fi
  stop_app
fi

echo "1..$n"
[[ $failed -eq 0 ]]
