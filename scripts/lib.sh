# shellcheck shell=bash
# Shared helpers for scripts/demo.sh, scripts/test.sh and scripts/update-constraints.sh.
# Source it; it sets ROOT (the repository = collection root) and defines functions only.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
BUILD="$ROOT/build"
# shellcheck disable=SC2034  # used by the scripts that source this file
VENV="$ROOT/.venv"
# shellcheck disable=SC2034  # used by the scripts that source this file
VENV313="$ROOT/.venv-313"
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"

# Collection namespace and name, read from galaxy.yml.
COLLECTION_NAMESPACE="$(sed -n 's/^namespace:[[:space:]]*\([A-Za-z0-9_]*\).*/\1/p' "$ROOT/galaxy.yml")"
COLLECTION_NAME="$(sed -n 's/^name:[[:space:]]*\([A-Za-z0-9_]*\).*/\1/p' "$ROOT/galaxy.yml")"
COLLECTIONS_PATH="$BUILD/collections"

log() { printf '%s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# Seconds since the epoch with two decimals, and a difference of two such values.
now() { date +%s.%N | cut -c1-13; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# build/collections/ansible_collections/<ns>/<name> -> the repository root (relative link,
# so it survives moving the checkout). ANSIBLE_COLLECTIONS_PATH points at build/collections.
ensure_collection_link() {
    local parent="$COLLECTIONS_PATH/ansible_collections/$COLLECTION_NAMESPACE"
    local link="$parent/$COLLECTION_NAME"
    mkdir -p "$parent"
    if [ -L "$link" ] && [ "$(cd "$link" 2>/dev/null && pwd -P)" = "$ROOT" ]; then
        return 0
    fi
    if [ -e "$link" ] && [ ! -L "$link" ]; then
        rm -rf "$link"
    fi
    ln -sfn ../../../.. "$link"
    [ "$(cd "$link" && pwd -P)" = "$ROOT" ] || die "could not link $link to $ROOT"
}

# Prints the path of an interpreter that really is Python MAJOR.MINOR, or nothing.
# Candidates are tried in order; pyenv shims that refuse to run are skipped.
find_python() {
    local want="$1" candidate
    shift
    for candidate in "$@"; do
        [ -n "$candidate" ] || continue
        if [ "${candidate#/}" = "$candidate" ]; then
            candidate="$(command -v "$candidate" 2>/dev/null)" || continue
        fi
        [ -x "$candidate" ] || continue
        # print the real interpreter behind a shim or symlink
        if "$candidate" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)" >/dev/null 2>&1; then
            "$candidate" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    return 1
}

python311() {
    # python3 is the primary interpreter (3.11 on the reference machine); PYTHON overrides it.
    if [ -n "${PYTHON:-}" ]; then
        printf '%s\n' "$PYTHON"
        return 0
    fi
    find_python 3.11 python3 python3.11 "$HOME"/.pyenv/versions/3.11*/bin/python3.11 ||
        command -v python3
}

python313() {
    # PYTHON313 overrides the search, but must really be Python 3.13: anything else is "no working Python 3.13"
    # (a venv is never re-created from a wrong interpreter).
    if [ -n "${PYTHON313:-}" ]; then
        find_python 3.13 "$PYTHON313"
        return
    fi
    # Plain `python3.13` may be a pyenv shim that refuses to run, so try the real binary first.
    find_python 3.13 /root/.pyenv/versions/3.13.0/bin/python3.13 \
        "$HOME"/.pyenv/versions/3.13*/bin/python3.13 python3.13
}

# The pip proxy's CA is configured globally, but a pip that ignores the configuration
# needs it on the command line; only used as a retry, never needed on an ordinary machine.
_pip_install() {
    local venv="$1"
    shift
    "$venv/bin/python" -m pip install --disable-pip-version-check -q "$@" 2>&1 |
        grep -v -e 'is ignored: it is neither a file nor a directory' >&2
    return "${PIPESTATUS[0]}"
}

# _pip_install, and once more with the CA bundle on the command line when it fails.
_pip_install_ca_retry() {
    local venv="$1"
    shift
    _pip_install "$venv" "$@" && return 0
    [ -f "$CA_BUNDLE" ] || return 1
    warn "pip install failed; retrying with --cert $CA_BUNDLE"
    _pip_install "$venv" --cert "$CA_BUNDLE" "$@"
}

# The venvs' packages are installed with uv (from PyPI, pinned here) where it can be had: on a fresh machine it
# installs .venv in about 20 CPU-seconds where pip takes 40 (pip resolves and unpacks in Python). Both byte-compile
# every file they install (--compile-bytecode): with PYTHONDONTWRITEBYTECODE=1, as on the reference machine, nothing
# is compiled later, and every ansible-playbook and module run would compile ansible-core again (a fresh-clone run
# without it: the integration stage's tests took 1333 CPU-seconds where the same tests had taken about 1025). The
# same pins, the same packages (`pip freeze` of both compared equal). uv is put into build/uv with pip (about 5 s,
# once per checkout); where that or uv itself fails, the venv is installed with pip as before.
# DOMAINSEC_INSTALLER=pip uses pip only.
UV_VERSION=0.13.10
UV_DIR="$BUILD/uv"

# Prints the path of a working uv of UV_VERSION in build/uv, installing it first; fails when it cannot.
ensure_uv() {
    local uv="$UV_DIR/bin/uv" tmp
    [ "${DOMAINSEC_INSTALLER:-uv}" = uv ] || return 1
    mkdir -p "$BUILD"
    (
        # the two venvs are built at the same time: one installs uv, the other waits for it
        flock 9
        case "$("$uv" --version 2>/dev/null)" in "uv $UV_VERSION "* | "uv $UV_VERSION") exit 0 ;; esac
        tmp="$UV_DIR.tmp.$$"
        rm -rf "$tmp"
        "$(python311)" -m pip install --disable-pip-version-check -q --target "$tmp" "uv==$UV_VERSION" 2>&1 |
            grep -v -e 'is ignored: it is neither a file nor a directory' -e "Running pip as the 'root' user" >&2
        [ -x "$tmp/bin/uv" ] || { rm -rf "$tmp"; exit 1; }
        rm -rf "$UV_DIR" && mv "$tmp" "$UV_DIR"
    ) 9>"$BUILD/uv.lock" || return 1
    "$uv" --version >/dev/null 2>&1 || return 1
    printf '%s\n' "$uv"
}

# _venv_install VENV PIP-ARGS... : uv where it works, else pip (and pip again with the CA bundle).
_venv_install() {
    local venv="$1" uv
    shift
    if uv="$(ensure_uv)"; then
        if "$uv" pip install --quiet --compile-bytecode --python "$venv/bin/python" "$@"; then
            return 0
        fi
        warn "uv pip install failed; installing with pip"
    fi
    _pip_install_ca_retry "$venv" "$@"
}

# ensure_venv DIR PYTHON FILE... : create DIR with PYTHON and install FILE[0] (a
# requirements file) into it. The venv is re-created only when the interpreter or any
# FILE (the requirements file plus the constraints/requirements files it includes)
# changed; a hash of them is kept in DIR/.requirements.sha256.
ensure_venv() {
    local dir="$1" python="$2" req="$3" stamp want have=''
    stamp="$dir/.requirements.sha256"
    want="$( { "$python" -c 'import sys; print(sys.version)'; cat "${@:3}"; } | sha256sum | cut -d' ' -f1)"
    [ -f "$stamp" ] && have="$(cat "$stamp")"
    if [ "$want" = "$have" ] && "$dir/bin/python" -c 'import sys' >/dev/null 2>&1; then
        log "$(basename "$dir"): up to date ($("$dir/bin/python" --version 2>&1), $(basename "$req") unchanged)"
        install_zip_bytecode_cache "$dir"
        return
    fi
    log "$(basename "$dir"): creating with $python ($("$python" --version 2>&1)) from $(basename "$req")"
    rm -rf "$dir"
    "$python" -m venv "$dir" || return 1
    _venv_install "$dir" -r "$req" || return 1
    printf '%s\n' "$want" >"$stamp"
    install_zip_bytecode_cache "$dir" || return 1
    log "$(basename "$dir"): ready"
}

# The test runs' bytecode cache for modules run from their AnsiballZ zip (scripts/zip_bytecode_cache.py): the file
# and a .pth line importing it in the venv's site-packages. It acts only where DOMAINSEC_ZIP_BYTECODE_CACHE is set.
install_zip_bytecode_cache() {
    local site
    site="$("$1/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" || return 1
    cmp -s "$ROOT/scripts/zip_bytecode_cache.py" "$site/domainsec_zip_bytecode_cache.py" ||
        cp "$ROOT/scripts/zip_bytecode_cache.py" "$site/domainsec_zip_bytecode_cache.py" || return 1
    printf 'import domainsec_zip_bytecode_cache\n' >"$site/domainsec_zip_bytecode_cache.pth"
}

# The pip version that this venv's ansible-test bootstraps into its sanity venvs.
ansible_test_pip_version() {
    "$1/bin/python" - <<'EOF'
import re, types
try:
    from ansible_test._internal.python_requirements import get_venv_packages
    print(get_venv_packages(types.SimpleNamespace(version='.'.join(map(str, __import__('sys').version_info[:2]))))['pip'])
except Exception:  # fall back to reading the source
    import ansible_test, os
    path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
    print(re.search(r"pip='([0-9.]+)'", open(path).read()).group(1))
EOF
}

# ansible-test bootstraps pip into each sanity venv with a get-pip script downloaded from
# ci-files.testing.ansible.com, which is unreachable offline. It uses a cached copy at
# ~/.ansible/test/cache/get_pip_<version>.py when one exists: put our shim there.
ensure_get_pip_cache() {
    local version cache
    version="$(ansible_test_pip_version "$1")" || return 1
    [ -n "$version" ] || return 1
    cache="$HOME/.ansible/test/cache/get_pip_${version//./_}.py"
    if [ -s "$cache" ] && cmp -s "$ROOT/scripts/get_pip_offline.py" "$cache"; then
        log "get-pip cache for pip $version: present ($cache)"
        return 0
    fi
    mkdir -p "$(dirname "$cache")"
    cp "$ROOT/scripts/get_pip_offline.py" "$cache.$$.tmp" && mv "$cache.$$.tmp" "$cache"  # two sanity stages may run at once
    log "get-pip cache for pip $version: wrote offline shim to $cache"
}

# Copy the collection (git-tracked plus untracked-but-not-ignored files) to
# build/<name>/ansible_collections/<ns>/<coll> and make it a git checkout of its own;
# ansible-test needs that path layout and asks git for the file list. Prints the path.
prepare_collection_copy() {
    local dest="$BUILD/$1/ansible_collections/$COLLECTION_NAMESPACE/$COLLECTION_NAME"
    rm -rf "$dest"
    mkdir -p "$dest"
    (
        cd "$ROOT" || exit 1
        if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
            git ls-files -z -co --exclude-standard
        else
            # not a git checkout (e.g. an unpacked tarball): everything but generated files
            find . \( -name .git -o -name '.venv*' -o -name .ansible -o -name .pytest_cache -o -name __pycache__ \
                -o -path ./build -o -path ./tests/output \) -prune -o \( -type f -o -type l \) -printf '%P\0'
        fi |
            while IFS= read -r -d '' f; do
                if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
            done |
            tar --null -T - -cf -
    ) | tar -xf - -C "$dest" || return 1
    (
        cd "$dest" && git init -q && git add -A
    ) || return 1
    printf '%s\n' "$dest"
}

# Prepend a venv's bin directory to PATH (in the calling shell).
activate_path() {
    export VIRTUAL_ENV="$1"
    export PATH="$1/bin:$PATH"
    hash -r
}

# script_usage FILE: print the comment block at the top of a script (from line 2 to its `set -...` line) as its help.
script_usage() {
    sed -n '2,/^set -/p' "$1" | sed -e '/^set -/d' -e 's/^# \{0,1\}//'
}
