#!/usr/bin/env bash
# Run the whole test suite (what .ci/run calls), or selected stages of it.
#
#   scripts/test.sh                 every stage
#   scripts/test.sh --quick         unit + integration on the main core only
#   scripts/test.sh STAGE...        only these stages, e.g. `scripts/test.sh sanity lint`
#   scripts/test.sh --skip-second-core [STAGE...]
#                                   leave out the second core (integration-313, sanity-313), e.g. on a machine
#                                   without Python 3.13; SKIP_SECOND_CORE=1 does the same. Without it, a missing
#                                   Python 3.13 FAILS the run. What was left out is named as NOT RUN in the results
#                                   table and on the summary line.
#
# Stages (in the order they start):
#   integration      pytest tests/integration (real ansible-playbook against the emulators)  .venv (Python 3.11,
#                    ansible-core 2.19)
#   matrix           the fault matrix: every fault kind x first/middle/last write x every write endpoint
#   integration-313  pytest tests/integration                       .venv-313 (Python 3.13, ansible-core 2.21), without the
#                    tests marked main_core_only: every module through its EXAMPLES (twice: they run here only), the
#                    roles, the no-log checks
#   unit             pytest tests/unit                              .venv
#   bench-quick      scripts/bench.sh --quick: the benchmark's smoke run (tests/perf, docs/performance.md)
#   sanity           ansible-test sanity --local --python 3.11 on a copy in build/sanity/
#   lint             ansible-lint --profile production
#   sanity-313       ansible-test sanity --local --python 3.13 on a copy in build/sanity-313/: the tests that depend on
#                    the core or the Python version (SANITY_313_TESTS: ansible-doc, validate-modules, import, compile...)
#   release          scripts/release-check.sh: the tarball built, its changelog and documentation linted
#                    (antsibull-changelog, antsibull-docs), galaxy-importer on it, installed into an empty collections
#                    path and one module run from there (docs/release.md)
#   core2            = integration-313 sanity-313
#
# Side by side (the suite is bound by CPU; these leave a core idle on their own): the matrix and sanity run in the
# background beside the integration stage; unit, bench-quick, lint, sanity-313 and release beside integration-313. A background
# stage's output is printed when the foreground stage is done. SIDE_BY_SIDE=0 runs every stage on its own. The two
# venvs are built at the same time.
#
# The virtual environments are created first (and re-created only when their
# requirements files change). Every selected stage runs even when an earlier one
# failed; the last line is `summary: N passed, M failed` (followed by `; NOT RUN: ...` when
# stages were left out on request) and the exit status is 1 when anything failed. A pytest
# stage that collects no test fails. Extra pytest options can be given in PYTEST_ADDOPTS; the integration
# stages run their targets on INTEGRATION_WORKERS pytest-xdist workers (default 3, 1 = none).
set -uo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT" || exit 1

ALL_STAGES=(integration matrix integration-313 unit bench-quick sanity lint sanity-313 release)

usage() {
    sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -uo/d' -e 's/^# \{0,1\}//'
}

SECOND_CORE_STAGES=(integration-313 sanity-313)
SKIP_SECOND_CORE="${SKIP_SECOND_CORE:-0}"
selected=()
for arg in "$@"; do
    case "$arg" in
        -h | --help) usage; exit 0 ;;
        --skip-second-core) SKIP_SECOND_CORE=1 ;;
        --quick) selected+=(unit integration) ;;
        all) selected+=("${ALL_STAGES[@]}") ;;
        core2) selected+=(integration-313 sanity-313) ;;
        unit | integration | bench-quick | matrix | sanity | lint | integration-313 | sanity-313 | release) selected+=("$arg") ;;
        *) usage >&2; die "unknown stage or option: $arg" ;;
    esac
done
[ "${#selected[@]}" -gt 0 ] || selected=("${ALL_STAGES[@]}")

# Keep the canonical order, drop duplicates; with --skip-second-core (SKIP_SECOND_CORE=1) leave out the second core's
# stages, and remember them: they are reported as NOT RUN.
case "$SKIP_SECOND_CORE" in
    0 | '') SKIP_SECOND_CORE=0 ;;
    1) ;;
    *) die "SKIP_SECOND_CORE must be 0 or 1, got '$SKIP_SECOND_CORE'" ;;
esac
stages=()
not_run=()
for stage in "${ALL_STAGES[@]}"; do
    for want in "${selected[@]}"; do
        if [ "$want" = "$stage" ]; then
            case " ${SECOND_CORE_STAGES[*]} " in
                *" $stage "*) if [ "$SKIP_SECOND_CORE" = 1 ]; then not_run+=("$stage"); break; fi ;;
            esac
            stages+=("$stage")
            break
        fi
    done
done
[ "${#stages[@]}" -gt 0 ] || die "nothing to run: only second-core stages were selected, and --skip-second-core (or SKIP_SECOND_CORE=1) leaves them out"

PASSED=0
FAILED=0
SKIPPED_TESTS=0
REPORT=()
JUNIT_DIR="$BUILD/junit"
mkdir -p "$JUNIT_DIR"
SUITE_START="$(now)"

header() {
    printf '\n%s\n== %s\n%s\n' "$(printf '=%.0s' {1..78})" "$*" "$(printf '=%.0s' {1..78})"
}

# record NAME STATUS SECONDS DETAIL
record() {
    REPORT+=("$(printf '%-16s %-8s %7ss  %s' "$1" "$2" "$3" "$4")")
    printf -- '-- %s: %s in %ss%s\n' "$1" "$2" "$3" "${4:+ ($4)}"
}

# ---------------------------------------------------------------- venvs
needs() {
    local stage
    for stage in "${stages[@]}"; do
        case "$1:$stage" in
            main:unit | main:integration | main:bench-quick | main:matrix | main:sanity | main:lint | main:release) return 0 ;;
            313:integration-313 | 313:sanity-313) return 0 ;;
        esac
    done
    return 1
}

VENV_OK=0
VENV313_OK=0

# The two venvs are built at the same time (pip mostly waits on downloads and unpacking): .venv-313 in the
# background, its output printed after .venv's.
setup_venvs() {
    local start python python313='' pid313='' log313="$BUILD/stages/venv-313.log"
    start="$(now)"
    if needs 313; then
        if ! python313="$(python313)" || [ -z "$python313" ]; then
            python313=''
        else
            mkdir -p "$(dirname "$log313")"
            ensure_venv "$VENV313" "$python313" requirements-dev-313.txt constraints-dev-313.txt requirements.txt \
                >"$log313" 2>&1 &
            pid313=$!
        fi
    fi
    if needs main; then
        header "venv: .venv (requirements-dev.txt)"
        if python="$(python311)" && [ -n "$python" ] &&
            ensure_venv "$VENV" "$python" requirements-dev.txt constraints-dev.txt requirements.txt; then
            VENV_OK=1
            record venv ok "$(elapsed "$start" "$(now)")" "$("$VENV/bin/python" --version 2>&1), $("$VENV/bin/ansible" --version | sed -n 1p)"
        else
            FAILED=$((FAILED + 1))
            record venv FAILED "$(elapsed "$start" "$(now)")" "could not create .venv"
        fi
    fi
    if needs 313; then
        header "venv: .venv-313 (requirements-dev-313.txt)"
        if [ -z "$python313" ]; then
            # Not a skip: the second core's stages fail (no .venv-313). Leaving them out is the user's call, by name.
            printf '\n%s\n' "$(printf '!%.0s' {1..78})" >&2
            if [ -n "${PYTHON313:-}" ]; then
                warn "PYTHON313=$PYTHON313 is not a working Python 3.13."
            else
                warn "no working Python 3.13 found (tried /root/.pyenv/versions/3.13.0/bin/python3.13, ~/.pyenv/versions/3.13*/, python3.13 on PATH; set PYTHON313=/path/to/python3.13)."
            fi
            warn "THE SECOND CORE (ansible-core 2.21: ${SECOND_CORE_STAGES[*]}) CANNOT RUN: THIS RUN FAILS."
            warn "To leave it out on purpose: scripts/test.sh --skip-second-core (or SKIP_SECOND_CORE=1)."
            printf '%s\n' "$(printf '!%.0s' {1..78})" >&2
            FAILED=$((FAILED + 1))
            record venv-313 FAILED "$(elapsed "$start" "$(now)")" "no Python 3.13 (PYTHON313=..., or --skip-second-core)"
        elif wait "$pid313"; then
            cat "$log313"
            VENV313_OK=1
            record venv-313 ok "$(elapsed "$start" "$(now)")" "$("$VENV313/bin/python" --version 2>&1), $("$VENV313/bin/ansible" --version | sed -n 1p)"
        else
            cat "$log313"
            FAILED=$((FAILED + 1))
            record venv-313 FAILED "$(elapsed "$start" "$(now)")" "could not create .venv-313"
        fi
    fi
}

# ---------------------------------------------------------------- stage bodies
# Each prints its own output and sets STAGE_PASSED / STAGE_FAILED / STAGE_DETAIL.

# junit_counts PYTHON FILE -> "passed failed skipped"
junit_counts() {
    "$1" - "$2" <<'EOF'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == 'testsuite' else root.iter('testsuite')
tests = failed = skipped = 0
for suite in suites:
    tests += int(suite.get('tests', 0))
    failed += int(suite.get('failures', 0)) + int(suite.get('errors', 0))
    skipped += int(suite.get('skipped', 0))
print(tests - failed - skipped, failed, skipped)
EOF
}

# Integration targets run on this many pytest-xdist workers, each with its own emulators (1: no xdist).
# Three on two cores: several targets mostly wait (injected timeouts, 429 back-off), so a third overlaps them.
INTEGRATION_WORKERS="${INTEGRATION_WORKERS:-3}"
# The fault matrix mostly waits (timeouts, backoff): more workers than cores pay off there.
MATRIX_WORKERS="${MATRIX_WORKERS:-6}"
XDIST=()
if [ "$INTEGRATION_WORKERS" -gt 1 ] 2>/dev/null; then
    # worksteal: an idle worker takes unstarted tests from a busy one (tests/conftest.py deals the long ones out)
    XDIST=(-n "$INTEGRATION_WORKERS" --dist worksteal)
fi

# run_pytest VENV LABEL PATH [PYTEST ARGS...]
run_pytest() {
    local venv="$1" label="$2" path="$3" junit rc counts p f s
    shift 3
    junit="$JUNIT_DIR/$label.xml"
    rm -f "$junit"
    if [ -z "$(find "$path" -name 'test_*.py' -print -quit 2>/dev/null)" ]; then
        warn "$path holds no test files"
    fi
    (
        activate_path "$venv"
        ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_PATH" python -m pytest "$path" --junitxml="$junit" "$@"
    )
    rc=$?
    if [ ! -s "$junit" ]; then
        STAGE_PASSED=0 STAGE_FAILED=1 STAGE_DETAIL="pytest exited $rc without a junit report"
        return
    fi
    counts="$(junit_counts "$venv/bin/python" "$junit")" || counts="0 1 0"
    read -r p f s <<<"$counts"
    SKIPPED_TESTS=$((SKIPPED_TESTS + s))
    case "$rc" in
        0) ;;
        5)
            # A stage that runs nothing proves nothing: a wrong path, a -k or -m that matches no test, a collection
            # that found no test files. It fails.
            warn "pytest collected no tests in $path: the stage FAILS"
            STAGE_PASSED=0 STAGE_FAILED=1 STAGE_DETAIL="collected no tests (rc=5); $junit"
            return
            ;;
        *) [ "$f" -gt 0 ] || f=1 ;;
    esac
    STAGE_PASSED=$p STAGE_FAILED=$f STAGE_DETAIL="$p passed, $f failed, $s skipped; rc=$rc; $junit"
}

# The second core's sanity tests: those whose result depends on the ansible-core release or the Python version (the
# module documentation schema, the import rules, the runtime metadata, the byte-compiling). The style and lint tests
# (pylint, pep8, yamllint, shellcheck, the no-* greps...) check how the code is written, not how it uses the core, and
# run on the main core only: on a fresh machine each costs a virtual environment of its own per core, and pylint alone
# about 80 CPU-seconds (2.21's ansible-test pins a newer pylint: a rule only it has is not checked).
SANITY_313_TESTS=(action-plugin-docs ansible-doc compile empty-init ignores import runtime-metadata validate-modules)

# run_sanity VENV COPYNAME PYTHON_VERSION [TEST...]   (no TEST: every sanity test)
run_sanity() {
    local venv="$1" copy="$2" pyver="$3" dest rc test selection=()
    shift 3
    for test in "$@"; do
        selection+=(--test "$test")
    done
    STAGE_PASSED=0 STAGE_FAILED=1
    if ! ensure_get_pip_cache "$venv"; then
        STAGE_DETAIL="could not install the get-pip cache"
        return
    fi
    if ! dest="$(prepare_collection_copy "$copy")"; then
        STAGE_DETAIL="could not copy the collection to build/$copy"
        return
    fi
    log "copied $(cd "$dest" && git ls-files | wc -l) files to $dest"
    (
        cd "$dest" || exit 1
        activate_path "$venv"
        ansible-test sanity --local --python "$pyver" "${selection[@]}"
    )
    rc=$?
    if [ "$rc" -eq 0 ]; then
        STAGE_PASSED=1 STAGE_FAILED=0 STAGE_DETAIL="ansible-test sanity --python $pyver${1:+: $*}"
    else
        STAGE_DETAIL="rc=$rc; details in ${dest#"$ROOT"/}/tests/output/"
    fi
}

run_lint() {
    local rc
    (
        activate_path "$VENV"
        color=()
        [ -t 1 ] || color=(--nocolor)
        ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_PATH:$AWX_COLLECTIONS_PATH" ansible-lint --profile production "${color[@]}"
    )
    rc=$?
    if [ "$rc" -eq 0 ]; then
        STAGE_PASSED=1 STAGE_FAILED=0 STAGE_DETAIL="production profile"
    else
        STAGE_PASSED=0 STAGE_FAILED=1 STAGE_DETAIL="rc=$rc"
    fi
}

# The benchmark's smoke run (records-10 once at 0 ms): fails when a scenario breaks, not on its timings.
run_bench_quick() {
    local rc
    (
        activate_path "$VENV"
        "$ROOT/scripts/bench.sh" --quick
    )
    rc=$?
    if [ "$rc" -eq 0 ]; then
        STAGE_PASSED=1 STAGE_FAILED=0 STAGE_DETAIL="scripts/bench.sh --quick; build/bench/quick.md"
    else
        STAGE_PASSED=0 STAGE_FAILED=1 STAGE_DETAIL="rc=$rc; logs in build/bench/logs/quick/"
    fi
}

# The release check (docs/release.md): the built tarball through antsibull-changelog, antsibull-docs, galaxy-importer,
# installed into an empty collections path, one module run from there.
run_release_check() {
    if "$ROOT/scripts/release-check.sh"; then
        STAGE_PASSED=1 STAGE_FAILED=0 STAGE_DETAIL="scripts/release-check.sh; build/release/"
    else
        STAGE_PASSED=0 STAGE_FAILED=1 STAGE_DETAIL="rc=$?; scripts/release-check.sh names the failed steps"
    fi
}

run_stage() {
    local stage="$1" start status
    STAGE_PASSED=0 STAGE_FAILED=0 STAGE_DETAIL=''
    case "$stage" in
        unit) header "unit: pytest tests/unit (Python 3.11, ansible-core 2.19)" ;;
        integration) header "integration: pytest tests/integration (Python 3.11, ansible-core 2.19)" ;;
        bench-quick) header "bench-quick: scripts/bench.sh --quick (Python 3.11, ansible-core 2.19)" ;;
        matrix) header "matrix: the fault matrix, $MATRIX_WORKERS workers (Python 3.11, ansible-core 2.19)" ;;
        sanity) header "sanity: ansible-test sanity --local --python 3.11 (ansible-core 2.19)" ;;
        lint) header "lint: ansible-lint --profile production" ;;
        integration-313) header "integration-313: pytest tests/integration (Python 3.13, ansible-core 2.21)" ;;
        sanity-313) header "sanity-313: ansible-test sanity --local --python 3.13 (ansible-core 2.21): ${SANITY_313_TESTS[*]}" ;;
        release) header "release: scripts/release-check.sh (the tarball: changelog, build, install, docs, galaxy-importer, one module)" ;;
    esac
    start="$(now)"
    case "$stage" in
        *-313) [ "$VENV313_OK" = 1 ] || { STAGE_FAILED=1 STAGE_DETAIL="no .venv-313"; } ;;
        *) [ "$VENV_OK" = 1 ] || { STAGE_FAILED=1 STAGE_DETAIL="no .venv"; } ;;
    esac
    if [ "$STAGE_FAILED" = 0 ]; then
        case "$stage" in
            unit) run_pytest "$VENV" unit tests/unit ;;
            integration) run_pytest "$VENV" integration tests/integration -m 'not matrix and not second_core_only' "${XDIST[@]}" ;;
            bench-quick) run_bench_quick ;;
            matrix) run_pytest "$VENV" matrix tests/integration/test_fault_matrix.py -n "$MATRIX_WORKERS" ;;
            sanity) run_sanity "$VENV" sanity 3.11 ;;
            lint) run_lint ;;
            integration-313) run_pytest "$VENV313" integration-313 tests/integration -m 'not matrix and not main_core_only' "${XDIST[@]}" ;;
            sanity-313) run_sanity "$VENV313" sanity-313 3.13 "${SANITY_313_TESTS[@]}" ;;
            release) run_release_check ;;
        esac
    fi
    PASSED=$((PASSED + STAGE_PASSED))
    FAILED=$((FAILED + STAGE_FAILED))
    if [ "$STAGE_FAILED" -gt 0 ]; then status=FAILED; else status=passed; fi
    record "$stage" "$status" "$(elapsed "$start" "$(now)")" "$STAGE_DETAIL"
}

# ---------------------------------------------------------------- main
log "stages: ${stages[*]}"
[ "${#not_run[@]}" -eq 0 ] || warn "left out on request (--skip-second-core / SKIP_SECOND_CORE=1): ${not_run[*]}"
ensure_collection_link
setup_venvs
selected_stage() {
    local stage
    for stage in "${stages[@]}"; do
        [ "$stage" = "$1" ] && return 0
    done
    return 1
}

# The collections from outside ansible-core, which ship only inside the `ansible` package's wheel (build/cache keeps
# it): community.crypto (the roles make keys and CSRs with it) into build/collections, beside the link to this
# checkout; awx.awx (extensions/awx/register_credential_types.yml: its tests and ansible-lint) into
# build/collections-awx. A failed fetch fails the run.
AWX_COLLECTIONS_PATH="$BUILD/collections-awx"
if [ "$VENV_OK" = 1 ]; then
    header "collections: scripts/fetch-collections.sh"
    start="$(now)"
    if "$ROOT/scripts/fetch-collections.sh" community.crypto awx.awx; then
        record collections ok "$(elapsed "$start" "$(now)")" "community.crypto, awx.awx"
    else
        FAILED=$((FAILED + 1))
        record collections FAILED "$(elapsed "$start" "$(now)")" "could not fetch community.crypto and awx.awx"
    fi
fi

# Stages that run side by side. The suite is bound by CPU on two cores, so stages share the machine where one alone
# leaves a core idle: the fault matrix mostly waits (timeouts, back-off) and ansible-test sanity uses about one core
# (and waits on pip building its virtual environments), beside the integration stage; the unit tests and ansible-lint
# use about one core each, beside the second core's integration stage. Sanity is the longest stage of the second
# group when it runs there, and its end then ran alone on one core (a fresh-clone run: 77 % and 31 % of the two cores
# busy in its last two minutes, against 95-100 % before); beside the integration stage, which keeps both cores busy to
# its end, it ends well before that stage does. The first
# selected stage of a group runs in the foreground (its output live); the others run in the background, each with its
# output kept in build/stages/<stage>/output.log, printed (and its result recorded) once the foreground stage is done.
# SIDE_BY_SIDE=0 runs every stage on its own, one after the other.
GROUPS_OF_STAGES=('integration matrix sanity' 'integration-313 unit bench-quick lint sanity-313 release')
BG_DIR="$BUILD/stages"
BG_PIDS=()
BG_STAGES=()

group_of() {
    local group member
    for group in "${GROUPS_OF_STAGES[@]}"; do
        for member in $group; do
            if [ "$member" = "$1" ]; then
                printf '%s\n' "$group"
                return 0
            fi
        done
    done
    return 1
}

start_in_background() {
    local stage="$1" dir="$BG_DIR/$1"
    rm -rf "$dir"
    mkdir -p "$dir"
    # the counts before the stage: the background stage's own counts are what it adds to them
    printf '%s %s %s\n' "$PASSED" "$FAILED" "$SKIPPED_TESTS" >"$dir/base"
    (
        run_stage "$stage" >"$dir/output.log" 2>&1
        printf '%s %s %s\n' "$PASSED" "$FAILED" "$SKIPPED_TESTS" >"$dir/counts"
        printf '%s\n' "${REPORT[@]: -1}" >"$dir/report"
    ) &
    BG_PIDS+=($!)
    BG_STAGES+=("$stage")
    log "$stage: started in the background (pid $!, output in ${dir#"$ROOT"/}/output.log)"
}

finish_in_background() {
    local n p f s p0 f0 s0 dir
    for n in "${!BG_PIDS[@]}"; do
        wait "${BG_PIDS[$n]}"
        dir="$BG_DIR/${BG_STAGES[$n]}"
        cat "$dir/output.log"
        if read -r p f s <"$dir/counts" 2>/dev/null && read -r p0 f0 s0 <"$dir/base"; then
            PASSED=$((PASSED + p - p0))
            FAILED=$((FAILED + f - f0))
            SKIPPED_TESTS=$((SKIPPED_TESTS + s - s0))
            REPORT+=("$(cat "$dir/report")")
        else
            FAILED=$((FAILED + 1))
            record "${BG_STAGES[$n]}" FAILED 0.0 "the background stage left no result"
        fi
    done
    BG_PIDS=()
    BG_STAGES=()
}

done_stages=' '
for stage in "${stages[@]}"; do
    case "$done_stages" in *" $stage "*) continue ;; esac
    members=("$stage")
    if [ "${SIDE_BY_SIDE:-1}" = 1 ] && group="$(group_of "$stage")"; then
        members=()
        for member in $group; do
            selected_stage "$member" && members+=("$member")
        done
    fi
    for member in "${members[@]:1}"; do
        start_in_background "$member"
    done
    run_stage "${members[0]}"
    finish_in_background
    done_stages+="${members[*]} "
done

# Stages left out on request: in the table, and named on the summary line, so a green run never hides them.
not_run_note=''
if [ "${#not_run[@]}" -gt 0 ]; then
    for stage in "${not_run[@]}"; do
        record "$stage" 'NOT RUN' 0.0 "left out on request (--skip-second-core / SKIP_SECOND_CORE=1): ansible-core 2.21 not tested"
    done
    not_run_note="; NOT RUN: ${not_run[*]} (--skip-second-core)"
fi

header "results (total $(elapsed "$SUITE_START" "$(now)")s)"
printf '%s\n' "${REPORT[@]}"
[ "$SKIPPED_TESTS" -eq 0 ] || printf '(%d pytest tests skipped, not counted)\n' "$SKIPPED_TESTS"
if [ -n "$not_run_note" ]; then
    printf '%s\n' "$(printf '!%.0s' {1..78})"
    printf '!! NOT RUN on request: %s - this run says nothing about them\n' "${not_run[*]}"
    printf '%s\n' "$(printf '!%.0s' {1..78})"
fi
printf 'summary: %d passed, %d failed%s\n' "$PASSED" "$FAILED" "$not_run_note"
[ "$FAILED" -eq 0 ]
