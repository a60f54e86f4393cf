#!/bin/sh
# Runs the two-host Compose example of docs/nats.md §9 and says whether it passed (exit code 0).
#
#   examples/compose/run.sh            # 100,000 messages
#   COUNT=1000 examples/compose/run.sh
#   SIDECAR=1 examples/compose/run.sh  # also host B's sidecar shape: bridge nats-to-fifo + a FIFO reader
#
# Needs: Linux amd64 with Debian's or Ubuntu's library layout, a Docker daemon on this machine (the JVM
# image mounts the host's JDK, so the daemon must see this file system), docker-compose (1.29, Debian's
# package) or the `docker compose` plugin, Java 17+, Go, Maven (only if cli/target/fifochan.jar is
# missing) and nats-server (/usr/sbin/nats-server, Debian's package, or NATS_SERVER=path).
# Nothing is pulled: every image is built here FROM scratch. Containers, the network and the images
# are removed at the end (KEEP_IMAGES=1 keeps the images).
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
root=$(cd "$here/../.." && pwd -P)
cd "$here"
export COUNT=${COUNT:-100000}
project=fifochan-compose
out=$here/target

if docker compose version >/dev/null 2>&1; then
  compose="docker compose"
elif command -v docker-compose >/dev/null 2>&1; then
  compose=docker-compose
else
  echo "run.sh: neither 'docker compose' nor docker-compose found (Debian: apt-get install docker-compose)" >&2
  exit 9
fi
docker info >/dev/null 2>&1 || { echo "run.sh: no Docker daemon answers (docker info)" >&2; exit 9; }
for d in /lib/x86_64-linux-gnu /lib64; do
  [ -d "$d" ] || { echo "run.sh: $d missing: this script expects Debian's/Ubuntu's amd64 layout" >&2; exit 9; }
done

# --- the programs --------------------------------------------------------------------------------
mkdir -p "$out/classes" "$out/nats-image" "$out/go-image" "$out/jvm-image"
if [ ! -f "$root/cli/target/fifochan.jar" ]; then
  echo "== building cli/target/fifochan.jar (mvn -q -DskipTests package -pl cli -am)"
  (cd "$root" && mvn -B -q -DskipTests package -pl cli -am)
fi
echo "== building the Go peer (CGO_ENABLED=0, static)"
(cd "$root/go/nats" && CGO_ENABLED=0 go build -trimpath -o "$out/fifochan-nats-peer" ./cmd/fifochan-nats-peer)
echo "== compiling Producer.java against the CLI jar"
javac -encoding UTF-8 -d "$out/classes" -cp "$root/cli/target/fifochan.jar" Producer.java

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java=$(readlink -f "$JAVA_HOME/bin/java")
else
  java=$(readlink -f "$(command -v java)")
fi
JAVA_HOME_REAL=$(dirname "$(dirname "$java")")
# Debian keeps lib/jvm.cfg and conf/ in /etc/java-NN-openjdk; other JDKs keep them inside.
JAVA_ETC=$(dirname "$(readlink -f "$JAVA_HOME_REAL/lib/jvm.cfg")")
export JAVA_HOME_REAL JAVA_ETC

# --- the images (FROM scratch, nothing pulled) ---------------------------------------------------
nats_server=${NATS_SERVER:-/usr/sbin/nats-server}
ctx=$out/nats-image
rm -rf "$ctx" && mkdir -p "$ctx/bin"
cp "$nats_server" "$ctx/bin/nats-server"
# Debian's nats-server links libc dynamically: copy in what ldd lists (for a static one, nothing).
for lib in $(ldd "$nats_server" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p'); do
  mkdir -p "$ctx$(dirname "$lib")"
  cp -L "$lib" "$ctx$lib"
done
printf 'FROM scratch\nCOPY . /\nENTRYPOINT ["/bin/nats-server"]\n' >"$ctx/Dockerfile"
cp "$out/fifochan-nats-peer" "$out/go-image/fifochan-nats-peer"
printf 'FROM scratch\nCOPY fifochan-nats-peer /fifochan-nats-peer\nENTRYPOINT []\n' >"$out/go-image/Dockerfile"
printf 'FROM scratch\nLABEL dev.fifochan.example=jvm-scratch\n' >"$out/jvm-image/Dockerfile"
echo "== building images"
export DOCKER_BUILDKIT=0   # the classic builder: no buildx needed, and the 20.10 daemon has it
docker build -q -t fifochan-compose/nats-server:local "$ctx" >/dev/null 2>"$out/build.log"
docker build -q -t fifochan-compose/go-peer:local "$out/go-image" >/dev/null 2>>"$out/build.log"
docker build -q -t fifochan-compose/jvm:local "$out/jvm-image" >/dev/null 2>>"$out/build.log"

# --- the run -------------------------------------------------------------------------------------
cleanup() {
  $compose -p "$project" --profile sidecar down -v --remove-orphans >/dev/null 2>&1 || true
  if [ -z "${KEEP_IMAGES:-}" ]; then
    docker rmi fifochan-compose/nats-server:local fifochan-compose/go-peer:local fifochan-compose/jvm:local \
      >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
$compose -p "$project" down -v --remove-orphans >/dev/null 2>&1 || true
profile=
if [ -n "${SIDECAR:-}" ]; then
  profile="--profile sidecar"
  rm -rf "$out/run" && mkdir -p "$out/run" && mkfifo -m 600 "$out/run/orders"
fi

echo "== $compose ${profile:+$profile }up ($COUNT messages)"
t0=$(date +%s.%N)
# Not --abort-on-container-exit: host-a finishing first would stop host-b before it has read everything.
$compose -p "$project" $profile up -d
a=$($compose -p "$project" ps -q host-a)
b=$($compose -p "$project" ps -q host-b)
code_b=$(timeout 600 docker wait "$b") || code_b=timeout
code_a=$(timeout 60 docker wait "$a") || code_a=timeout
code_app=0
if [ -n "$profile" ]; then
  app=$($compose -p "$project" $profile ps -q host-b-app)
  code_app=$(timeout 120 docker wait "$app") || code_app=timeout
  app_end=$(docker inspect -f '{{.State.FinishedAt}}' "$app")
fi
t1=$(date +%s.%N)
$compose -p "$project" $profile logs --no-color
started=$(docker inspect -f '{{.State.StartedAt}}' "$a")
finished=$(docker inspect -f '{{.State.FinishedAt}}' "$b")
echo "== host-a exit code: $code_a, host-b exit code: $code_b${profile:+, host-b-app exit code: $code_app}"
echo "== host-a start to host-b end: $(echo "$(date -d "$finished" +%s.%N) $(date -d "$started" +%s.%N)" | awk '{printf "%.2f", $1 - $2}') s;" \
  "compose up to all exited: $(echo "$t1 $t0" | awk '{printf "%.2f", $1 - $2}') s"
if [ -n "$profile" ]; then
  echo "== host-a start to host-b-app end (through the sidecar): $(echo "$(date -d "$app_end" +%s.%N) $(date -d "$started" +%s.%N)" | awk '{printf "%.2f", $1 - $2}') s"
fi
if [ "$code_a" = 0 ] && [ "$code_b" = 0 ] && [ "$code_app" = 0 ]; then
  echo "PASSED"
else
  echo "FAILED"
  exit 1
fi
