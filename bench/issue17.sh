#!/usr/bin/env bash
# One run of every benchmark behind the README's performance table (issue 17), one after the other so they do
# not share the cores, each printing its figures next to a baseline measured in the same run.
#   bench/issue17.sh [log file]      (default: bench-issue17.log in the working directory)
# Needs what scripts/test.sh sets up: the venv, Redis, PostgreSQL, bubblewrap, Chromium, the Docker engine.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log="${1:-bench-issue17.log}"
py=.venv/bin/python
export CR_TEST_DOCKER_URL="${CR_TEST_DOCKER_URL:-unix:///run/cr-docker/docker.sock}"

run() {
  echo "=== $* ($(date -u +%H:%M:%S))"
  "$py" "$@" 2>&1
  echo "=== exit $?"
  echo
}

{
  echo "issue 17 benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r)"
  run bench/launch_throughput.py
  run bench/launch_throughput.py --workers 2   # as the Dockerfile serves the tool
  run bench/chat_turns.py
  run bench/run_latency.py
  run bench/sandbox_overhead.py
  run bench/docker_paths.py
  run bench/queue_throughput.py --skip-fork
} | tee "$log"
