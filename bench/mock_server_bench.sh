#!/bin/sh
# Starts `kvtrace mock-server`, drives it with bench/mock_server_load, stops it
# (bench/RESULTS.md, "Mock server"). Arguments after the server's are the load generator's:
#   bench/mock_server_bench.sh "--threads 2 --itl-ms 10" --connections 1500 --threads 2
set -eu
build=${BUILD:-build}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
server_args=$1
shift
# shellcheck disable=SC2086 # the server's flags are one word list on purpose
"$build/kvtrace" mock-server $server_args >"$out" 2>/dev/null &
pid=$!
while [ ! -s "$out" ]; do
  kill -0 "$pid" 2>/dev/null || { echo "mock-server did not start" >&2; exit 1; }
  sleep 0.1
done
port=$(head -1 "$out" | sed 's/.*://')
"$build/bench/mock_server_load" --port "$port" --server-pid "$pid" "$@"
kill -TERM "$pid"
wait "$pid"
