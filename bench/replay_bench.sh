#!/usr/bin/env bash
# End-to-end replay benchmark against kvtrace mock-server on loopback (bench/RESULTS.md,
# "## Replay"): (1) throughput: Poisson arrivals at RATE req/s of 64-token streams, reporting
# achieved request throughput and scheduler lateness; (2) open streams: a closed loop of
# STREAMS concurrent slow streams, reporting how many were held open at once.
# Usage: bench/replay_bench.sh [RATE=2000] [SECONDS=10] [STREAMS=5000]
# NICE=-10 runs the client at that niceness (as root): on a shared machine it keeps the
# client's wake-ups from waiting behind other processes (lateness is then the client's own).
set -euo pipefail
cd "$(dirname "$0")/.."
kvtrace=${KVTRACE:-build/kvtrace}
rate=${1:-2000}
seconds=${2:-10}
streams=${3:-5000}
work=$(mktemp -d)
servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Requests with token-id prompts (no tokenizer work on the server) of 64 output tokens.
make_requests() {  # count file
  awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
    printf "{\"index\":%d,\"timestamp\":0,\"body\":{\"model\":\"m\",\"prompt\":[%d,1,2,3,4,5,6,7],\"max_tokens\":64,\"stream\":true}}\n", i, i }' >"$2"
}

# Sets $url; not in a command substitution, whose subshell would lose the server's pid.
start_server() {  # out-file args...
  local out=$1
  shift
  "$kvtrace" mock-server --port 0 --capacity 0 "$@" >"$out" 2>"$out.err" &
  servers+=($!)
  for _ in $(seq 100); do [[ -s $out ]] && break; sleep 0.1; done
  url=$(sed -n 's/^listening on //p' "$out" | head -1)
}

echo "== throughput: --rate $rate for ${seconds} s, 64 tokens per stream, ITL 10 ms"
make_requests $((rate * seconds)) "$work/rate.jsonl"
start_server "$work/s1.out" --ttft-ms 5 --itl-ms 10
${NICE:+nice -n "$NICE"} /usr/bin/time -f "client: %e s wall, %U s user, %S s sys, %M KB max RSS" \
  "$kvtrace" replay "$work/rate.jsonl" --url "$url" --rate "$rate" --tokenizer none \
  --output-dir "$work/rate"
python3 - "$work/rate/records.jsonl" "$work/rate/summary.json" <<'PY'
import json, sys
starts, ends = [], []
for line in open(sys.argv[1]):
    r = json.loads(line)
    starts.append(r["start_ms"])
    if r["ok"]:
        ends.append(r["end_ms"])
# Completions per second in the steady state: from 2 s after the first send (the first
# responses take about one E2E to come back) to the last send (the run's tail excluded).
window = (min(starts) + 2000, max(starts))
done = sum(1 for e in ends if window[0] <= e <= window[1])
s = json.load(open(sys.argv[2]))
l = s["lateness_ms"]
span = (window[1] - window[0]) / 1e3
sent_rate = len(starts) / ((max(starts) - min(starts)) / 1e3)
print(f"throughput: {s['completed']} of {s['requests']} completed; sent {sent_rate:.0f} req/s, "
      f"completed {done / span:.0f} req/s in the steady state ({s['request_throughput']:.0f} req/s over "
      f"the whole run, {s['output_token_throughput']:.0f} tokens/s); lateness p50 "
      f"{l['median']:.3f} ms, p99 {l['p99']:.3f} ms, max {l['max']:.3f} ms; errors {s['errors']}")
PY

echo "== open streams: --concurrency $streams, 64 tokens per stream, ITL 100 ms"
make_requests $((streams * 2)) "$work/conc.jsonl"
start_server "$work/s2.out" --ttft-ms 5 --itl-ms 100
${NICE:+nice -n "$NICE"} /usr/bin/time -f "client: %e s wall, %U s user, %S s sys, %M KB max RSS" \
  "$kvtrace" replay "$work/conc.jsonl" --url "$url" --concurrency "$streams" --tokenizer none \
  --output-dir "$work/conc"
python3 - "$work/conc/records.jsonl" "$work/conc/summary.json" <<'PY'
import json, sys
events = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["ok"]:
        # Open from the first token to the end: the stream was being served.
        events.append((r["first_token_ms"], 1))
        events.append((r["end_ms"], -1))
events.sort()
open_now = peak = 0
for _, d in events:
    open_now += d
    peak = max(peak, open_now)
s = json.load(open(sys.argv[2]))
print(f"open streams: peak {peak} streaming at once; {s['completed']} of {s['requests']} completed, "
      f"errors {s['errors']}, {s['request_throughput']:.0f} req/s")
PY
