#!/bin/bash
# The Debian package that test-package-build built installs with apt, runs (postierctl
# --version; the app under Xvfb, finding its schema, catalogue and
# resources in /usr) and removes cleanly, leaving nothing of its own in
# /usr. It installs into the real /usr, so it runs last and alone (meson
# priority and is_parallel), and always removes the package at the end.
#
#   tests/package/test-package.sh SOURCE_ROOT OUTDIR VERSION BUILD_TREE_POSTIERCTL
set -uo pipefail

src="${1:?}"
out="${2:?}"
version="${3:?}"
build_tree_ctl="${4:?}"
# shellcheck source=../install/app-session.sh source-path=SCRIPTDIR
source "$src/tests/install/app-session.sh"
tmp="$(mktemp -d /tmp/postier-package.XXXXXX)"
installed_by_us=""
app_pid=""
cleanup () {
  stop_app
  unmount_leftovers
  if [[ -n "$installed_by_us" ]] && [[ "$(pkg_status)" == installed || "$(pkg_status)" == config-files ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq postier > /dev/null 2>&1
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
pkg_status () { dpkg-query -W -f='${db:Status-Status}' postier 2>/dev/null; }

n=0 failed=0
ok () { n=$((n + 1)); echo "ok $n $1"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; }
bail () { not_ok "$1"; echo "1..$n"; exit 1; }

if [[ $EUID -ne 0 ]]; then
  echo "1..0 # SKIP installing a package needs root"
  exit 0
fi
if [[ "$(pkg_status)" == installed ]]; then
  bail "postier is already installed on this machine; this test will not replace it"
fi

# test-package-build made it in this run: it removes any older package
# first, and a package older than the build tree's postierctl is stale.
deb="$(ls "$out"/postier_*.deb 2>/dev/null | grep -v dbgsym | head -1)"
if [[ -z "$deb" ]]; then
  bail "a package built by test-package-build in $out (it failed or did not run)"
elif [[ "$deb" -ot "$build_tree_ctl" ]]; then
  bail "$(basename "$deb") is older than this build; run test-package-build first"
fi
ok "test-package-build's $(basename "$deb") is there"

installed_by_us=1
if (cd "$(dirname "$deb")" && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$(basename "$deb")") \
     > "$tmp/apt.log" 2>&1; then
  ok "apt installs ./$(basename "$deb")"
else
  sed 's/^/# /' "$tmp/apt.log" | tail -20
  bail "apt installs ./$(basename "$deb")"
fi
dpkg -L postier > "$tmp/files"
echo "# installed:"
while read -r f; do [[ -f "$f" ]] && echo "#   $f"; done < "$tmp/files"

got="$(/usr/bin/postierctl --version 2>&1)"
if [[ "$got" == "postierctl $version" ]]; then ok "/usr/bin/postierctl --version: $got"; else not_ok "/usr/bin/postierctl --version: $got"; fi

# What meson install must put where GNOME expects it: the install test's
# checks, on the package's files in /usr (that test skips as root).
if "$src/tests/install/test-install.sh" "$src" "$build_tree_ctl" "$version" --installed /usr \
     > "$tmp/install-checks.log" 2>&1; then
  ok "the install test's checks pass on /usr ($(grep -c '^ok ' "$tmp/install-checks.log") checks)"
else
  grep -v '^ok ' "$tmp/install-checks.log" | sed 's/^/# /' | tail -30
  not_ok "the install test's checks pass on /usr"
fi

# The installed app, with none of the build tree's variables: it finds its
# schema compiled by the package's trigger, its resources, and its French
# catalogue in /usr/share/locale (a build-tree-only variable pointing
# elsewhere is ignored).
if [[ -z "${DISPLAY:-}" ]] || ! command -v xdotool > /dev/null || ! command -v dbus-run-session > /dev/null; then
  not_ok "the installed app starts (no display, xdotool or dbus-run-session)"
else
  mkdir -p "$tmp/home/config" "$tmp/home/data" "$tmp/home/cache" "$tmp/home/state"
  env -u GSETTINGS_SCHEMA_DIR -u POSTIER_BENCH_FIRST_FRAME \
    HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/config" XDG_DATA_HOME="$tmp/home/data" \
    XDG_CACHE_HOME="$tmp/home/cache" XDG_STATE_HOME="$tmp/home/state" \
    GSETTINGS_BACKEND=memory POSTIER_LOCALEDIR="$tmp/bogus" LANGUAGE=fr LC_ALL=C.UTF-8 \
    GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1 \
    dbus-run-session --config-file="$session_bus_conf" -- /usr/bin/postier \
    > "$tmp/app.log" 2>&1 &
  app_pid=$!
  if wait_for_own_window "Bienvenue dans Postier" "$app_pid"; then
    ok "/usr/bin/postier shows its first-run dialog in French under Xvfb"
  else
    sed 's/^/# /' "$tmp/app.log" | tail -20
    not_ok "/usr/bin/postier shows its first-run dialog in French under Xvfb"
  fi
  stop_app
fi

if DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq postier > "$tmp/remove.log" 2>&1; then
  ok "apt-get remove -y postier"
else
  sed 's/^/# /' "$tmp/remove.log" | tail -20
  not_ok "apt-get remove -y postier"
fi
left=()
while read -r f; do
  [[ "$f" == /usr/* ]] || continue
  # Shared folders (/usr/share/help/fr…) stay; anything of Postier's must go.
  if [[ -e "$f" && ( ! -d "$f" || "$f" == *ostier* ) ]]; then left+=("$f"); fi
done < "$tmp/files"
if [[ ${#left[@]} -eq 0 ]]; then
  ok "nothing of the package is left in /usr"
else
  printf '#   left: %s\n' "${left[@]}"
  not_ok "nothing of the package is left in /usr"
fi
if env -u GSETTINGS_SCHEMA_DIR gsettings list-schemas 2>/dev/null | grep -qi postier; then
  not_ok "the system's compiled schemas no longer know Postier"
else
  ok "the system's compiled schemas no longer know Postier"
fi
# The user units enabled at install stay linked in /etc until purge, as
# Debian does for every enabled unit; purge takes them away and returns
# the machine to where it was.
if DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq postier > "$tmp/purge.log" 2>&1 \
   && [[ "$(pkg_status)" != installed && "$(pkg_status)" != config-files ]] \
   && [[ -z "$(find /etc/systemd/user -name 'postier*' 2>/dev/null)" ]]; then
  ok "apt-get purge postier leaves no trace in dpkg or /etc/systemd/user"
else
  sed 's/^/# /' "$tmp/purge.log" | tail -10
  find /etc/systemd/user -name 'postier*' 2>/dev/null | sed 's/^/#   left: /'
  not_ok "apt-get purge postier leaves no trace in dpkg or /etc/systemd/user"
fi

echo "1..$n"
[[ $failed -eq 0 ]]
