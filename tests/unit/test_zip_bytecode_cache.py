# -*- coding: utf-8 -*-
"""scripts/zip_bytecode_cache.py: the test runs' bytecode cache for modules imported from a zip (docs/testing.md).

Each case runs a fresh interpreter (the hook acts at start-up, as in a module's process) with the hook on its path,
without site (-S): the copy the venv carries is not loaded, only the one under test.
"""

import os
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOOK = os.path.join(ROOT, 'scripts')

PROGRAM = r'''
import sys
sys.path.insert(0, sys.argv[1])
import zip_bytecode_cache  # the venv's .pth line does this at start-up
sys.path.insert(0, sys.argv[2])
import pkg.mod
try:
    pkg.mod.fail()
except ValueError as exc:
    import traceback
    print(pkg.mod.VALUE, exc, traceback.extract_tb(exc.__traceback__)[-1].filename)
'''


def make_zip(path, value):
    with zipfile.ZipFile(path, 'w') as archive:
        archive.writestr('pkg/__init__.py', '')
        archive.writestr('pkg/mod.py', 'VALUE = %r\n\ndef fail():\n    raise ValueError(VALUE * 2)\n' % value)


def run(zip_path, cache):
    env = dict(os.environ, DOMAINSEC_ZIP_BYTECODE_CACHE=cache)
    out = subprocess.run([sys.executable, '-S', '-c', PROGRAM, HOOK, zip_path], env=env, capture_output=True, text=True,
                         check=True)
    return out.stdout.split()


def cached_files(cache):
    return sorted(name for _root, _dirs, names in os.walk(cache) for name in names)


def test_second_run_reads_the_cache_under_its_own_file_name(tmp_path):
    cache = str(tmp_path / 'cache')
    first, second = str(tmp_path / 'a.zip'), str(tmp_path / 'b.zip')
    make_zip(first, 'x')
    make_zip(second, 'x')
    assert run(first, cache) == ['x', 'xx', os.path.join(first, 'pkg', 'mod.py')]
    stored = cached_files(cache)
    assert len(stored) == 2  # pkg/__init__.py and pkg/mod.py
    mtimes = [os.stat(os.path.join(cache, name[:2], name)).st_mtime_ns for name in stored]
    # another zip (another run's temporary directory), the same sources: read from the cache, not written again,
    # and the traceback names this run's zip
    assert run(second, cache) == ['x', 'xx', os.path.join(second, 'pkg', 'mod.py')]
    assert cached_files(cache) == stored
    assert [os.stat(os.path.join(cache, name[:2], name)).st_mtime_ns for name in stored] == mtimes


def test_a_changed_source_is_compiled_again(tmp_path):
    cache = str(tmp_path / 'cache')
    path = str(tmp_path / 'm.zip')
    make_zip(path, 'x')
    run(path, cache)
    make_zip(path, 'y')
    assert run(path, cache)[:2] == ['y', 'yy']
    assert len(cached_files(cache)) == 3  # pkg/__init__.py, and pkg/mod.py twice


def test_off_without_the_variable_and_unharmed_by_a_damaged_entry(tmp_path):
    cache = str(tmp_path / 'cache')
    path = str(tmp_path / 'm.zip')
    make_zip(path, 'x')
    assert run(path, '')[:2] == ['x', 'xx']
    assert not os.path.exists(cache)
    run(path, cache)
    for name in cached_files(cache):
        with open(os.path.join(cache, name[:2], name), 'wb') as stream:
            stream.write(b'\0garbage')
    assert run(path, cache)[:2] == ['x', 'xx']
