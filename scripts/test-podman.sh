#!/usr/bin/env bash
# Runs the container tests a second time against Podman through its
# Docker-compatible API socket. It runs as root on a Debian machine.
#
#   scripts/test-podman.sh                 # the default container test files
#   scripts/test-podman.sh src/engine      # only the files vitest matches
#
# Steps: install Debian's podman if it is missing, lower its default
# container ulimits to what this machine allows, start `podman system
# service` on its own socket, run vitest with DOCKER_HOST pointing at that
# socket, and stop the service by its process id.
#
# Environment:
#   POGO_PODMAN_SOCKET   socket path for the service (default /run/podman/podman.sock)
#
# Differences from Docker seen with Debian's podman 4.3.1, without systemd:
# - Podman schedules healthchecks with systemd timers, so without systemd a
#   container's health stays "starting". The engine runs the check itself
#   through the libpod API while it waits for a service.
# - A container whose command exits at once can still show Running=true on
#   the first inspect after start, then the Podman-only status "stopped",
#   then "exited". A service that exits at once may so pass the wait for
#   "running", and a test of a failing service must not rely on that race.
# - Several label filters in one list request match nothing on Podman, so
#   the engine sends one filter and applies the rest itself.
# - Images are named with the docker.io/ prefix (docker.io/pogo-local/node:20).
#   `docker import` and `docker build` through the socket work as with
#   Docker, and the end-to-end tests pass, server runs included.
set -euo pipefail
cd "$(dirname "$0")/.."

socket=${POGO_PODMAN_SOCKET:-/run/podman/podman.sock}
log() { echo "test-podman: $*" >&2; }

if ! command -v podman >/dev/null; then
  log "installing podman"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq podman >/dev/null
fi

# Podman's default nofile and nproc limits exceed the hard limits of a
# container-hosted machine, and every container then fails with "error
# setting rlimit type 7: operation not permitted". Lower them to what
# `ulimit -H` allows.
nofile=$(ulimit -Hn)
nproc=$(ulimit -Hu)
[ "$nofile" = unlimited ] && nofile=1048576
[ "$nproc" = unlimited ] && nproc=4096
[ "$nproc" -gt 4096 ] && nproc=4096
limits="default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]"
conf=/etc/containers/containers.conf
mkdir -p /etc/containers "$(dirname "$socket")"
if [ ! -f "$conf" ]; then
  printf '[containers]\n%s\n' "$limits" >"$conf"
elif ! grep -q '^[[:space:]]*default_ulimits' "$conf"; then
  if grep -q '^\[containers\]' "$conf"; then
    sed -i "/^\[containers\]/a $limits" "$conf"
  else
    printf '\n[containers]\n%s\n' "$limits" >>"$conf"
  fi
fi

if [ -S "$socket" ] && curl -fsS --unix-socket "$socket" http://d/_ping >/dev/null 2>&1; then
  log "a service already listens on $socket; stop it or set POGO_PODMAN_SOCKET to another path"
  exit 1
fi
rm -f "$socket"

service_log=$(mktemp "${TMPDIR:-/tmp}/pogo-podman-service.XXXXXX")
podman system service --time=0 "unix://$socket" >"$service_log" 2>&1 &
service_pid=$!
stop_service() {
  kill "$service_pid" 2>/dev/null || true
  wait "$service_pid" 2>/dev/null || true
  rm -f "$socket" "$service_log"
}
trap stop_service EXIT

for _ in $(seq 1 50); do
  curl -fsS --unix-socket "$socket" http://d/_ping >/dev/null 2>&1 && break
  sleep 0.2
done
if ! curl -fsS --unix-socket "$socket" http://d/_ping >/dev/null 2>&1; then
  log "podman system service did not start on $socket:"
  cat "$service_log" >&2
  exit 1
fi
log "podman $(podman --version | awk '{print $3}') serves the Docker API on $socket"

if [ $# -eq 0 ]; then
  set -- src/engine test/container test/e2e
fi
export DOCKER_HOST="unix://$socket"
export CI=true
npx vitest run "$@"
