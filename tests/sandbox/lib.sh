# Sandbox helpers for tests/sandbox/{up,down,check} and the scripts that run
# sandbox instances (tests/bench/run, tests/krew/test). Sourced, not executed.
# The shared parts (cache dir, log/die, pid files, check harness) are in
# tests/lib.sh, sourced here.
# shellcheck shell=bash

SANDBOX_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
. "$SANDBOX_SRC/../lib.sh"
# shellcheck source=versions.env
. "$SANDBOX_SRC/versions.env"
LOG_TAG=sandbox

# shellcheck disable=SC2034  # used by the scripts that source this file
SANDBOX_ROOT="$REPO_ROOT/target/sandbox"

# The servers of one instance, in start order; each has DIR/NAME.pid and DIR/NAME.log.
SANDBOX_SERVERS=(etcd kube-apiserver kube-controller-manager kube-scheduler keycloak kwok)

# The directory of one sandbox instance, per Keycloak version.
instance_dir() { printf '%s/%s\n' "$SANDBOX_ROOT" "$1"; }

# Fail unless KEYCLOAK_VERSION (argument) is one of the pinned versions.
validate_keycloak_version() {
  local v
  for v in $SANDBOX_KEYCLOAK_VERSIONS $SANDBOX_KEYCLOAK_STARTABLE_VERSIONS; do [[ "$1" == "$v" ]] && return 0; done
  die "KEYCLOAK_VERSION=$1 is not supported; choose one of: $SANDBOX_KEYCLOAK_VERSIONS $SANDBOX_KEYCLOAK_STARTABLE_VERSIONS"
}

# Print the last lines of a server log, to explain a failure.
show_log_tail() {
  local f="$1" n="${2:-40}"
  if [[ -f "$f" ]]; then
    printf -- '----- last %s lines of %s -----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2
    printf -- '----- end of %s -----\n' "$f" >&2
  fi
}

# True when every server of the instance in DIR is alive (by its pid file).
instance_alive() {
  local dir="$1" name
  for name in "${SANDBOX_SERVERS[@]}"; do pid_alive "$dir/$name.pid" || return 1; done
}

# Stop every server of the instance in DIR, in reverse start order.
stop_instance() {
  local dir="$1" i name
  "$SANDBOX_SRC/testhost" down "$dir" || true   # relay, veth pair, network namespace
  for ((i = ${#SANDBOX_SERVERS[@]} - 1; i >= 0; i--)); do
    name="${SANDBOX_SERVERS[i]}"
    if pid_alive "$dir/$name.pid"; then
      log "stopping $name of $(basename "$dir") (pid $(<"$dir/$name.pid"))"
    fi
    stop_by_pidfile "$dir/$name.pid" 30
  done
}
