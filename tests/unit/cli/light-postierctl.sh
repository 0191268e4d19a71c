#!/bin/sh
# light-postierctl.sh POSTIERCTL — the postierctl on the PATH stays light
#
# One `postierctl send --queue-only` costs what the dynamic loader does
# (issue 12): the program may load GLib, GIO, GObject and GMime, nothing
# that only sending, the keyring, JSON or HTTPS need. A core change that
# makes the send path call one of those shows up here, and in
# bench-enqueue's ratio. See docs/design-notes.md (issue 12, H2).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
ctl=$1
echo "1..1"
needed=$(readelf -d "$ctl" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
heavy=$(printf '%s\n' "$needed" | grep -E '^lib(ssl|crypto|gsasl|secret-1|json-glib-1\.0|soup-3\.0|spf2|goa-1\.0|gtk-4|adwaita-1)\.so' || true)
if [ -z "$heavy" ]; then
  echo "ok 1 postierctl loads only: $(echo $needed)"
else
  echo "not ok 1 postierctl loads $(echo $heavy): something on the send path calls them"
fi
