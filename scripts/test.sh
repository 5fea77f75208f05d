#!/usr/bin/env bash
# Run the whole test suite (what .ci/run calls), or selected stages of it.
#
#   scripts/test.sh                 every stage
#   scripts/test.sh --quick         unit + integration on the main core only
#   scripts/test.sh STAGE...        only these stages, e.g. `scripts/test.sh sanity lint`
#
# Stages (in the order they run):
#   unit             pytest tests/unit                              .venv     (Python 3.11, ansible-core 2.19)
#   integration      pytest tests/integration (real ansible-playbook against the emulators)
#   bench-quick      scripts/bench.sh --quick: the benchmark's smoke run (tests/perf, docs/performance.md)
#   matrix           the fault matrix: every fault kind x first/middle/last write x every write endpoint
#   sanity           ansible-test sanity --local --python 3.11 on a copy in build/sanity/
#   lint             ansible-lint --profile production
#   integration-313  pytest tests/integration                       .venv-313 (Python 3.13, ansible-core 2.21), without the
#                    targets marked main_core_only (they only wait out injected faults and 429s)
#   sanity-313       ansible-test sanity --local --python 3.13 on a copy in build/sanity-313/
#   core2            = integration-313 sanity-313
#
# The virtual environments are created first (and re-created only when their
# requirements files change). Every selected stage runs even when an earlier one
# failed; the last line is `summary: N passed, M failed` and the exit status is 1
# when anything failed. Extra pytest options can be given in PYTEST_ADDOPTS; the integration
# stages run their targets on INTEGRATION_WORKERS pytest-xdist workers (default 3, 1 = none). The matrix stage runs in
# the background beside the integration stage when both are selected (MATRIX_IN_BACKGROUND=0 runs it after).
set -uo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT" || exit 1

ALL_STAGES=(unit integration bench-quick matrix sanity lint integration-313 sanity-313)

usage() {
    sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -uo/d' -e 's/^# \{0,1\}//'
}

selected=()
for arg in "$@"; do
    case "$arg" in
        -h | --help) usage; exit 0 ;;
        --quick) selected+=(unit integration) ;;
        all) selected+=("${ALL_STAGES[@]}") ;;
        core2) selected+=(integration-313 sanity-313) ;;
        unit | integration | bench-quick | matrix | sanity | lint | integration-313 | sanity-313) selected+=("$arg") ;;
        *) usage >&2; die "unknown stage or option: $arg" ;;
    esac
done
[ "${#selected[@]}" -gt 0 ] || selected=("${ALL_STAGES[@]}")

# Keep the canonical order, drop duplicates.
stages=()
for stage in "${ALL_STAGES[@]}"; do
    for want in "${selected[@]}"; do
        if [ "$want" = "$stage" ]; then
            stages+=("$stage")
            break
        fi
    done
done

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
            main:unit | main:integration | main:bench-quick | main:matrix | main:sanity | main:lint) return 0 ;;
            313:integration-313 | 313:sanity-313) return 0 ;;
        esac
    done
    return 1
}

VENV_OK=0
VENV313_OK=0
VENV313_MISSING=0

setup_venvs() {
    local start python
    if needs main; then
        header "venv: .venv (requirements-dev.txt)"
        start="$(now)"
        if python="$(python311)" && [ -n "$python" ] &&
            ensure_venv "$VENV" "$python" requirements-dev.txt constraints-dev.txt requirements.txt; then
            VENV_OK=1
            record venv ok "$(elapsed "$start" "$(now)")" "$("$VENV/bin/python" --version 2>&1), $("$VENV/bin/ansible" --version | head -1)"
        else
            FAILED=$((FAILED + 1))
            record venv FAILED "$(elapsed "$start" "$(now)")" "could not create .venv"
        fi
    fi
    if needs 313; then
        header "venv: .venv-313 (requirements-dev-313.txt)"
        start="$(now)"
        if ! python="$(python313)" || [ -z "$python" ]; then
            VENV313_MISSING=1
            printf '\n%s\n' "$(printf '!%.0s' {1..78})" >&2
            warn "no working Python 3.13 found (tried /root/.pyenv/versions/3.13.0/bin/python3.13, ~/.pyenv/versions/3.13*/, python3.13 on PATH; set PYTHON313=/path/to/python3.13)."
            warn "THE SECOND CORE (ansible-core 2.21: integration-313, sanity-313) IS SKIPPED."
            printf '%s\n' "$(printf '!%.0s' {1..78})" >&2
            record venv-313 SKIPPED "$(elapsed "$start" "$(now)")" "no Python 3.13"
        elif ensure_venv "$VENV313" "$python" requirements-dev-313.txt constraints-dev-313.txt requirements.txt; then
            VENV313_OK=1
            record venv-313 ok "$(elapsed "$start" "$(now)")" "$("$VENV313/bin/python" --version 2>&1), $("$VENV313/bin/ansible" --version | head -1)"
        else
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
        5) warn "pytest collected no tests in $path: counted as 0 passed" ;;
        *) [ "$f" -gt 0 ] || f=1 ;;
    esac
    STAGE_PASSED=$p STAGE_FAILED=$f STAGE_DETAIL="$p passed, $f failed, $s skipped; rc=$rc; $junit"
}

# run_sanity VENV COPYNAME PYTHON_VERSION
run_sanity() {
    local venv="$1" copy="$2" pyver="$3" dest rc
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
        ansible-test sanity --local --python "$pyver"
    )
    rc=$?
    if [ "$rc" -eq 0 ]; then
        STAGE_PASSED=1 STAGE_FAILED=0 STAGE_DETAIL="ansible-test sanity --python $pyver"
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

run_stage() {
    local stage="$1" start status
    STAGE_PASSED=0 STAGE_FAILED=0 STAGE_DETAIL=''
    case "$stage" in
        *-313)
            if [ "$VENV313_MISSING" = 1 ]; then
                header "$stage: SKIPPED (no Python 3.13)"
                record "$stage" SKIPPED 0.0 "no Python 3.13"
                return
            fi
            ;;
    esac
    case "$stage" in
        unit) header "unit: pytest tests/unit (Python 3.11, ansible-core 2.19)" ;;
        integration) header "integration: pytest tests/integration (Python 3.11, ansible-core 2.19)" ;;
        bench-quick) header "bench-quick: scripts/bench.sh --quick (Python 3.11, ansible-core 2.19)" ;;
        matrix) header "matrix: the fault matrix, $MATRIX_WORKERS workers (Python 3.11, ansible-core 2.19)" ;;
        sanity) header "sanity: ansible-test sanity --local --python 3.11 (ansible-core 2.19)" ;;
        lint) header "lint: ansible-lint --profile production" ;;
        integration-313) header "integration-313: pytest tests/integration (Python 3.13, ansible-core 2.21)" ;;
        sanity-313) header "sanity-313: ansible-test sanity --local --python 3.13 (ansible-core 2.21)" ;;
    esac
    start="$(now)"
    case "$stage" in
        *-313) [ "$VENV313_OK" = 1 ] || { STAGE_FAILED=1 STAGE_DETAIL="no .venv-313"; } ;;
        *) [ "$VENV_OK" = 1 ] || { STAGE_FAILED=1 STAGE_DETAIL="no .venv"; } ;;
    esac
    if [ "$STAGE_FAILED" = 0 ]; then
        case "$stage" in
            unit) run_pytest "$VENV" unit tests/unit ;;
            integration) run_pytest "$VENV" integration tests/integration -m 'not matrix' "${XDIST[@]}" ;;
            bench-quick) run_bench_quick ;;
            matrix) run_pytest "$VENV" matrix tests/integration/test_fault_matrix.py -n "$MATRIX_WORKERS" ;;
            sanity) run_sanity "$VENV" sanity 3.11 ;;
            lint) run_lint ;;
            integration-313) run_pytest "$VENV313" integration-313 tests/integration -m 'not matrix and not main_core_only' "${XDIST[@]}" ;;
            sanity-313) run_sanity "$VENV313" sanity-313 3.13 ;;
        esac
    fi
    PASSED=$((PASSED + STAGE_PASSED))
    FAILED=$((FAILED + STAGE_FAILED))
    if [ "$STAGE_FAILED" -gt 0 ]; then status=FAILED; else status=passed; fi
    record "$stage" "$status" "$(elapsed "$start" "$(now)")" "$STAGE_DETAIL"
}

# ---------------------------------------------------------------- main
log "stages: ${stages[*]}"
ensure_collection_link
setup_venvs
selected_stage() {
    local stage
    for stage in "${stages[@]}"; do
        [ "$stage" = "$1" ] && return 0
    done
    return 1
}

# awx.awx (for extensions/awx/register_credential_types.yml: its tests and ansible-lint) ships only inside the
# `ansible` package's wheel: fetched once into build/collections-awx (build/cache keeps the wheel).
AWX_COLLECTIONS_PATH="$BUILD/collections-awx"
if [ "$VENV_OK" = 1 ] && { selected_stage integration || selected_stage lint; }; then
    header "awx.awx: scripts/fetch-awx-collection.sh"
    start="$(now)"
    if "$ROOT/scripts/fetch-awx-collection.sh"; then
        record awx-collection ok "$(elapsed "$start" "$(now)")" "build/collections-awx"
    else
        FAILED=$((FAILED + 1))
        record awx-collection FAILED "$(elapsed "$start" "$(now)")" "could not fetch awx.awx"
    fi
fi

# The fault matrix mostly waits (timeouts, back-off) while the integration targets keep both cores busy: when both
# are selected, the matrix runs in the background beside the integration stage, its output kept in a log that is
# printed (and its result recorded) once the integration stage is done.
MATRIX_BG_PID=''
MATRIX_BG_DIR="$BUILD/matrix-stage"
start_matrix_in_background() {
    rm -rf "$MATRIX_BG_DIR"
    mkdir -p "$MATRIX_BG_DIR"
    (
        run_stage matrix >"$MATRIX_BG_DIR/output.log" 2>&1
        printf '%s %s\n' "$PASSED" "$FAILED" >"$MATRIX_BG_DIR/counts"
        printf '%s\n' "${REPORT[@]: -1}" >"$MATRIX_BG_DIR/report"
    ) &
    MATRIX_BG_PID=$!
    log "matrix: started in the background (pid $MATRIX_BG_PID) beside the integration stage"
}

finish_matrix_in_background() {
    local before_passed="$1" before_failed="$2" p f
    wait "$MATRIX_BG_PID"
    cat "$MATRIX_BG_DIR/output.log"
    if read -r p f <"$MATRIX_BG_DIR/counts" 2>/dev/null; then
        PASSED=$((PASSED + p - before_passed))
        FAILED=$((FAILED + f - before_failed))
        REPORT+=("$(cat "$MATRIX_BG_DIR/report")")
    else
        FAILED=$((FAILED + 1))
        record matrix FAILED 0.0 "the background matrix stage left no result"
    fi
}

for stage in "${stages[@]}"; do
    if [ "$stage" = integration ] && selected_stage matrix && [ "${MATRIX_IN_BACKGROUND:-1}" = 1 ]; then
        matrix_base_passed=$PASSED matrix_base_failed=$FAILED
        start_matrix_in_background
        run_stage integration
        finish_matrix_in_background "$matrix_base_passed" "$matrix_base_failed"
        continue
    fi
    if [ "$stage" = matrix ] && [ -n "$MATRIX_BG_PID" ]; then
        continue  # already run beside the integration stage
    fi
    run_stage "$stage"
done

header "results (total $(elapsed "$SUITE_START" "$(now)")s)"
printf '%s\n' "${REPORT[@]}"
[ "$SKIPPED_TESTS" -eq 0 ] || printf '(%d pytest tests skipped, not counted)\n' "$SKIPPED_TESTS"
printf 'summary: %d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" -eq 0 ]
