#!/usr/bin/env bash
# Benchmark the collection against hand-written ansible.builtin.uri playbooks (tests/perf/, docs/performance.md).
#
#   scripts/bench.sh                          every scenario at 0 and 30 ms each way, 3 repetitions
#   scripts/bench.sh --quick                  smoke run: records-10 once at 0 ms (what scripts/test.sh runs)
#   scripts/bench.sh --latency-ms 30 --repeat 5 --scenarios records-200,hosts-200
#   scripts/bench.sh --repeat-for records-1000=1          fewer repetitions for one scenario
#   scripts/bench.sh --collection-root /tmp/other --output before    another checkout, into build/bench/before.md
#
# Runs tests/perf/bench.py in .venv (created by scripts/test.sh); the table is printed and written to
# build/bench/<output>.md (+ .json, logs in build/bench/logs/<output>/). Exit status 1 when a scenario broke.
set -uo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091  # followed with shellcheck -x (as ansible-test runs it)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT" || exit 1

case "${1:-}" in
    -h | --help)
        script_usage "${BASH_SOURCE[0]}"
        "$VENV/bin/python" tests/perf/bench.py --help 2>/dev/null | sed -n '/^options:/,$p'
        exit 0
        ;;
esac

[ -x "$VENV/bin/python" ] && [ -x "$VENV/bin/ansible-playbook" ] ||
    die "no $VENV with ansible-core: run scripts/test.sh unit (or any stage) once to create it"
ensure_collection_link
mkdir -p "$BUILD/bench"
activate_path "$VENV"
exec python tests/perf/bench.py "$@"
