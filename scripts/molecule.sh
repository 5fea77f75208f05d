#!/usr/bin/env bash
# Run the molecule scenarios of the roles (extensions/molecule/, docs/testing.md "molecule").
#
#   scripts/molecule.sh                       molecule test of every scenario, one after the other
#   scripts/molecule.sh onboard_domain        one scenario (several: scripts/molecule.sh onboard_domain offboard_domain)
#   MOLECULE_ARGS='--debug' scripts/molecule.sh onboard_domain   options for molecule itself
#
# Each scenario starts its own vendor emulators (create) and stops them (destroy); their state, logs and the
# scenario's files are in build/molecule/<scenario>/. Runs in .venv (created by scripts/test.sh). Every scenario
# runs even when an earlier one failed; exit status 1 when one failed. Different scenarios may run at the same time
# (each in its own invocation); one scenario may not run twice at once (a run owns build/molecule/<scenario>/).
set -euo pipefail

# shellcheck source=scripts/lib.sh disable=SC1091  # followed with shellcheck -x (as ansible-test runs it)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

case "${1:-}" in
    -h | --help)
        script_usage "${BASH_SOURCE[0]}"
        exit 0
        ;;
esac

SCENARIO_ROOT="extensions/molecule"
[ -x "$VENV/bin/molecule" ] && [ -x "$VENV/bin/ansible-playbook" ] ||
    die "no $VENV with molecule and ansible-core: run scripts/test.sh unit (or any stage) once to create it"

scenarios=("$@")
if [ "${#scenarios[@]}" -eq 0 ]; then
    for file in "$SCENARIO_ROOT"/*/molecule.yml; do
        scenarios+=("$(basename "$(dirname "$file")")")
    done
fi
for scenario in "${scenarios[@]}"; do
    [ -f "$SCENARIO_ROOT/$scenario/molecule.yml" ] || die "no scenario $SCENARIO_ROOT/$scenario/molecule.yml"
done

ensure_collection_link
"$ROOT/scripts/fetch-collections.sh" community.crypto || die "could not fetch community.crypto"
activate_path "$VENV"
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_PATH"
# Colour only on a terminal; molecule and ansible-playbook write plain text into a CI log.
if [ ! -t 1 ]; then
    export NO_COLOR=1 ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
fi

# Emulators of this run's scenarios that destroy did not stop (the run was interrupted, or molecule's cleanup after
# a failure failed too): stop them, by the pid in their pid file and only when that pid is still serve.py with the
# scenario's state directory. One run per scenario at a time: two runs of a scenario share build/molecule/<scenario>/.
# shellcheck disable=SC2329  # invoked by the EXIT trap
stop_leftover_emulators() {
    local scenario pid_file pid state_dir
    for scenario in "${scenarios[@]}"; do
        state_dir="$BUILD/molecule/$scenario/emulators"
        pid_file="$state_dir/emulators.pid"
        [ -f "$pid_file" ] || continue
        pid="$(cat "$pid_file" 2>/dev/null)" || continue
        case "$(ps -ww -o args= -p "$pid" 2>/dev/null)" in
            *serve.py*"$state_dir"*) ;;
            *) continue ;;
        esac
        warn "emulators of ${state_dir#"$ROOT"/} still run (pid $pid): stopping them"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
}
trap stop_leftover_emulators EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failed=()
for scenario in "${scenarios[@]}"; do
    log "molecule test -s $scenario"
    start="$(now)"
    # shellcheck disable=SC2086  # MOLECULE_ARGS is a list of options
    if molecule ${MOLECULE_ARGS:-} test -s "$scenario"; then
        log "molecule: $scenario passed in $(elapsed "$start" "$(now)") s"
    else
        log "molecule: $scenario FAILED after $(elapsed "$start" "$(now)") s (files and emulator logs in build/molecule/$scenario/)"
        failed+=("$scenario")
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    die "molecule: ${#failed[@]} of ${#scenarios[@]} scenario(s) failed: ${failed[*]}"
fi
log "molecule: all ${#scenarios[@]} scenario(s) passed"
