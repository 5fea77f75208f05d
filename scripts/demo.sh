#!/usr/bin/env bash
# Run the demo: onboard a domain end to end against the local vendor emulators.
#
#   scripts/demo.sh [ansible-playbook options...]     e.g. scripts/demo.sh --diff -v
#
# Creates .venv on first use (requirements-dev.txt), starts the emulators
# (tests/emulators/serve.py, state and request logs in build/emulators/), exports
# their URLs, credentials and CA, runs playbooks/demo.yml, and stops the
# emulators again on exit. Extra arguments go to ansible-playbook.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

STATE_DIR="$BUILD/emulators"
ENV_FILE="$STATE_DIR/env.sh"
SERVE_LOG="$STATE_DIR/serve.log"
READY_TIMEOUT="${EMULATOR_READY_TIMEOUT:-20}"
EMULATOR_PID=''

python="$(python311)" || die "no python3 found"
ensure_venv "$VENV" "$python" requirements-dev.txt constraints-dev.txt requirements.txt ||
    die "could not create $VENV"
ensure_collection_link

# shellcheck disable=SC2329  # invoked by the EXIT trap
stop_emulators() {
    local rc=$? i
    if [ -n "$EMULATOR_PID" ] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
        kill -TERM "$EMULATOR_PID" 2>/dev/null || true
        for i in $(seq 1 50); do
            kill -0 "$EMULATOR_PID" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$EMULATOR_PID" 2>/dev/null; then
            warn "emulators (pid $EMULATOR_PID) did not stop after ${i} tries; killing them"
            kill -KILL "$EMULATOR_PID" 2>/dev/null || true
        fi
        wait "$EMULATOR_PID" 2>/dev/null || true
        log "emulators stopped (request logs in ${STATE_DIR#"$ROOT"/}/)"
    fi
    exit "$rc"
}
trap stop_emulators EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$STATE_DIR"
if [ -f "$STATE_DIR/emulators.pid" ] && kill -0 "$(cat "$STATE_DIR/emulators.pid")" 2>/dev/null; then
    warn "emulators from an earlier run still run as pid $(cat "$STATE_DIR/emulators.pid"); starting a new set anyway"
fi
rm -f "$ENV_FILE"

log "starting the emulators: python tests/emulators/serve.py --state-dir ${STATE_DIR#"$ROOT"/}"
"$VENV/bin/python" tests/emulators/serve.py --state-dir "$STATE_DIR" >"$SERVE_LOG" 2>&1 &
EMULATOR_PID=$!

# Ready when env.sh is complete (serve.py writes it once every server listens).
deadline=$(($(date +%s) + READY_TIMEOUT))
until [ -s "$ENV_FILE" ] && [ "$(tail -c1 "$ENV_FILE" | od -An -c | tr -d ' ')" = '\n' ]; do
    if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
        cat "$SERVE_LOG" >&2
        EMULATOR_PID=''
        die "the emulators exited before they were ready (output above, also in ${SERVE_LOG#"$ROOT"/})"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
        cat "$SERVE_LOG" >&2
        die "the emulators did not write ${ENV_FILE#"$ROOT"/} within ${READY_TIMEOUT}s"
    fi
    sleep 0.2
done
# shellcheck source=/dev/null
. "$ENV_FILE"
log "emulators ready (pid $EMULATOR_PID): $(sed -n 's/^export \([A-Z0-9_]*_URL\)=.*/\1/p' "$ENV_FILE" | tr '\n' ' ')"

activate_path "$VENV"
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_PATH"
# The play targets the implicit localhost (which runs modules with this venv's python).
export ANSIBLE_LOCALHOST_WARNING="${ANSIBLE_LOCALHOST_WARNING:-False}"
export ANSIBLE_INVENTORY_UNPARSED_WARNING="${ANSIBLE_INVENTORY_UNPARSED_WARNING:-False}"

rc=0
ansible-playbook playbooks/demo.yml "$@" || rc=$?
exit "$rc"
