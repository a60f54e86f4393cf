#!/usr/bin/env bash
# Profiles the cross-process benchmark with async-profiler in BOTH JVMs (the parent, which reads and
# pings, and the peer, which writes and echoes); one event per run (cpu or alloc).
#   bench/profile/profile.sh LIB OUTDIR EVENT [Main options...]
#   e.g. bench/profile/profile.sh /tmp/ap/linux-x64/libasyncProfiler.so /tmp/prof/bytes100 cpu \
#          --tput-only --workloads bytes100 --variants fifochan --rounds 3 --no-extras --no-charts
# LIB: libasyncProfiler.so (from the Maven Central jar tools.profiler:async-profiler:4.1:linux-x64,
# unzipped). EVENT: cpu (interval 1 ms) or alloc (every 512 KiB of TLAB/outside allocation, counted
# in bytes). Writes OUTDIR/EVENT-parent.collapsed and OUTDIR/EVENT-peer.collapsed (collapsed stacks,
# per thread, annotated: _[j] JIT, _[i] inlined, _[k] kernel); summarise with profile_summary.py.
# EVENT may also be a Java method, e.g. dev.fifochan.internal.ByteStreamSink.spill: async-profiler then
# instruments it and counts every call (with its stack), for exact per-message counts.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
lib="$1"; out="$2"; event="$3"; shift 3
mkdir -p "$out"
case "$event" in
  cpu) opts="event=cpu,interval=1ms" ;;
  alloc) opts="event=alloc,alloc=512k,total" ;;
  *.*) opts="event=$event,interval=1" ;; # a Java method (Class.method): every call counted, with its stack
  *) echo "event: cpu, alloc or a Java method (package.Class.method)" >&2; exit 2 ;;
esac
base="-Xms1g -Xmx1g -XX:+AlwaysPreTouch --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints"
agent="-agentpath:$lib=start,$opts,threads,ann,file"
cbin="$root/bench/target/c"
# shellcheck disable=SC2086
exec java $base "$agent=$out/$event-parent.collapsed" "-Dfifochan.bench.cbin=$cbin" "-Dfifochan.bench.root=$root" \
  -cp "$root/bench/target/fifochan-bench.jar" dev.fifochan.bench.Main \
  --child-jvm-args "$base $agent=$out/$event-peer.collapsed" --results-dir "$out/results" "$@"
