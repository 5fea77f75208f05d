#!/usr/bin/env bash
# Fetch the collections the project uses from outside ansible-core, from the `ansible` package on PyPI.
#
#   scripts/fetch-collections.sh [COLLECTION...]      (default: community.crypto awx.awx)
#
# community.crypto (a galaxy.yml dependency: the onboard_domain role makes keys and CSRs with it) is unpacked into
# build/collections/ansible_collections/community/crypto, beside the link to this checkout, so
# ANSIBLE_COLLECTIONS_PATH=build/collections finds both. awx.awx (for extensions/awx/register_credential_types.yml,
# its tests and ansible-lint) goes into build/collections-awx/, used as
#
#   ANSIBLE_COLLECTIONS_PATH=build/collections:build/collections-awx
#
# Neither is published on PyPI on its own; both ship inside the `ansible` package's wheel. This script downloads that
# wheel once (pip download --no-deps, into build/cache/) and unpacks only the collections asked for; a collection of
# that ansible release that is already there is left alone. A user installs the same with
# `ansible-galaxy collection install community.crypto` (or `pip install ansible`).
#
# ANSIBLE_RELEASE overrides the ansible package version (default below). Needs .venv (scripts/test.sh creates it).
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

ANSIBLE_RELEASE="${ANSIBLE_RELEASE:-12.3.0}"
CACHE="$BUILD/cache"
WHEEL="$CACHE/ansible-$ANSIBLE_RELEASE-py3-none-any.whl"

[ -x "$VENV/bin/python" ] || die "no $VENV: run scripts/test.sh unit (or any stage) once to create it"

# The collections path each collection goes into.
destination_root() {
    case "$1" in
        awx.awx) printf '%s\n' "$BUILD/collections-awx" ;;
        community.crypto) printf '%s\n' "$BUILD/collections" ;;
        *) die "unknown collection $1 (known: community.crypto, awx.awx)" ;;
    esac
}

# One fetch at a time (pytest-xdist workers and background stages may all ask); the others wait, then find it there.
mkdir -p "$BUILD"
exec 9>"$BUILD/fetch-collections.lock"
flock 9

ensure_wheel() {
    local output
    [ -s "$WHEEL" ] && return 0
    mkdir -p "$CACHE"
    log "ansible $ANSIBLE_RELEASE wheel: downloading into ${CACHE#"$ROOT"/}"
    # --no-deps: only the wheel itself (ansible-core is not needed: .venv has its own).
    if ! output="$("$VENV/bin/python" -m pip download --disable-pip-version-check -q --no-deps \
        --only-binary=:all: --dest "$CACHE" "ansible==$ANSIBLE_RELEASE" 2>&1)"; then
        printf '%s\n' "$output" >&2
        die "pip download ansible==$ANSIBLE_RELEASE failed"
    fi
    printf '%s\n' "$output" | grep -v -e '^$' -e 'is ignored: it is neither a file nor a directory' >&2 || true
    [ -s "$WHEEL" ] || die "pip download left no $WHEEL"
}

# fetch NAMESPACE.NAME: unpack ansible_collections/<namespace>/<name>/ of the wheel into its destination.
fetch() {
    local collection="$1" namespace name root dest stamp work files version
    namespace="${collection%%.*}"
    name="${collection#*.}"
    root="$(destination_root "$collection")"
    dest="$root/ansible_collections/$namespace/$name"
    stamp="$root/.ansible-release-$collection"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$ANSIBLE_RELEASE" ] && [ -f "$dest/MANIFEST.json" ]; then
        log "$collection from ansible $ANSIBLE_RELEASE: present in ${dest#"$ROOT"/}"
        return 0
    fi
    ensure_wheel
    # Unpack into a fresh directory next to the destination and swap it in, so an interrupted run leaves no half tree.
    mkdir -p "$root"
    work="$(mktemp -d "$root/.fetch.XXXXXX")"
    if ! files="$("$VENV/bin/python" "$ROOT/scripts/unpack_wheel_collection.py" "$WHEEL" "$work" \
        "ansible_collections/$namespace/$name/")"; then
        rm -rf "$work"
        die "could not unpack $collection from the ansible $ANSIBLE_RELEASE wheel"
    fi
    if [ ! -f "$work/ansible_collections/$namespace/$name/MANIFEST.json" ]; then
        rm -rf "$work"
        die "no $collection MANIFEST.json in the ansible $ANSIBLE_RELEASE wheel"
    fi
    rm -rf "$dest"
    mkdir -p "$(dirname "$dest")"
    mv "$work/ansible_collections/$namespace/$name" "$dest"
    rm -rf "$work"
    printf '%s\n' "$ANSIBLE_RELEASE" >"$stamp"
    version="$("$VENV/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["collection_info"]["version"])' \
        "$dest/MANIFEST.json")"
    log "$collection $version (ansible $ANSIBLE_RELEASE): $files files unpacked into ${dest#"$ROOT"/}"
}

collections=("$@")
[ "${#collections[@]}" -gt 0 ] || collections=(community.crypto awx.awx)
for collection in "${collections[@]}"; do
    fetch "$collection"
done
