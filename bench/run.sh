#!/usr/bin/env bash
# Builds what the benchmark needs (if needed), compiles the C peers, and runs the cross-process
# benchmark: fifochan, its baselines and its peers (C, Aeron IPC, gRPC over a Unix domain socket)
# interleaved, then the extras (JMH, first FIFO open, CLI send, Go benchmarks, memory); prints the
# tables and every target's verdict, and writes CSV files and PNG charts to a results directory.
#   bench/run.sh                 # 5 interleaved rounds (plus one warm-up round), different CPUs (+ same-CPU round trips)
#   bench/run.sh --quick         # 3 rounds, a fifth of the counts
#   bench/run.sh --smoke         # seconds: 1 round, tiny counts; checks counts only (exit code 1 on any failure)
#   bench/run.sh --cpus same     # both processes on CPU 0
#   bench/run.sh --variants fifochan,raw,c --workloads bytes100 --no-extras
# Any other arguments go to dev.fifochan.bench.Main (see docs/benchmarks.md). JVM options:
# BENCH_JVM_OPTS (default below); the Aeron export is always added. C compiler: CC (default cc).
# Results: bench/target/results/<UTC time>/ (results.md, trials.csv, summary.csv, targets.csv, charts/*.png),
# unless --results-dir DIR is given.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/bench/target/fifochan-bench.jar"
cli_jar="$root/cli/target/fifochan.jar"
if [[ ! -f "$jar" || -n "$(find "$root/bench/src" "$root/bench/pom.xml" "$root/api/src/main" "$root/transport-fifo/src" "$root/transport-nats/src/main" \
      "$root/codec-json/src/main" "$root/codec-protobuf/src/main" "$root/rpc/src/main" -newer "$jar" -type f 2>/dev/null | head -1)" ]]; then
  echo "# mvn -q -B -pl bench -am package -DskipTests" >&2
  (cd "$root" && mvn -q -B -pl bench -am package -DskipTests)
fi
# The CLI jar is only needed by the "cli" extra: a CLI that does not build skips that extra (with its reason).
if [[ ! -f "$cli_jar" || -n "$(find "$root/cli/src/main" -newer "$cli_jar" -type f 2>/dev/null | head -1)" ]]; then
  echo "# mvn -q -B -pl cli -am package -DskipTests" >&2
  (cd "$root" && mvn -q -B -pl cli -am package -DskipTests >/dev/null 2>&1) \
    || echo "# the CLI does not build (mvn -B -pl cli -am package shows why): the cli extra will be skipped" >&2
fi

# The C programs (bench/c): compiled here with the system compiler; no binaries are committed.
cc="${CC:-cc}"
cbin="$root/bench/target/c"
cprops=()
if command -v "$cc" >/dev/null 2>&1; then
  mkdir -p "$cbin"
  for prog in fifo_tput fifo_pingpong; do
    if [[ ! -x "$cbin/$prog" || "$root/bench/c/$prog.c" -nt "$cbin/$prog" ]]; then
      echo "# $cc -O2 -Wall -o bench/target/c/$prog bench/c/$prog.c" >&2
      "$cc" -O2 -Wall -o "$cbin/$prog" "$root/bench/c/$prog.c"
    fi
  done
  cprops=("-Dfifochan.bench.cbin=$cbin")
else
  echo "# no C compiler ($cc): the C peer will be skipped (under CI=true the run fails)" >&2
fi

results="$root/bench/target/results/$(date -u +%Y%m%d-%H%M%S)"
# shellcheck disable=SC2086  # BENCH_JVM_OPTS is a list of options
exec java ${BENCH_JVM_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch} --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
  "${cprops[@]}" "-Dfifochan.bench.root=$root" -cp "$jar" dev.fifochan.bench.Main --results-dir "$results" "$@"
