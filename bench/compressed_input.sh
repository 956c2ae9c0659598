#!/usr/bin/env bash
# Compressed input: `kvtrace analyze` reading a .jsonl.gz / .jsonl.zst itself (decompressed
# on a thread of its own, beside the parsing) against decompressing in a separate process
# into a pipe, and against the plain file. Alternated runs, medians of wall time.
#
# Usage: bench/compressed_input.sh [--requests 1000000] [--runs 5] [--build build]
# The trace is built as bench/analyze_bench.py builds it (bench/make_big_trace, -DKVTRACE_BENCH=ON).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
requests=1000000
runs=5
build=build
while [ $# -gt 0 ]; do
  case $1 in
    --requests) requests=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "usage: $0 [--requests N] [--runs N] [--build DIR]" >&2; exit 64 ;;
  esac
done
build=$root/$build
kvtrace=$build/kvtrace

source=$root/../shared/data/traces/mooncake-conversation_trace.jsonl
if [ ! -f "$source" ]; then
  source=$root/examples/fast25-conversation-1k.jsonl
  echo "note: ../shared/data is absent; repeating $(basename "$source") instead" >&2
fi
data=$build/bench-data
mkdir -p "$data"
trace=$data/big-$requests.jsonl
if [ ! -f "$trace" ]; then
  echo "building $trace ..." >&2
  "$build/bench/make_big_trace" "$source" "$trace" "$requests"
fi
[ -f "$trace.gz" ] || gzip -c "$trace" > "$trace.gz"       # gzip's default level, 6
[ -f "$trace.zst" ] || zstd -q -c "$trace" > "$trace.zst"  # zstd's default level, 3

# Seconds of one run of a shell command line, its output discarded.
seconds() {
  local start end
  start=$(date +%s.%N)
  bash -c "$1" > /dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -A cmd
names=(plain gzip-self gzip-pipe zstd-self zstd-pipe)
cmd[plain]="'$kvtrace' analyze -f json '$trace'"
cmd[gzip-self]="'$kvtrace' analyze -f json '$trace.gz'"
cmd[gzip-pipe]="zcat '$trace.gz' | '$kvtrace' analyze -f json -"
cmd[zstd-self]="'$kvtrace' analyze -f json '$trace.zst'"
cmd[zstd-pipe]="zstdcat '$trace.zst' | '$kvtrace' analyze -f json -"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A times
bash -c "${cmd[plain]}" > /dev/null  # warms the page cache
for ((i = 0; i < runs; i++)); do
  for n in "${names[@]}"; do times[$n]+="$(seconds "${cmd[$n]}") "; done
done
declare -A med
for n in "${names[@]}"; do med[$n]=$(tr ' ' '\n' <<< "${times[$n]}" | grep . | median); done

mb() { echo "scale=0; $(stat -c %s "$1") / 1000000" | bc; }
echo
echo "Trace: $(basename "$trace"), $requests requests: plain $(mb "$trace") MB, .gz $(mb "$trace.gz") MB, .zst $(mb "$trace.zst") MB; medians of $runs alternated runs; load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| input | command | wall (s) | vs the pipe |"
echo "|---|---|---:|---:|"
row() { printf '| %s | `%s` | %.2f | %s |\n' "$1" "$2" "${med[$3]}" "$4"; }
ratio() { echo "scale=2; ${med[$2]} / ${med[$1]}" | bc -l; }
row "plain" "kvtrace analyze -f json big.jsonl" plain ""
row "gzip" "kvtrace analyze -f json big.jsonl.gz" gzip-self "$(ratio gzip-self gzip-pipe)"
row "gzip" "zcat big.jsonl.gz \| kvtrace analyze -f json -" gzip-pipe "1.00"
row "zstd" "kvtrace analyze -f json big.jsonl.zst" zstd-self "$(ratio zstd-self zstd-pipe)"
row "zstd" "zstdcat big.jsonl.zst \| kvtrace analyze -f json -" zstd-pipe "1.00"
echo
echo "(vs the pipe: the pipe's time over this one's; 1.00 or more is as fast as zcat | kvtrace)"
