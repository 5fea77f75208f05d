# -*- coding: utf-8 -*-
"""A bytecode cache for modules imported from zip files, for the test runs only (docs/testing.md, "Time").

ansible-core runs every module from its AnsiballZ zip, and Python compiles each source file it imports from a zip
on every run (zipimport keeps no bytecode): ``ansible.module_utils.basic``, our module_utils and the module itself,
about 0.15 CPU-seconds of a module run's 0.45. The integration stages run about 2,000 modules.

``scripts/lib.sh`` (``ensure_venv``) puts this file and a ``.pth`` line importing it into the test venvs; it does
nothing unless ``DOMAINSEC_ZIP_BYTECODE_CACHE`` names a directory (``tests/conftest.py`` sets it for pytest; the
demo and the benchmark leave it unset, so what they measure is what a user's controller does). Then it replaces
``zipimport._compile_source`` with one that keeps each compiled code object in that directory, keyed by the
interpreter's bytecode tag, the file's path inside the zip and its source (a changed source is a new key), and
gives the cached code the file name of this run's zip (tracebacks name the file this run imported).
"""
import os


def _install():
    cache = os.environ.get('DOMAINSEC_ZIP_BYTECODE_CACHE')
    if not cache:
        return
    import hashlib
    import marshal
    import sys
    import zipimport

    compile_source = getattr(zipimport, '_compile_source', None)
    if compile_source is None:  # another Python's zipimport: leave it alone
        return
    tag = (sys.implementation.cache_tag or '').encode()
    code_type = type(_install.__code__)

    def renamed(code, filename):
        consts = tuple(renamed(const, filename) if isinstance(const, code_type) else const for const in code.co_consts)
        return code.replace(co_filename=filename, co_consts=consts)

    def cached_compile_source(pathname, source):
        inside = pathname.rsplit('.zip' + os.sep, 1)[-1]
        key = hashlib.sha256(b'\0'.join((tag, inside.encode('utf-8', 'surrogateescape'), source))).hexdigest()
        path = os.path.join(cache, key[:2], key)
        try:
            with open(path, 'rb') as stream:
                return renamed(marshal.load(stream), pathname)
        except (OSError, ValueError, EOFError, TypeError):
            pass
        code = compile_source(pathname, source)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            temp = '%s.%d.tmp' % (path, os.getpid())
            with open(temp, 'wb') as stream:
                marshal.dump(code, stream)
            os.replace(temp, path)  # two processes writing one key: the last complete file wins
        except OSError:
            pass
        return code

    zipimport._compile_source = cached_compile_source


_install()
