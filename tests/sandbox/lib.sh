# Shared helpers for tests/sandbox/{up,down,check}. Sourced, not executed.
# shellcheck shell=bash

SANDBOX_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SANDBOX_SRC/../.." && pwd)"
# shellcheck source=versions.env
. "$SANDBOX_SRC/versions.env"

SANDBOX_ROOT="$REPO_ROOT/target/sandbox"
# shellcheck disable=SC2034  # used by the scripts that source this file
CACHE_DIR="${SANDBOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-keycloak-sandbox}"

log() { printf '[sandbox %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[sandbox] ERROR: %s\n' "$*" >&2; exit 1; }

# The directory of one sandbox instance, per Keycloak version.
instance_dir() { printf '%s/%s\n' "$SANDBOX_ROOT" "$1"; }

# Fail unless KEYCLOAK_VERSION (argument) is one of the pinned versions.
validate_keycloak_version() {
  local v
  for v in $SANDBOX_KEYCLOAK_VERSIONS; do [[ "$1" == "$v" ]] && return 0; done
  die "KEYCLOAK_VERSION=$1 is not supported; choose one of: $SANDBOX_KEYCLOAK_VERSIONS"
}

require_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "required command '$c' not found on PATH"
  done
}

# True when the pid stored in FILE belongs to a live process.
pid_alive() {
  local f="$1" pid
  [[ -s "$f" ]] || return 1
  pid="$(<"$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
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

# Stop a server started with setsid (its pid is also its process-group id):
# TERM the whole group, wait up to $2 seconds, then KILL it.
stop_by_pidfile() {
  local f="$1" grace="${2:-20}" pid i
  if ! pid_alive "$f"; then rm -f "$f"; return 0; fi
  pid="$(<"$f")"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid ($(basename "$f" .pid)) did not stop in ${grace}s; killing"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# Stop every server of one instance directory, in reverse start order.
stop_instance() {
  local dir="$1" name
  "$SANDBOX_SRC/testhost" down "$dir" || true   # relay, veth pair, network namespace
  for name in keycloak kube-apiserver etcd; do
    if pid_alive "$dir/$name.pid"; then
      log "stopping $name of $(basename "$dir") (pid $(<"$dir/$name.pid"))"
    fi
    stop_by_pidfile "$dir/$name.pid" 30
  done
}
