# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Python steps of scripts/release-check.sh (docs/release.md), run with .venv's python.

    release_check.py run-module COLLECTIONS_PATH STATE_DIR
        Run domainsec.onboard.cyberssl_product_info, from the collection installed in COLLECTIONS_PATH and from no
        other place, against the CyberSSL emulator (started here, state in STATE_DIR). It must succeed, change
        nothing, return products and the balance, reach the emulator over HTTPS with certificate checking on, send
        no write, and show no credential in its output.

    release_check.py versions ROOT
        The collection has one version: galaxy.yml's version is a release of changelogs/changelog.yaml, and every
        ``version_added`` in the plugins, the event source and the roles' argument specs is a released version or one
        after the latest release (a plugin or option the next release adds), never a version that was not released.

    release_check.py importer-copy TARBALL DEST_DIR
        Copy TARBALL into DEST_DIR with MANIFEST.json's ``repository`` set to a marker, for galaxy-importer, which
        refuses a collection without one, while galaxy.yml has none (the collection is not published yet).

Exit status 0 when the step passed, 1 with a sentence on stderr when it did not.
"""

import glob
import io
import json
import os
import re
import subprocess
import sys
import tarfile

import yaml
from packaging.version import Version

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
NAME = 'domainsec.onboard'
MODULE = NAME + '.cyberssl_product_info'
REPOSITORY_MARKER = 'NOT-SET (galaxy.yml has no repository: see docs/release.md)'


class CheckFailed(Exception):
    pass


VERSION_ADDED = re.compile(r'''^\s*version_added:\s*['"]?([^'"\s#]+)''', re.MULTILINE)


def versions(root):
    with open(os.path.join(root, 'galaxy.yml'), encoding='utf-8') as handle:
        version = yaml.safe_load(handle)['version']
    with open(os.path.join(root, 'changelogs', 'changelog.yaml'), encoding='utf-8') as handle:
        released = sorted((yaml.safe_load(handle).get('releases') or {}), key=Version)
    if version not in released:
        raise CheckFailed("galaxy.yml's version %s is not released in changelogs/changelog.yaml (released: %s): run "
                          "antsibull-changelog release (docs/release.md)" % (version, ', '.join(released) or 'none'))
    files = sorted(glob.glob(os.path.join(root, 'plugins', '**', '*.py'), recursive=True)
                   + glob.glob(os.path.join(root, 'extensions', 'eda', 'plugins', '**', '*.py'), recursive=True)
                   + glob.glob(os.path.join(root, 'roles', '*', 'meta', 'argument_specs.yml')))
    wrong = []
    count = 0
    for path in files:
        with open(path, encoding='utf-8') as handle:
            for value in VERSION_ADDED.findall(handle.read()):
                count += 1
                if value not in released and Version(value) <= Version(released[-1]):
                    wrong.append('%s: %s' % (os.path.relpath(path, root), value))
    if wrong:
        raise CheckFailed('version_added names a version that was never released (released: %s): %s'
                          % (', '.join(released), '; '.join(wrong)))
    print('version %s released; %d version_added, each a release (%s) or later'
          % (version, count, ', '.join(released)))


def installed_paths(env, bindir):
    """{collections dir: version} of every place ansible-galaxy finds the collection with ``env``."""
    proc = subprocess.run([os.path.join(bindir, 'ansible-galaxy'), 'collection', 'list', '--format', 'json'],
                          env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise CheckFailed('ansible-galaxy collection list failed: %s' % (proc.stderr or proc.stdout).strip())
    found = json.loads(proc.stdout)
    return dict((path, collections[NAME]['version']) for path, collections in found.items() if NAME in collections)


def run_module(collections_path, state_dir):
    sys.path.insert(0, TESTS)
    from emulators import harness  # pylint: disable=import-outside-toplevel
    from secret_grep import leaked_forms  # pylint: disable=import-outside-toplevel

    collections_path = os.path.abspath(collections_path)
    bindir = os.path.dirname(sys.executable)
    env = dict((key, value) for key, value in os.environ.items()
               if not key.startswith(('ANSIBLE_', 'CYBERSSL_', 'DOMAINSEC_')))
    env.update(ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='False',
               ANSIBLE_LOCALHOST_WARNING='False', ANSIBLE_INVENTORY_UNPARSED_WARNING='False', ANSIBLE_NOCOLOR='1',
               ANSIBLE_CALLBACK_RESULT_FORMAT='json')
    where = installed_paths(env, bindir)
    wanted = os.path.join(collections_path, 'ansible_collections')
    if list(where) != [wanted]:
        raise CheckFailed('%s must be found in %s only, found in: %s' % (NAME, wanted, where or 'no place'))

    with harness.start(state_dir, vendors=['cyberssl']) as running:
        env.update(running.env())
        proc = subprocess.run([os.path.join(bindir, 'ansible'), 'localhost', '-m', MODULE, '-a', 'balance=true'],
                              env=env, capture_output=True, text=True, check=False, timeout=120)
        app = running.emulators['cyberssl']
        counters = app.counter_report()
        secrets = app.secrets()
    output = proc.stdout + proc.stderr
    leaked = leaked_forms(output, secrets)
    if leaked:
        raise CheckFailed('%s printed a credential: %s' % (MODULE, ', '.join(leaked)))
    # the default callback's ad hoc output: "localhost | SUCCESS => {...}" (or FAILED!), the result as JSON
    try:
        result = json.loads(proc.stdout.split(' => ', 1)[1])
    except (ValueError, IndexError):
        result = {}
    if proc.returncode != 0 or result.get('failed') or not result:
        raise CheckFailed('%s failed (exit status %d): %s\n%s' % (
            MODULE, proc.returncode, result.get('msg', ''), proc.stderr.strip() or proc.stdout.strip()))
    problems = []
    if result.get('changed') is not False:
        problems.append('changed is %r, not false' % result.get('changed'))
    if not result.get('products'):
        problems.append('no products returned')
    if not isinstance(result.get('balance'), (int, float)):
        problems.append('no balance returned')
    if counters['total'] == 0 or counters['writes'] != 0:
        problems.append('the emulator counted %d requests and %d writes' % (counters['total'], counters['writes']))
    if problems:
        raise CheckFailed('%s from %s: %s' % (MODULE, wanted, '; '.join(problems)))
    print('%s %s from %s: %d products, balance %s; the CyberSSL emulator answered %d requests (%s), 0 writes'
          % (MODULE, where[wanted], wanted, len(result['products']), result['balance'], counters['total'],
             ', '.join('%s %d' % item for item in sorted(counters['counts'].items()))))


def importer_copy(tarball, dest_dir):
    os.makedirs(dest_dir, exist_ok=True)
    dest = os.path.join(dest_dir, os.path.basename(tarball))
    with tarfile.open(tarball) as source, tarfile.open(dest, 'w:gz') as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name == 'MANIFEST.json':
                manifest = json.loads(data)
                if manifest['collection_info'].get('repository'):
                    raise CheckFailed('MANIFEST.json has a repository: the tarball itself goes to galaxy-importer')
                manifest['collection_info']['repository'] = REPOSITORY_MARKER
                data = json.dumps(manifest, indent=1).encode('utf-8')
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data) if data is not None else None)
    print(dest)


def main(argv):
    commands = {'run-module': (run_module, 2), 'importer-copy': (importer_copy, 2), 'versions': (versions, 1)}
    if not argv or argv[0] not in commands or len(argv) != commands[argv[0]][1] + 1:
        sys.stderr.write(__doc__)
        return 2
    try:
        commands[argv[0]][0](*argv[1:])
    except CheckFailed as exc:
        sys.stderr.write('ERROR: %s\n' % exc)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
