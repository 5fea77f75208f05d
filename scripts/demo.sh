#!/usr/bin/env bash
# The main job: onboard a sample domain across the five vendors against the local emulators, then run it again.
#
#   scripts/demo.sh [--once] [ansible-playbook options...]     e.g. scripts/demo.sh --diff -v, scripts/demo.sh --check
#
# Creates .venv on first use (requirements-dev.txt), starts the emulators
# (tests/emulators/serve.py, state and request logs in build/emulators/), exports
# their URLs, credentials and CA, and runs the collection's playbook
#   ansible-playbook domainsec.onboard.onboard -e @playbooks/vars/demo.yml
# which ends with a summary per domain. Then it runs the same playbook a second time and checks that nothing changed
# and no vendor received a write (from the emulators' request counters); --once (or --check) skips the second run.
# The emulators keep their state in memory only: every demo starts from empty vendors (and an empty build/demo/).
# The emulators stop again on exit. Extra arguments go to ansible-playbook.
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
# community.crypto (the role makes the certificate's key and CSR with it), from the `ansible` package's wheel
"$ROOT/scripts/fetch-collections.sh" community.crypto || die "could not fetch community.crypto"

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

once=0
args=()
for arg in "$@"; do
    case "$arg" in
        --once) once=1 ;;
        --check | -C) once=1; args+=("$arg") ;;
        *) args+=("$arg") ;;
    esac
done

# What the site would have in production: two web servers (playbooks/vars/demo_inventory.yml: directories under
# DEMO_DIR; the Virusdie emulator is told the sync file is in the site's web root once the role copies it), and the
# webhook receiver reading the hook's secret from a directory (the role writes it there).
export DEMO_DIR="$BUILD/demo"
rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR/hook-secrets"
admin() { "$VENV/bin/python" tests/emulators/admin.py "$@"; }
admin config virusdie '{"syncfile_uploaded": ["example.com"]}'
admin config receiver "{\"org\": \"$HARDENIZE_ORG\", \"secrets_dir\": \"$DEMO_DIR/hook-secrets\"}"

playbook=(ansible-playbook -i playbooks/vars/demo_inventory.yml domainsec.onboard.onboard -e @playbooks/vars/demo.yml)
log "run 1: ${playbook[*]} ${args[*]}"
rc=0
"${playbook[@]}" "${args[@]}" || rc=$?
log "requests per vendor in run 1:"
admin writes >&2
if [ -d "$DEMO_DIR/web01" ]; then
    log "what the web servers got (mode, owner, file; the reloads file counts the reloads):"
    find "$DEMO_DIR"/web0? -type f -exec stat -c '%a %U:%G %n' {} + | sed "s|$ROOT/||" | sort -k3 >&2
fi
if [ "$rc" -ne 0 ] || [ "$once" = 1 ]; then
    exit "$rc"
fi

admin reset-counters
log "run 2 (the same again: nothing may change, no vendor may receive a write)"
output="$STATE_DIR/run2.log"
"${playbook[@]}" "${args[@]}" >"$output" 2>&1 || rc=$?
sed -n '/TASK \[Onboarding summary\]/,$p' "$output"
changed="$(sed -n '/^PLAY RECAP/,$s/.* changed=\([0-9]*\).*/\1/p' "$output" | awk '{ n += $1 } END { print n + 0 }')"
log "run 2: changed=$changed; requests per vendor:"
admin writes --expect-zero >&2 || { warn "run 2 wrote to a vendor (output in ${output#"$ROOT"/})"; rc=1; }
if [ "$rc" -ne 0 ] || [ "$changed" != 0 ]; then
    warn "run 2 was not a no-op (rc=$rc, changed=$changed); its output is in ${output#"$ROOT"/}"
    exit 1
fi
log "run 2: no change, no write: the onboarding is idempotent"
