#!/usr/bin/env bash
# The release check (docs/release.md): the collection's tarball, checked the way a user and Galaxy get it.
#
#   scripts/release-check.sh
#
# Steps (every step runs that can; the exit status is 1 when any failed, and each failure is named at the end):
#   changelog  antsibull-changelog lint; galaxy.yml's version is a release of changelogs/changelog.yaml, every
#              version_added a release or later (tests/release/release_check.py versions), and CHANGELOG.rst is what
#              antsibull-changelog generates from changelog.yaml
#   build      ansible-galaxy collection build into build/release/ (galaxy.yml's build_ignore keeps tests, scripts and
#              the other development files out)
#   install    ansible-galaxy collection install --offline of the tarball into the empty collections path
#              build/release/collections, beside a copy of community.crypto (its one dependency, from build/collections:
#              scripts/fetch-collections.sh)
#   docs       antsibull-docs lint-collection-docs --plugin-docs on the installed collection, and its documentation
#              rendered (antsibull-docs collection: RST, a page per plugin and role) into build/release/docs/
#   importer   galaxy-importer on the tarball (own venv build/venv-galaxy-importer from
#              tests/release/requirements-galaxy-importer.txt; tests/release/galaxy-importer.cfg: no ansible-test, no
#              ansible-lint - the sanity and lint stages run those); it must end "completed successfully" with no
#              ERROR or WARNING line. While galaxy.yml has no repository (the collection is not published yet),
#              galaxy-importer, which requires one, is given a copy of the tarball with a marker there, and a NOTE says
#              so; RELEASE_UPLOAD=1 (before an upload) gives it the tarball itself, so the missing URL fails the step.
#   module     domainsec.onboard.cyberssl_product_info run from build/release/collections only (ANSIBLE_COLLECTIONS_PATH)
#              against the CyberSSL emulator: success, no change, no write, no credential in the output
#              (tests/release/release_check.py run-module)
#   files      the tarball's file list
# Needs .venv (requirements-dev.txt: antsibull-changelog, antsibull-docs; scripts/test.sh creates it). Costs 25 to 50
# CPU-seconds once the importer's venv exists (making it: about 20 s more, once); docs/release.md.
set -uo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT" || exit 1

case "${1:-}" in
    -h | --help) script_usage "${BASH_SOURCE[0]}"; exit 0 ;;
    '') ;;
    *) script_usage "${BASH_SOURCE[0]}" >&2; die "no arguments expected, got: $*" ;;
esac

RELEASE="$BUILD/release"
FRESH="$RELEASE/collections"
IMPORTER_VENV="$BUILD/venv-galaxy-importer"
VERSION="$(sed -n 's/^version:[[:space:]]*\([0-9A-Za-z.+-]*\).*/\1/p' galaxy.yml)"
TARBALL="$RELEASE/$COLLECTION_NAMESPACE-$COLLECTION_NAME-$VERSION.tar.gz"
START="$(now)"
FAILED=()

[ -x "$VENV/bin/antsibull-docs" ] && [ -x "$VENV/bin/antsibull-changelog" ] ||
    die "$VENV has no antsibull-docs/antsibull-changelog: run scripts/test.sh unit (or any stage) to create it from requirements-dev.txt"
[ -n "$VERSION" ] || die "galaxy.yml has no version"
activate_path "$VENV"
# Nothing of the checkout's own collections path may leak into the steps that check the installed copy.
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS

step() { printf '\n== release check: %s\n' "$*"; }
fail() {
    printf 'ERROR: release check, %s: %s\n' "$1" "$2" >&2
    FAILED+=("$1")
}

# ---------------------------------------------------------------- changelog
step "changelog (antsibull-changelog)"
if ! antsibull-changelog lint; then
    fail changelog "antsibull-changelog lint found invalid fragments in changelogs/fragments/ (above)"
elif ! python tests/release/release_check.py versions "$ROOT"; then
    fail changelog "the collection's versions disagree (above)"
else
    mkdir -p "$RELEASE"
    if ! antsibull-changelog generate --output "$RELEASE/CHANGELOG.rst" --output-format rst ||
        ! diff -u CHANGELOG.rst "$RELEASE/CHANGELOG.rst"; then
        fail changelog "CHANGELOG.rst is not what antsibull-changelog generates from changelogs/changelog.yaml: run antsibull-changelog generate"
    else
        echo "fragments valid; CHANGELOG.rst up to date"
    fi
fi

# ---------------------------------------------------------------- build
step "build (ansible-galaxy collection build)"
rm -rf "$RELEASE/importer" "$FRESH" "$RELEASE"/*.tar.gz
mkdir -p "$RELEASE"
if ! ansible-galaxy collection build --force --output-path "$RELEASE" . || [ ! -s "$TARBALL" ]; then
    fail build "ansible-galaxy collection build did not make $TARBALL"
    printf '\nrelease check: FAILED (%s); build, the steps after it not run, in %ss\n' "${FAILED[*]}" "$(elapsed "$START" "$(now)")" >&2
    exit 1
fi

# ---------------------------------------------------------------- install
step "install (ansible-galaxy collection install --offline into an empty collections path)"
installed=0
crypto="$COLLECTIONS_PATH/ansible_collections/community/crypto"
if [ ! -f "$crypto/MANIFEST.json" ] && ! scripts/fetch-collections.sh community.crypto; then
    fail install "community.crypto, the collection's dependency, could not be fetched (scripts/fetch-collections.sh)"
else
    mkdir -p "$FRESH/ansible_collections/community"
    cp -R "$crypto" "$FRESH/ansible_collections/community/crypto"
    if ANSIBLE_COLLECTIONS_PATH="$FRESH" ansible-galaxy collection install --offline -p "$FRESH" "$TARBALL" &&
        [ -f "$FRESH/ansible_collections/$COLLECTION_NAMESPACE/$COLLECTION_NAME/MANIFEST.json" ]; then
        installed=1
    else
        fail install "ansible-galaxy collection install --offline -p ${FRESH#"$ROOT"/} ${TARBALL#"$ROOT"/} failed"
    fi
fi

# ---------------------------------------------------------------- docs
step "docs (antsibull-docs lint-collection-docs --plugin-docs, on the installed collection)"
if [ "$installed" = 1 ]; then
    # antsibull-docs lints a copy of the collection, made with `git ls-files` when the path is inside a git work tree:
    # build/ is ignored by git, so it would copy nothing and find nothing. GIT_CEILING_DIRECTORIES keeps git from
    # looking above the fresh path, so the whole installed collection is copied.
    if (cd "$FRESH/ansible_collections/$COLLECTION_NAMESPACE/$COLLECTION_NAME" &&
        GIT_CEILING_DIRECTORIES="$FRESH" ANSIBLE_COLLECTIONS_PATH="$FRESH" \
            antsibull-docs lint-collection-docs --plugin-docs .); then
        echo "no finding"
    else
        fail docs "antsibull-docs lint-collection-docs --plugin-docs found problems (above)"
    fi
    # The rendered documentation (RST, one page per plugin and role): every module, inventory and filter file and
    # every role of the tarball must have its page.
    rendered="$RELEASE/docs"
    rm -rf "$rendered" && mkdir -p "$rendered"
    if ANSIBLE_COLLECTIONS_PATH="$FRESH" antsibull-docs collection --use-current --dest-dir "$rendered" \
        "$COLLECTION_NAMESPACE.$COLLECTION_NAME"; then
        pages="$rendered/collections/$COLLECTION_NAMESPACE/$COLLECTION_NAME"
        missing="$(tar -tzf "$TARBALL" | sed -n -e 's#^plugins/modules/\([a-z0-9_]*\)\.py$#\1_module.rst#p' \
            -e 's#^plugins/inventory/\([a-z0-9_]*\)\.py$#\1_inventory.rst#p' \
            -e 's#^plugins/filter/\([a-z0-9_]*\)\.py$#\1_filter.rst#p' -e 's#^roles/\([a-z0-9_]*\)/$#\1_role.rst#p' |
            while read -r page; do [ -s "$pages/$page" ] || printf '%s ' "$page"; done)"
        if [ -n "$missing" ]; then
            fail docs "antsibull-docs collection rendered no page for: $missing"
        else
            echo "rendered: $(find "$pages" -name '*.rst' | wc -l) pages in ${pages#"$ROOT"/}/"
        fi
    else
        fail docs "antsibull-docs collection could not render the documentation (above)"
    fi
else
    fail docs "not run: the tarball did not install"
fi

# ---------------------------------------------------------------- importer
step "importer (galaxy-importer on the tarball)"
if ! ensure_venv "$IMPORTER_VENV" "$(python311)" tests/release/requirements-galaxy-importer.txt; then
    fail importer "could not create ${IMPORTER_VENV#"$ROOT"/} from tests/release/requirements-galaxy-importer.txt"
else
    checked="$TARBALL"
    if ! grep -q '^repository:' galaxy.yml; then
        if [ "${RELEASE_UPLOAD:-0}" = 1 ]; then
            echo "RELEASE_UPLOAD=1: the tarball itself, without a repository URL, goes to galaxy-importer"
        elif checked="$(python tests/release/release_check.py importer-copy "$TARBALL" "$RELEASE/importer")"; then
            printf '%s\n' "NOTE: galaxy.yml has no repository URL (not published yet), which galaxy-importer requires:" \
                "      it checks a copy of the tarball whose MANIFEST.json names a marker there. Set the real URL" \
                "      before an upload and run RELEASE_UPLOAD=1 scripts/release-check.sh (docs/release.md)."
        else
            checked=''
            fail importer "could not make the importer's copy of the tarball"
        fi
    fi
    if [ -n "$checked" ]; then
        log_file="$RELEASE/galaxy-importer.log"
        (cd "$(dirname "$checked")" &&
            PATH="$IMPORTER_VENV/bin:$PATH" GALAXY_IMPORTER_CONFIG="$ROOT/tests/release/galaxy-importer.cfg" \
                "$IMPORTER_VENV/bin/python" -m galaxy_importer.main "$(basename "$checked")") >"$log_file" 2>&1
        rc=$?
        grep -v -e '^Loading ' -e '^Linting ' "$log_file"
        if [ "$rc" != 0 ] || ! tail -1 "$log_file" | grep -qx 'Importer processing completed successfully'; then
            fail importer "galaxy-importer failed (exit status $rc; ${log_file#"$ROOT"/})"
        elif grep -q -e '^ERROR' -e '^WARNING' "$log_file"; then
            fail importer "galaxy-importer reported $(grep -c -e '^ERROR' -e '^WARNING' "$log_file") errors or warnings (above)"
        else
            echo "galaxy-importer: no error, no warning ($(grep -c '^Loading ' "$log_file") contents loaded)"
        fi
    fi
fi

# ---------------------------------------------------------------- module
step "module (one module from the installed collection only)"
if [ "$installed" = 1 ]; then
    python tests/release/release_check.py run-module "$FRESH" "$RELEASE/emulators" ||
        fail module "the module did not run from the installed collection (above)"
else
    fail module "not run: the tarball did not install"
fi

# ---------------------------------------------------------------- files
step "files (${TARBALL#"$ROOT"/}: $(du -k "$TARBALL" | cut -f1) KiB)"
tar -tzf "$TARBALL" | grep -v '/$' | sort

total="$(elapsed "$START" "$(now)")"
if [ "${#FAILED[@]}" -gt 0 ]; then
    printf '\nrelease check: FAILED (%s) in %ss\n' "${FAILED[*]}" "$total" >&2
    exit 1
fi
printf '\nrelease check: passed (changelog, build, install, docs, importer, module) in %ss\n' "$total"
