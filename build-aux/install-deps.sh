#!/bin/bash
# Installs the Debian packages listed in debian-packages.txt (or in the
# list given as its argument, e.g. bench-packages.txt) that are not
# installed yet. Quiet and quick when nothing is missing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
list="${1:-$here/debian-packages.txt}"

mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$')

missing=()
for pkg in "${wanted[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == "installed" ]] || missing+=("$pkg")
done

[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=()
if [[ $EUID -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
# Postfix asks how to configure itself; the test rig brings its own config.
echo "postfix postfix/main_mailer_type select No configuration" | "${sudo[@]}" debconf-set-selections

# Refresh the package lists only when they are missing or a day old.
stamp=/var/lib/apt/lists
if [[ -z "$(find "$stamp" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]]; then
  "${sudo[@]}" apt-get update -qq
fi
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; }
echo "install-deps: done"
