#!/bin/bash
# A private unbound on a loopback address of its own, serving the test
# zones of dns-zones.conf, and a resolv.conf pointing at it. Tests give it
# to the programs they run through a private mount namespace (unshare -m
# and a bind mount over /etc/resolv.conf), the way a person's machine is
# set up, so Postier has no test-only resolver path.
#
#   tests/rig/dns-rig.sh start DIR   prints ADDRESS, writes DIR/resolv.conf
#   tests/rig/dns-rig.sh stop DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cmd="${1:?start|stop}" dir="${2:?DIR}"

case "$cmd" in
start)
  command -v unbound >/dev/null || { echo "dns-rig: unbound is not installed" >&2; exit 69; }
  mkdir -p "$dir"
  # 127.0.0.0/8 is all on lo: a random address keeps parallel rigs apart
  # while the port stays 53, the only one resolv.conf can name.
  for _ in 1 2 3 4 5; do
    address="127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))"
    cat > "$dir/unbound.conf" <<CONF
server:
  interface: $address
  port: 53
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$dir"
  pidfile: ""
  use-syslog: no
  logfile: "$dir/unbound.log"
  verbosity: 1
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  module-config: "iterator"
  cache-max-ttl: 0
$(cat "$here/dns-zones.conf")
stub-zone:
  name: "servfail.test."
  stub-addr: 127.0.0.1@9
remote-control:
  control-enable: no
CONF
    unbound -d -c "$dir/unbound.conf" </dev/null >/dev/null 2>&1 &
    echo $! > "$dir/unbound.pid"
    for _ in $(seq 50); do
      if /usr/bin/python3 - "$address" <<'PY' 2>/dev/null
import socket, sys
query = bytes.fromhex("beef01000001000000000000") + b"\x05relay\x04test\x00\x00\x01\x00\x01"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
s.sendto(query, (sys.argv[1], 53))
sys.exit(0 if s.recv(512)[:2] == b"\xbe\xef" else 1)
PY
      then
        printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$address" > "$dir/resolv.conf"
        echo "$address"
        exit 0
      fi
      kill -0 "$(cat "$dir/unbound.pid")" 2>/dev/null || break
      sleep 0.1
    done
    kill "$(cat "$dir/unbound.pid")" 2>/dev/null || true
  done
  echo "dns-rig: unbound did not start; see $dir/unbound.log" >&2
  exit 1
  ;;
stop)
  [[ -f "$dir/unbound.pid" ]] && kill "$(cat "$dir/unbound.pid")" 2>/dev/null || true
  ;;
esac
