#!/bin/bash
# A private, loopback-only Postfix for Postier's test suite.
#
#   postfix-rig.sh start DIR   build config, certificates, SASL users and
#                              mail store in DIR, start Postfix, wait until
#                              every listener greets, then write DIR/env
#   postfix-rig.sh stop DIR    stop that Postfix and wait until none of its
#                              processes remain (quiet if not running)
#
# Must run as root. Nothing leaves the machine: every domain is a virtual
# mailbox domain delivered to one Maildir, every other transport is error:.
# Postfix's own sendmail reaches it too (pickup runs), for tests that
# compare with it: /usr/sbin/sendmail -C DIR/etc -f SENDER RCPT < message
# See README.md in this folder for the variables written to DIR/env.
set -euo pipefail

PY=/usr/bin/python3   # Debian's interpreter, whatever python3 is on PATH
START_TIMEOUT=15      # seconds to wait for all greetings
STOP_TIMEOUT=10       # seconds to wait for processes to end

die() { echo "postfix-rig: $*" >&2; exit 1; }
log() { echo "postfix-rig: $*" >&2; }

usage() { die "usage: $0 start|stop DIR"; }

# ---------------------------------------------------------------------------
# Helpers

# Prints N free TCP ports, free on 127.0.0.1 and, when $2 is 1, on ::1 too.
# All sockets are held open until every port is chosen so the N differ.
pick_ports() {
  "$PY" - "$1" "$2" <<'EOF'
import socket, sys
n, want6 = int(sys.argv[1]), sys.argv[2] == "1"
held, ports = [], []
while len(ports) < n:
    s4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s4.bind(("127.0.0.1", 0))
    port = s4.getsockname()[1]
    held.append(s4)
    if want6:
        s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            s6.bind(("::1", port))
        except OSError:
            continue
        held.append(s6)
    ports.append(port)
print(" ".join(map(str, ports)))
EOF
}

ipv6_loopback_works() {
  "$PY" -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null
}

# Waits until every "port:mode" (mode plain|tls) answers with a 220 greeting.
# The SMTPS greeting is read through TLS verified against the test CA.
wait_for_greetings() {
  local ca=$1; shift
  "$PY" - "$START_TIMEOUT" "$ca" "$@" <<'EOF'
import socket, ssl, sys, time
deadline = time.monotonic() + float(sys.argv[1])
ctx = ssl.create_default_context(cafile=sys.argv[2])
pending = [a.split(":") for a in sys.argv[3:]]
last = {}
while pending and time.monotonic() < deadline:
    for item in list(pending):
        port, mode = int(item[0]), item[1]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as raw:
                s = ctx.wrap_socket(raw, server_hostname="localhost") if mode == "tls" else raw
                f = s.makefile("rb")
                line = f.readline()
                if line.startswith(b"220"):
                    s.sendall(b"QUIT\r\n")
                    f.readline()
                    pending.remove(item)
                else:
                    last[port] = repr(line)
        except (OSError, ssl.SSLError) as e:
            last[port] = str(e)
    if pending:
        time.sleep(0.1)
for port, mode in pending:
    print(f"port {port} ({mode}): no greeting: {last.get(int(port), '?')}", file=sys.stderr)
sys.exit(1 if pending else 0)
EOF
}

# Daemon processes of one instance all keep the queue directory as their cwd;
# that identifies them even after the master is gone.
instance_pids() {
  local queue=$1 p cwd
  queue=$(readlink -f "$queue" 2>/dev/null) || return 0
  for p in /proc/[0-9]*; do
    cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
    [[ "$cwd" == "$queue" ]] && echo "${p#/proc/}"
  done
  return 0
}

# Unprivileged delivery agents and smtpd must reach files in DIR, so every
# ancestor needs search (x) permission for "other". mktemp -d makes 0700
# folders; add o+x only (names stay unlistable) and say so.
open_ancestors() {
  local d=$1
  while [[ "$d" != "/" ]]; do
    d=$(dirname "$d")
    if ! runuser -u nobody -- test -x "$d" 2>/dev/null; then
      log "adding o+x to $d so Postfix's unprivileged processes can reach the rig"
      chmod o+x "$d"
    fi
  done
}

# ---------------------------------------------------------------------------
# Certificates (EC P-256; OpenSSL 3.0 has no -not_before for x509/req, so
# validity windows are set with "openssl ca -startdate/-enddate").

utc() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

make_certs() {
  local c=$1
  mkdir -p "$c/ca/new"
  : >"$c/ca/index.txt"
  echo 1000 >"$c/ca/serial"
  cat >"$c/ca/openssl.cnf" <<EOF
[ ca ]
default_ca = rig_ca
[ rig_ca ]
dir             = $c/ca
certificate     = $c/ca.pem
private_key     = $c/ca.key
database        = \$dir/index.txt
serial          = \$dir/serial
new_certs_dir   = \$dir/new
default_md      = sha256
policy          = any
unique_subject  = no
copy_extensions = none
[ any ]
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
[ localhost ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
[ wronghost ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:wronghost.example
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
EOF
  local cnf=$c/ca/openssl.cnf
  local yesterday; yesterday=$(utc '1 day ago')
  local in30; in30=$(utc '30 days')

  newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }
  csr() { openssl req -new -config "$cnf" -key "$1" -subj "/CN=$2" -out "$3"; }
  sign() { # key-ext start end csr out
    openssl ca -batch -notext -config "$cnf" -extensions "$1" \
      -startdate "$2" -enddate "$3" -in "$4" -out "$5" 2>/dev/null
  }

  # The CA starts a week back so the expired certificate's window sits
  # inside it: its only fault is being expired.
  newkey "$c/ca.key"
  csr "$c/ca.key" "Postier Test CA" "$c/ca/ca.csr"
  openssl ca -batch -notext -selfsign -config "$cnf" -keyfile "$c/ca.key" \
    -extensions v3_ca -startdate "$(utc '7 days ago')" -enddate "$in30" \
    -in "$c/ca/ca.csr" -out "$c/ca.pem" 2>/dev/null

  newkey "$c/server.key"
  csr "$c/server.key" localhost "$c/ca/server.csr"
  sign localhost "$yesterday" "$in30" "$c/ca/server.csr" "$c/server.pem"

  newkey "$c/expired.key"
  csr "$c/expired.key" localhost "$c/ca/expired.csr"
  sign localhost "$(utc '3 days ago')" "$yesterday" "$c/ca/expired.csr" "$c/expired.pem"

  newkey "$c/wronghost.key"
  csr "$c/wronghost.key" wronghost.example "$c/ca/wronghost.csr"
  sign wronghost "$yesterday" "$in30" "$c/ca/wronghost.csr" "$c/wronghost.pem"

  # Untrusted: right name and dates, but nobody signed it.
  newkey "$c/selfsigned.key"
  openssl req -new -x509 -config "$cnf" -key "$c/selfsigned.key" -subj /CN=localhost \
    -days 30 -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
    -addext "basicConstraints=critical,CA:FALSE" -out "$c/selfsigned.pem"

  openssl verify -CAfile "$c/ca.pem" "$c/server.pem" >/dev/null \
    || die "generated server certificate does not verify"
}

# ---------------------------------------------------------------------------
# start

start() {
  local dir=$1
  [[ $EUID -eq 0 ]] || die "must run as root"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)
  [[ -z "$(ls -A "$dir")" ]] || die "$dir is not empty"
  chmod 755 "$dir"
  open_ancestors "$dir"

  local etc=$dir/etc queue=$dir/queue data=$dir/data certs=$dir/certs
  local mailbase=$dir/mail maildir=$dir/mail/sink maillog=$dir/maillog
  mkdir -p "$etc/sasl" "$queue" "$data" "$certs" "$maildir"/{cur,new,tmp}
  chown postfix:postfix "$data"       # master takes its lock here
  chown -R nobody:nogroup "$mailbase" # virtual(8) delivers as nobody
  : >"$maillog"

  make_certs "$certs"

  # SASL users in their own sasldb; smtpd reads it as user postfix.
  local sasldb=$etc/sasl/sasldb2 pw1 pw2
  pw1=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  pw2=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  printf '%s' "$pw1" | saslpasswd2 -p -f "$sasldb" -c -u localhost alice
  printf '%s' "$pw2" | saslpasswd2 -p -f "$sasldb" -c -u localhost bob
  chgrp postfix "$sasldb"
  chmod 640 "$sasldb"
  cat >"$etc/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $sasldb
mech_list: PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256
EOF

  # Recipients the tests use to provoke per-recipient failures.
  cat >"$etc/recipient_access" <<'EOF'
/^refuse[^@]*(@|$)/    550 5.1.1 Recipient refused by the test rig
/^tempfail[^@]*(@|$)/  450 4.2.1 Recipient temporarily refused by the test rig
EOF
  echo '/./ OK' >"$etc/virtual_domains"
  echo '/./ sink/' >"$etc/virtual_mailboxes"

  local use6=0
  ipv6_loopback_works && use6=1

  local attempt ports sub smtps plain oauth oauth_x limited ok=0
  # Listeners whose SASL is the rig's Dovecot (oauth-rig.sh), when it runs.
  local dovecot=${POSTIER_RIG_DOVECOT_SOCKET:-} oauth_wait=()
  for attempt in 1 2 3; do
    ports=$(pick_ports 6 "$use6")
    read -r sub smtps plain oauth oauth_x limited <<<"$ports"
    write_main_cf "$dir"
    write_master_cf "$dir" "$sub" "$smtps" "$plain" "$use6"
    write_limited_listener "$dir" "$limited"
    [[ -n "$dovecot" ]] && write_oauth_listeners "$dir" "$dovecot" "$oauth" "$oauth_x" && oauth_wait=("$oauth:plain" "$oauth_x:plain")

    if ! postfix -c "$etc" start >"$dir/start.log" 2>&1; then
      log "postfix start failed:"; cat "$dir/start.log" >&2
      tail -20 "$maillog" >&2
      exit 1
    fi
    if wait_for_greetings "$certs/ca.pem" "$sub:plain" "$smtps:tls" "$plain:plain" "$limited:plain" "${oauth_wait[@]}"; then
      ok=1; break
    fi
    # A port taken between picking and binding shows as a bind error;
    # anything else is a real failure.
    if grep -q 'Address already in use' "$maillog"; then
      log "port clash (attempt $attempt), retrying with new ports"
      stop "$dir" >/dev/null 2>&1 || true
      continue
    fi
    break
  done
  if [[ $ok != 1 ]]; then
    log "listeners did not answer within ${START_TIMEOUT}s; tail of $maillog:"
    tail -30 "$maillog" >&2
    stop "$dir" >/dev/null 2>&1 || true
    exit 1
  fi

  {
    envline POSTIER_TEST_POSTFIX_DIR "$dir"
    envline POSTIER_TEST_HOST localhost
    envline POSTIER_TEST_SUBMISSION_PORT "$sub"
    envline POSTIER_TEST_SMTPS_PORT "$smtps"
    envline POSTIER_TEST_PLAIN_PORT "$plain"
    envline POSTIER_TEST_LIMITED_PORT "$limited"
    envline POSTIER_TEST_MAILDIR "$maildir"
    envline POSTIER_TEST_MAILLOG "$maillog"
    envline POSTIER_TEST_CA "$certs/ca.pem"
    envline POSTIER_TEST_CERT "$certs/server.pem"
    envline POSTIER_TEST_KEY "$certs/server.key"
    envline POSTIER_TEST_CERT_EXPIRED "$certs/expired.pem"
    envline POSTIER_TEST_KEY_EXPIRED "$certs/expired.key"
    envline POSTIER_TEST_CERT_WRONGHOST "$certs/wronghost.pem"
    envline POSTIER_TEST_KEY_WRONGHOST "$certs/wronghost.key"
    envline POSTIER_TEST_CERT_SELFSIGNED "$certs/selfsigned.pem"
    envline POSTIER_TEST_KEY_SELFSIGNED "$certs/selfsigned.key"
    envline POSTIER_TEST_USER alice@localhost
    envline POSTIER_TEST_PASSWORD "$pw1"
    envline POSTIER_TEST_USER2 bob@localhost
    envline POSTIER_TEST_PASSWORD2 "$pw2"
    if [[ -n "$dovecot" ]]; then
      envline POSTIER_TEST_OAUTH_PORT "$oauth"
      envline POSTIER_TEST_OAUTH_XOAUTH2_PORT "$oauth_x"
    fi
  } >"$dir/env.tmp"
  chmod 600 "$dir/env.tmp"
  mv "$dir/env.tmp" "$dir/env"
  log "running in $dir (submission $sub, smtps $smtps, plain $plain)"
}

envline() { printf 'export %s=%q\n' "$1" "$2"; }

write_main_cf() {
  local dir=$1
  cat >"$dir/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
meta_directory = /etc/postfix
maillog_file_prefixes = $dir
maillog_file = $dir/maillog

myhostname = localhost
mydomain = localdomain
myorigin = localhost
inet_interfaces = loopback-only
inet_protocols = all
mynetworks = 127.0.0.0/8 [::1]/128

# Nothing may leave the machine: all domains are virtual mailbox domains
# landing in one Maildir; any other transport is an error.
mydestination =
relay_domains =
relayhost =
local_recipient_maps =
alias_maps =
alias_database =
default_transport = error:test rig delivers nowhere
relay_transport = error:test rig delivers nowhere
local_transport = error:test rig delivers nowhere
virtual_mailbox_domains = regexp:$dir/etc/virtual_domains
virtual_mailbox_maps = regexp:$dir/etc/virtual_mailboxes
virtual_mailbox_base = $dir/mail
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(id -g nobody)
virtual_mailbox_limit = 0
append_dot_mydomain = no
notify_classes =

# No DNS at all, no reverse lookups of clients.
smtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
smtpd_peername_lookup = no

# Speed: no tarpits or throttles for a test client that errs on purpose.
in_flow_delay = 0
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
smtpd_client_connection_count_limit = 0
# Must stay yes: client restrictions say "reject" for unauthenticated
# clients, which must only bite at RCPT, after AUTH had its chance.
smtpd_delay_reject = yes

smtpd_helo_required = yes
smtputf8_enable = yes
message_size_limit = 52428800
mailbox_size_limit = 0

smtpd_tls_chain_files = $dir/certs/server.key, $dir/certs/server.pem
smtpd_tls_loglevel = 1
smtpd_tls_auth_only = yes
smtpd_tls_security_level = none

smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $dir/etc/sasl
smtpd_sasl_auth_enable = no
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous

smtpd_client_restrictions =
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = check_recipient_access regexp:$dir/etc/recipient_access
# Rates are counted per 10 s (default 60 s): only the limited listener sets
# any rate limit, and its test stays short.
anvil_rate_time_unit = 10s
EOF
}

# A submission listener that limits its clients' rates, so Postfix's own
# replies drive Postier's back-off (issue 13): per 10 s (anvil_rate_time_unit
# in main.cf) at most 100 messages and 300 recipients from one client, and
# 5 recipients per message (452 4.5.3 beyond). Anvil exempts $mynetworks,
# loopback included, unless the exceptions are emptied.
write_limited_listener() {
  local dir=$1 port=$2
  local authed="-o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"
  echo "127.0.0.1:$port inet n - n - - smtpd -o syslog_name=postfix/limited -o smtpd_tls_security_level=encrypt $authed -o smtpd_client_event_limit_exceptions= -o smtpd_client_message_rate_limit=100 -o smtpd_client_recipient_rate_limit=300 -o smtpd_recipient_limit=5" >>"$dir/etc/master.cf"
}

# Two STARTTLS submission listeners checking OAuth tokens through Dovecot:
# one offers XOAUTH2 and OAUTHBEARER (Postier then picks OAUTHBEARER), the
# other only XOAUTH2, so both mechanisms are tested against a real server.
write_oauth_listeners() {
  local dir=$1 socket=$2 port=$3 port_x=$4
  local common="-o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes -o smtpd_sasl_type=dovecot -o smtpd_sasl_path=$socket -o smtpd_client_restrictions=permit_sasl_authenticated,reject -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"
  {
    echo "127.0.0.1:$port inet n - n - - smtpd -o syslog_name=postfix/oauth $common"
    echo "127.0.0.1:$port_x inet n - n - - smtpd -o syslog_name=postfix/xoauth2 $common -o smtpd_sasl_mechanism_filter=xoauth2"
  } >>"$dir/etc/master.cf"
}

write_master_cf() {
  local dir=$1 sub=$2 smtps=$3 plain=$4 use6=$5
  local authed="-o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"
  local addrs=(127.0.0.1) a
  [[ $use6 == 1 ]] && addrs+=("[::1]")
  {
    echo "# service type private unpriv chroot wakeup maxproc command"
    for a in "${addrs[@]}"; do
      echo "$a:$sub inet n - n - - smtpd -o syslog_name=postfix/submission -o smtpd_tls_security_level=encrypt $authed"
      echo "$a:$smtps inet n - n - - smtpd -o syslog_name=postfix/smtps -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt $authed"
      echo "$a:$plain inet n - n - - smtpd -o syslog_name=postfix/plain"
    done
    cat <<'EOF'
pickup     fifo  n - n 60   1 pickup
cleanup    unix  n - n -    0 cleanup
qmgr       unix  n - n 300  1 qmgr
tlsmgr     unix  - - n 1000? 1 tlsmgr
rewrite    unix  - - n -    - trivial-rewrite
bounce     unix  - - n -    0 bounce
defer      unix  - - n -    0 bounce
trace      unix  - - n -    0 bounce
verify     unix  - - n -    1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -    - proxymap
proxywrite unix  - - n -    1 proxymap
showq      unix  n - n -    - showq
error      unix  - - n -    - error
retry      unix  - - n -    - error
discard    unix  - - n -    - discard
virtual    unix  - n n -    - virtual
anvil      unix  - - n -    1 anvil
scache     unix  - - n -    1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
  } >"$dir/etc/master.cf"
}

# ---------------------------------------------------------------------------
# stop

stop() {
  local dir=$1
  [[ -d "$dir/etc" && -d "$dir/queue" ]] || return 0
  dir=$(cd "$dir" && pwd -P)
  postfix -c "$dir/etc" stop >/dev/null 2>&1 || true

  local deadline=$((SECONDS + STOP_TIMEOUT)) pids
  while :; do
    pids=$(instance_pids "$dir/queue")
    [[ -z "$pids" ]] && return 0
    (( SECONDS >= deadline )) && break
    sleep 0.1
  done
  log "processes still running after ${STOP_TIMEOUT}s, killing: $(echo $pids)"
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  sleep 0.2
  [[ -z "$(instance_pids "$dir/queue")" ]] || die "could not stop Postfix in $dir"
}

# ---------------------------------------------------------------------------

[[ $# -eq 2 ]] || usage
case $1 in
  start) start "$2" ;;
  stop)  stop "$2" ;;
  *)     usage ;;
esac
