#!/bin/bash
# Runs a command in a private network and mount namespace where mail
# domains *.test resolve to 127.0.0.1 through /etc/hosts, a test CA is the
# system trust store (/etc/ssl/certs/ca-certificates.crt, which
# glib-networking's GnuTLS reads) and a real HTTPS server on 127.0.0.1:443
# serves Mozilla autoconfig files (tests/rig/autoconfig-server.py). The
# code under test takes its normal path: no test-only switch.
#
#   tests/rig/autoconfig-net.sh COMMAND [ARG…]
#
# Needs root (unshare, mount). The command sees POSTIER_TEST_AUTOCONFIG_LOG,
# the server's log of requests ("HOST PATH?QUERY" per line).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"

if [[ "${1:-}" != "--inside" ]]; then
  exec unshare --mount --net --propagation private -- "$0" --inside "$@"
fi
shift

dir="$(mktemp -d /tmp/postier-autoconfig.XXXXXX)"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

ip link set lo up
# getaddrinfo's AI_ADDRCONFIG (GIO asks for it) returns no IPv4 address
# unless the host has one besides 127.0.0.1: a documentation address
# (RFC 5737), only on this namespace's loopback.
ip addr add 192.0.2.1/32 dev lo

names=(autoconfig.good.test wellknown.test autoconfig.outside.test autoconfig.oauth.test
       autoconfig.badxml.test autoconfig.slow.test autoconfig.redirect.test
       autoconfig.redirect-ok.test autoconfig.big.test autoconfig.wrongname.test
       autoconfig.notfound.test)

# A CA of our own and two server certificates: one for every name above,
# one for another name, served to autoconfig.wrongname.test.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Postier autoconfig test CA" \
  -keyout "$dir/ca.key" -out "$dir/ca.pem" >/dev/null 2>&1
issue() {  # issue NAME SAN...
  local name="$1"; shift
  local san; san="$(printf 'DNS:%s,' "$@")"; san="${san%,}"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$dir/$name.key" -out "$dir/$name.csr" \
    >/dev/null 2>&1
  printf 'subjectAltName=%s\n' "$san" >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 2 -extfile "$dir/$name.ext" -out "$dir/$name.pem" >/dev/null 2>&1
}
issue good "${names[@]}"
issue other other.test

# Only our CA is trusted in here, through the normal trust store path.
mount --bind "$dir/ca.pem" /etc/ssl/certs/ca-certificates.crt
{
  echo "127.0.0.1 localhost"
  echo "::1 localhost"
  for n in "${names[@]}"; do echo "127.0.0.1 $n"; done
} >"$dir/hosts"
mount --bind "$dir/hosts" /etc/hosts
# No DNS server here: SRV and MX lookups fail at once instead of waiting.
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$dir/resolv.conf"
mount --bind "$dir/resolv.conf" /etc/resolv.conf

/usr/bin/python3 "$here/autoconfig-server.py" --dir "$dir" --port 443 --ready "$dir/ready" \
  --log "$dir/requests.log" >"$dir/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  [[ -e "$dir/ready" ]] && break
  sleep 0.05
done
if [[ ! -e "$dir/ready" ]]; then
  echo "autoconfig-net: the HTTPS server did not start:" >&2
  cat "$dir/server.out" >&2
  exit 1
fi

export POSTIER_TEST_AUTOCONFIG_LOG="$dir/requests.log"
set +e
"$@"
status=$?
set -e
exit $status
