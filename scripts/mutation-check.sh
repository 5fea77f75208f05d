#!/usr/bin/env bash
# The mutation check: break each guard of money, idempotence and secrets, one at a time, in a copy of the tree, and
# see the unit tests named for it fail (tests/mutation/mutation_check.py; docs/testing.md, "Mutation check").
#
#   scripts/mutation-check.sh                 every mutation, one after the other
#   scripts/mutation-check.sh --jobs 2        two at a time (each in its own copy)
#   scripts/mutation-check.sh -k cyberssl     only the mutations whose guard or description mention it
#   scripts/mutation-check.sh --list          the mutations and their tests, nothing run
#
# The working tree is never changed: the files git knows about are copied to build/mutation/copy-<n>/ (each with its
# own build/collections link to itself). The table (guard, mutation, the test that caught it) is printed and written
# to build/mutation/report.md. Exit status 1 when a mutation survived, ended in an error, or its original text is no
# longer in the code, or when the named tests do not pass on the unchanged tree. Runs in .venv (scripts/test.sh
# creates it).
set -uo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091  # followed with shellcheck -x (as ansible-test runs it)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT" || exit 1

case "${1:-}" in
    -h | --help)
        script_usage "${BASH_SOURCE[0]}"
        "$VENV/bin/python" tests/mutation/mutation_check.py --help 2>/dev/null | sed -n '/^options:/,$p'
        exit 0
        ;;
esac

[ -x "$VENV/bin/python" ] || die "no $VENV: run scripts/test.sh unit (or any stage) once to create it"
exec "$VENV/bin/python" tests/mutation/mutation_check.py "$@"
