#!/bin/bash
# The rig's OAuth 2.0 authorization server (oidc-provider on Node) and a
# private Dovecot that is Postfix's SASL for XOAUTH2 and OAUTHBEARER,
# checking every token through the server's introspection endpoint.
#
#   oauth-rig.sh start DIR   install oidc-provider from the committed lock
#                            file (npm ci, once, into a cache outside the
#                            repository), start Node in the background (it
#                            does not wait for its port: tests that need the
#                            server wait, see postier_test_oauth_wait()),
#                            start Dovecot, write DIR/env
#   oauth-rig.sh stop DIR    stop both (quiet if not running)
#
# DIR/env exports POSTIER_TEST_OAUTH_ISSUER, _CLIENT_ID, _SCOPE, _USER,
# _PASSWORD, _ADMIN_SECRET (X-Rig-Secret of the /rig/ routes in
# oauth/server.mjs), _BROWSER (oauth/browser.py, plays the person's
# browser), _DOVECOT_SOCKET (the auth socket Postfix's listeners use).
set -euo pipefail

PY=/usr/bin/python3
here="$(cd "$(dirname "$0")" && pwd)"

die() { echo "oauth-rig: $*" >&2; exit 1; }

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# oidc-provider and its dependencies, exactly as the lock file says, in a
# cache folder named after the lock file's hash.
node_modules() {
  local sum cache
  sum=$(cat "$here/oauth/package.json" "$here/oauth/package-lock.json" | sha256sum | cut -c1-16)
  cache="${POSTIER_RIG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/postier-rig}/oauth-$sum"
  if [[ ! -f "$cache/.complete" ]]; then
    mkdir -p "$cache"
    cp "$here/oauth/package.json" "$here/oauth/package-lock.json" "$cache/"
    (cd "$cache" && npm ci --no-audit --no-fund --loglevel=error >"$cache/npm.log" 2>&1) \
      || { cat "$cache/npm.log" >&2; die "npm ci failed (network to the npm registry?)"; }
    touch "$cache/.complete"
  fi
  echo "$cache/node_modules"
}

write_dovecot_conf() {
  local dir=$1 port=$2 secret=$3
  cat >"$dir/dovecot/dovecot.conf" <<EOF
# Only the auth service: no IMAP, no POP, no listener on the network.
protocols =
listen = 127.0.0.1
base_dir = $dir/dovecot/run
state_dir = $dir/dovecot/state
instance_name = postier-rig-$(basename "$dir")-$$
log_path = $dir/dovecot/dovecot.log
ssl = no
# Postfix enforces TLS before AUTH (smtpd_tls_auth_only).
disable_plaintext_auth = no
auth_mechanisms = xoauth2 oauthbearer
# A revoked token must be refused at once: no cache.
auth_cache_size = 0
auth_failure_delay = 0
auth_verbose = yes
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $dir/dovecot/oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent allow_all_users=yes
}
# The auth penalty doubles the delay after each failure up to 15 s, and
# Postfix gives up on Dovecot after 10 s: off, tests fail logins on purpose.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  unix_listener $dir/dovecot/auth-client {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
  cat >"$dir/dovecot/oauth2.conf.ext" <<EOF
introspection_mode = post
introspection_url = http://dovecot:$secret@127.0.0.1:$port/token/introspection
username_attribute = sub
active_attribute = active
active_value = true
force_introspection = yes
EOF
  chmod 600 "$dir/dovecot/oauth2.conf.ext"
}

start() {
  local dir=$1 port secret password modules
  command -v node >/dev/null || die "node is not installed (Debian: nodejs, npm)"
  command -v dovecot >/dev/null || die "dovecot is not installed (Debian: dovecot-core)"
  mkdir -p "$dir/server" "$dir/dovecot/run" "$dir/dovecot/state"
  dir=$(cd "$dir" && pwd -P)
  modules=$(node_modules)
  port=$(free_port)
  secret=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')

  # Node resolves imports next to the script: the script and a link to the
  # cached node_modules share a folder.
  cp "$here/oauth/server.mjs" "$dir/server/"
  ln -s "$modules" "$dir/server/node_modules"
  OAUTH_PORT=$port OAUTH_USER=alice@localhost OAUTH_PASSWORD=$password \
    OAUTH_DOVECOT_SECRET=$secret OAUTH_ACCESS_TTL="${POSTIER_RIG_OAUTH_TTL:-60}" \
    setsid node "$dir/server/server.mjs" </dev/null >"$dir/server/server.log" 2>&1 &
  echo $! >"$dir/server/pid"

  write_dovecot_conf "$dir" "$port" "$secret"
  # The master keeps the stdio it was started with: never a caller's pipe.
  dovecot -c "$dir/dovecot/dovecot.conf" </dev/null >/dev/null 2>&1 \
    || { cat "$dir/dovecot/dovecot.log" >&2 2>/dev/null; die "dovecot did not start"; }

  {
    envline POSTIER_TEST_OAUTH_ISSUER "http://127.0.0.1:$port"
    envline POSTIER_TEST_OAUTH_CLIENT_ID postier
    envline POSTIER_TEST_OAUTH_SCOPE "offline_access mail"
    envline POSTIER_TEST_OAUTH_USER alice@localhost
    envline POSTIER_TEST_OAUTH_PASSWORD "$password"
    envline POSTIER_TEST_OAUTH_ADMIN_SECRET "$secret"
    envline POSTIER_TEST_OAUTH_BROWSER "$here/oauth/browser.py"
    envline POSTIER_TEST_OAUTH_DOVECOT_SOCKET "$dir/dovecot/auth-client"
    envline POSTIER_TEST_OAUTH_DIR "$dir"
  } >"$dir/env.tmp"
  chmod 600 "$dir/env.tmp"
  mv "$dir/env.tmp" "$dir/env"
}

envline() { printf 'export %s=%q\n' "$1" "$2"; }

stop() {
  local dir=$1 pid
  [[ -d "$dir" ]] || return 0
  if [[ -f "$dir/dovecot/run/master.pid" ]]; then
    pid=$(cat "$dir/dovecot/run/master.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if [[ -f "$dir/server/pid" ]]; then
    pid=$(cat "$dir/server/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  return 0
}

[[ $# -eq 2 ]] || die "usage: $0 start|stop DIR"
case $1 in
  start) start "$2" ;;
  stop)  stop "$2" ;;
  *)     die "usage: $0 start|stop DIR" ;;
esac
