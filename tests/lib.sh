# Helpers shared by the project's shell scripts (tests/sandbox, tests/bench,
# tests/krew, plugin-manifest). Sourced, not executed:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
#
# Defines REPO_ROOT and CACHE_DIR, log/die (tagged with $LOG_TAG), require_cmd,
# crate_version, pid-file process control and the check harness.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The cache of builds and downloads (Go tools, Keycloak distributions, zig,
# cargo-zigbuild), outside the repository and shared by every checkout.
# shellcheck disable=SC2034  # used by the scripts that source this file
CACHE_DIR="${SANDBOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-keycloak-sandbox}"

# Messages name the script, or what it sets LOG_TAG to after sourcing this
# file: LOG_TAG=sandbox gives "[sandbox 12:00:00] message" and
# "[sandbox] ERROR: message".
LOG_TAG="$(basename "$0")"
log() { printf '[%s %s] %s\n' "$LOG_TAG" "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$LOG_TAG" "$*" >&2; exit 1; }

# Under set -e a failing command ends a script silently; this names it.
# Inside a check (below) set -E also makes it name the innermost command
# that failed, not just the check's function.
say_what_failed() {
  local rc=$? where="${BASH_SOURCE[1]:-$0}:${BASH_LINENO[0]}"
  [[ $BASH_COMMAND != return* ]] || return 0 # a function that said why itself
  printf '[%s] %s: exit %d: %s\n' "$LOG_TAG" "$where" "$rc" "$BASH_COMMAND" >&2
}
trap say_what_failed ERR

require_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "required command '$c' not found on PATH"
  done
}

# The crate's version (Cargo.toml's package.version), as cargo reads it.
# `cargo pkgid` prints path+file:///DIR#NAME@VERSION (or DIR#VERSION when the
# directory is named like the package); it reads Cargo.lock, no network.
crate_version() {
  local id v
  id="$(cargo pkgid --manifest-path "$REPO_ROOT/Cargo.toml")" || return 1
  v="${id##*#}"
  v="${v##*@}"
  v="${v%$'\r'}"
  [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || { echo "cannot read a version from cargo pkgid: $id" >&2; return 1; }
  printf '%s\n' "$v"
}

# ---------------------------------------------------------------- processes

# True when the pid stored in FILE belongs to a live process.
pid_alive() {
  local f="$1" pid
  [[ -s "$f" ]] || return 1
  pid="$(<"$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

# Stop a server started with setsid (its pid is also its process-group id):
# TERM the whole group, wait up to $2 seconds, then KILL it. Removes FILE.
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

# ---------------------------------------------------------------- check harness

# A list of checks that prints one line each ("ok   ..." or "FAIL ..." with
# the end of the command's output) and ends with "NAME: N passed, M failed".
#
#   checks_begin NAME SCRATCH_FILE [FAILED_NOTE]
#   check DESCRIPTION COMMAND...     run and count it
#   require DESCRIPTION COMMAND...   the same, but stop here when it fails
#   checks_end                       the summary; exits 1 if any check failed
#
# SCRATCH_FILE holds each command's output; the caller creates and removes it.
# On failure "NAME FAILED" and FAILED_NOTE go to stderr.
CHECKS_PASSED=0
CHECKS_FAILED=0
checks_begin() {
  CHECKS_NAME="$1" CHECKS_OUT="$2" CHECKS_FAILED_NOTE="${3:-}"
  CHECKS_PASSED=0 CHECKS_FAILED=0
}

# The command runs in a background subshell, so that set -e, where the script
# sets it, holds inside it (bash ignores set -e in a function called as an if
# condition); its stdin is /dev/null. A command that fails there without
# saying why is named in the output (say_what_failed), so no FAIL is silent.
check() {
  local desc="$1"; shift
  (set -E; trap say_what_failed ERR; "$@") >"$CHECKS_OUT" 2>&1 </dev/null &
  if wait $!; then
    CHECKS_PASSED=$((CHECKS_PASSED + 1)); printf 'ok   %s\n' "$desc"
  else
    CHECKS_FAILED=$((CHECKS_FAILED + 1)); printf 'FAIL %s\n' "$desc"; sed 's/^/     | /' "$CHECKS_OUT" | tail -n 30
  fi
}

require() {
  local before=$CHECKS_FAILED
  check "$@"
  if ((CHECKS_FAILED > before)); then
    echo "$CHECKS_NAME: stopping, the checks after this one need it" >&2
    checks_end
  fi
}

checks_end() {
  printf '%s: %d passed, %d failed\n' "$CHECKS_NAME" "$CHECKS_PASSED" "$CHECKS_FAILED"
  if ((CHECKS_FAILED > 0)); then
    printf '%s FAILED%s\n' "$CHECKS_NAME" "$CHECKS_FAILED_NOTE" >&2
    exit 1
  fi
  exit 0
}
