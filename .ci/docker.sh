#!/usr/bin/env bash
# Makes sure a Docker daemon answers, for the container tests (integration-tests, dev.fifochan.it.container).
#
#   bash .ci/docker.sh
#
# Idempotent: does nothing if `docker info` already answers. Otherwise installs Debian's docker.io if
# dockerd is missing (needs root and apt), starts dockerd in the background without iptables and
# without the default bridge (the tests use --network none and pull no image), and waits at most
# DOCKER_WAIT_SECONDS (default 60) for it to answer; exits non-zero with the daemon's log otherwise.
# The daemon's log goes to $DOCKERD_LOG (default: <repo>/target/ci/dockerd.log).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log="${DOCKERD_LOG:-$root/target/ci/dockerd.log}"
wait_seconds="${DOCKER_WAIT_SECONDS:-60}"

answers() { timeout 10 docker info >/dev/null 2>&1; }

if command -v docker >/dev/null 2>&1 && answers; then
  echo "docker.sh: the Docker daemon already answers"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  echo "docker.sh: dockerd or docker is missing; installing docker.io"
  if [ "$(id -u)" -ne 0 ]; then
    echo "docker.sh: FAILED: installing docker.io needs root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

# Start a daemon unless one is already starting (a second dockerd would fail on the pid file).
if ! pgrep -x dockerd >/dev/null 2>&1; then
  mkdir -p "$(dirname "$log")"
  echo "docker.sh: starting dockerd (log: $log)"
  setsid dockerd --iptables=false --bridge=none >"$log" 2>&1 < /dev/null &
fi

deadline=$((SECONDS + wait_seconds))
until answers; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "docker.sh: FAILED: the Docker daemon did not answer within ${wait_seconds} s" >&2
    if [ -f "$log" ]; then
      echo "--- last lines of $log ---" >&2
      tail -n 40 "$log" >&2
    fi
    exit 1
  fi
  sleep 0.5
done
echo "docker.sh: the Docker daemon answers ($(docker version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null || echo 'version unknown'))"
