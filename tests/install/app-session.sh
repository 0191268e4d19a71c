# Sourced by tests/install/test-install.sh and tests/package/test-package.sh:
# the installed app on a session bus of its own, and ending it so that it
# leaves nothing behind. The caller sets $tmp (its folder) and $app_pid.
# shellcheck shell=bash disable=SC2034,SC2154

# The app's bus activates nothing (see the file): start it with
#   dbus-run-session --config-file="$session_bus_conf" -- …
session_bus_conf="$(dirname "${BASH_SOURCE[0]}")/session-bus.conf"

# Waits (60 s at most) for a visible window titled exactly $1 that belongs
# to the postier process started under dbus-run-session $2, so another
# test's window on the shared display can never answer for it.
wait_for_own_window () {
  local title="$1" parent="$2" pid w
  for _ in $(seq 120); do
    pid="$(pgrep -P "$parent" -x postier | head -1)"
    if [[ -n "$pid" ]]; then
      for w in $(xdotool search --onlyvisible --name "^$title\$" 2>/dev/null); do
        [[ "$(xdotool getwindowpid "$w" 2>/dev/null)" == "$pid" ]] && return 0
      done
    fi
    sleep 0.5
  done
  return 1
}

# Ends the app started under dbus-run-session $app_pid: the app itself, so
# that dbus-run-session takes its bus down (killed instead, it left the
# bus daemon running, and whatever the bus had started).
stop_app () {
  [[ -n "$app_pid" ]] || return 0
  pkill -P "$app_pid" -x postier 2>/dev/null || kill "$app_pid" 2>/dev/null
  wait "$app_pid" 2>/dev/null
  app_pid=""
}

# Anything mounted in $tmp (a document portal's FUSE file system in
# home/cache/doc, were one ever started on the app's bus) would outlive
# rm -rf and stay mounted.
unmount_leftovers () {
  local m
  awk -v t="$tmp/" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | while read -r m; do
    echo "# unmounting $m, left mounted in the test's folder" >&2
    fusermount -u "$m" 2>/dev/null || umount -l "$m"
  done
}
