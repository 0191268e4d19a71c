#!/bin/bash
# Starts a program from the build tree with its compiled settings schema and
# the build's French catalogue, so `make run` needs nothing installed.
#
#   build-aux/run-uninstalled.sh BUILDDIR PROGRAM [ARG…]
set -euo pipefail
build="$1"; program="$2"; shift 2
export GSETTINGS_SCHEMA_DIR="$build/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}"
export POSTIER_LOCALEDIR="$build/po"
exec "$build/$program" "$@"
