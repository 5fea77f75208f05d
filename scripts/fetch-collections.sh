#!/usr/bin/env bash
# Fetch the awx.awx collection (for extensions/awx/register_credential_types.yml, its tests and ansible-lint).
#
#   scripts/fetch-awx-collection.sh
#
# awx.awx is not published on PyPI on its own; it ships inside the `ansible` package's wheel. This script
# downloads that wheel once (pip download --no-deps, into build/cache/) and unpacks only
# ansible_collections/awx/awx/ into build/collections-awx/ansible_collections/awx/awx. It does nothing when the
# collection of that ansible release is already there. Use it with
#
#   ANSIBLE_COLLECTIONS_PATH=build/collections:build/collections-awx
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
    '') ;;
    *) die "unknown argument: $1 (see --help)" ;;
esac

ANSIBLE_RELEASE="${ANSIBLE_RELEASE:-12.3.0}"
CACHE="$BUILD/cache"
DEST_ROOT="$BUILD/collections-awx"
DEST="$DEST_ROOT/ansible_collections/awx/awx"
STAMP="$DEST_ROOT/.ansible-release"
WHEEL="$CACHE/ansible-$ANSIBLE_RELEASE-py3-none-any.whl"

[ -x "$VENV/bin/python" ] || die "no $VENV: run scripts/test.sh unit (or any stage) once to create it"

# One fetch at a time (pytest-xdist workers may all ask for it); the others wait, then find it present.
mkdir -p "$BUILD"
exec 9>"$BUILD/collections-awx.lock"
flock 9

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$ANSIBLE_RELEASE" ] && [ -f "$DEST/MANIFEST.json" ]; then
    log "awx.awx from ansible $ANSIBLE_RELEASE: present in ${DEST#"$ROOT"/}"
    exit 0
fi

mkdir -p "$CACHE"
if [ -s "$WHEEL" ]; then
    log "ansible $ANSIBLE_RELEASE wheel: cached (${WHEEL#"$ROOT"/})"
else
    log "ansible $ANSIBLE_RELEASE wheel: downloading into ${CACHE#"$ROOT"/}"
    # --no-deps: only the wheel itself (ansible-core is not needed: .venv has its own).
    if ! output="$("$VENV/bin/python" -m pip download --disable-pip-version-check -q --no-deps \
        --only-binary=:all: --dest "$CACHE" "ansible==$ANSIBLE_RELEASE" 2>&1)"; then
        printf '%s\n' "$output" >&2
        die "pip download ansible==$ANSIBLE_RELEASE failed"
    fi
    printf '%s\n' "$output" | grep -v -e '^$' -e 'is ignored: it is neither a file nor a directory' >&2 || true
    [ -s "$WHEEL" ] || die "pip download left no $WHEEL"
fi

# Unpack into a fresh directory next to the destination and swap it in, so an interrupted run leaves no half tree.
work="$(mktemp -d "$BUILD/collections-awx.tmp.XXXXXX")"
trap 'rm -rf "$work"' EXIT
files="$("$VENV/bin/python" - "$WHEEL" "$work" <<'EOF'
import os
import sys
import zipfile

wheel, dest = sys.argv[1:3]
prefix = 'ansible_collections/awx/awx/'
count = 0
with zipfile.ZipFile(wheel) as archive:
    for member in archive.infolist():
        name = member.filename
        if not name.startswith(prefix) or member.is_dir():
            continue
        target = os.path.realpath(os.path.join(dest, name))
        if not target.startswith(os.path.realpath(dest) + os.sep):
            sys.exit('unsafe path in the wheel: %s' % name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with archive.open(member) as source, open(target, 'wb') as out:
            out.write(source.read())
        count += 1
if not count:
    sys.exit('the wheel holds no %s' % prefix)
print(count)
EOF
)"
[ -f "$work/ansible_collections/awx/awx/MANIFEST.json" ] || die "no awx.awx MANIFEST.json in the ansible $ANSIBLE_RELEASE wheel"
rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
mv "$work/ansible_collections/awx/awx" "$DEST"
printf '%s\n' "$ANSIBLE_RELEASE" >"$STAMP"
version="$("$VENV/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["collection_info"]["version"])' \
    "$DEST/MANIFEST.json")"
log "awx.awx $version (ansible $ANSIBLE_RELEASE): $files files unpacked into ${DEST#"$ROOT"/}"
