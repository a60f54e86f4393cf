#!/usr/bin/env bash
# Builds the bench module if needed and runs the cross-process benchmark.
#   bench/run.sh                 # 5 interleaved rounds (plus one warm-up round), different CPUs
#   bench/run.sh --quick         # 3 rounds, smaller counts
#   bench/run.sh --quick --smoke # a few seconds, checks counts only
#   bench/run.sh --cpus same     # both processes on CPU 0
# Any other arguments go to dev.fifochan.bench.Main. JVM options: BENCH_JVM_OPTS (default below).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/bench/target/fifochan-bench.jar"
if [[ ! -f "$jar" || -n "$(find "$root/bench/src" "$root/api/src/main" "$root/transport-fifo/src/main" \
      "$root/codec-json/src/main" "$root/codec-protobuf/src/main" -newer "$jar" -type f 2>/dev/null | head -1)" ]]; then
  (cd "$root" && mvn -q -B -pl bench -am package -DskipTests)
fi
exec java ${BENCH_JVM_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch} -cp "$jar" dev.fifochan.bench.Main "$@"
