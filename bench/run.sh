#!/usr/bin/env bash
# Raises the file-descriptor limit (thousands of sockets on each side) and runs the benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
want=65536
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then want=$hard; fi
ulimit -n "$want"
exec node --import tsx bench/run.ts "$@"
