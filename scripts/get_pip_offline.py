# -*- coding: utf-8 -*-
# Copyright: domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for the get-pip.py that ansible-test downloads.

ansible-test bootstraps pip into every virtual environment it creates by running
``~/.ansible/test/cache/get_pip_<version>.py`` (downloading it from
ci-files.testing.ansible.com when the file is missing) with the pip install
arguments it wants, e.g. ``--disable-pip-version-check pip==24.2 --no-setuptools
--no-wheel``. That site is unreachable here, so scripts/test.sh copies this file
to that path. It does the same job without the download: ``ensurepip`` puts the
pip bundled with the interpreter into the environment, then that pip installs
the requested pip from the package index (through the configured proxy).
The pip that ansible-test then uses installs each test's requirements the
same way, so nothing else needs the download site.

ansible-test makes about ten virtual environments per sanity run, and the
first way costs about 9 CPU-seconds each. So the first run also keeps the
requested pip's wheel beside this script (``pip-<version>-py3-none-any.whl``
in ~/.ansible/test/cache/), and every later call installs pip from it with
the wheel's own pip (``python pip.whl/pip install --no-index pip.whl``, about
4 CPU-seconds, nothing downloaded).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

# get-pip.py options that `pip install` does not know.
GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')
CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt'
CACHE = os.path.dirname(os.path.abspath(__file__))


def cert_options():
    """A pip run that ignores the global configuration still needs the proxy's CA."""
    cert = os.environ.get('PIP_CERT') or (CA_BUNDLE if os.path.isfile(CA_BUNDLE) else None)
    return ['--cert', cert] if cert else []


def cached_wheel(version):
    found = glob.glob(os.path.join(CACHE, 'pip-%s-py3-none-any.whl' % version)) if version else []
    return found[0] if found else None


def keep_wheel(version):
    """Download the pip wheel into the cache (once; a failure only costs the next call the slow way)."""
    work = tempfile.mkdtemp(dir=CACHE, prefix='.pip-wheel-')
    try:
        with open(os.devnull, 'w') as devnull:
            subprocess.call([sys.executable, '-m', 'pip', 'download', '--quiet', '--disable-pip-version-check',
                             '--no-deps', '--only-binary', ':all:', '--dest', work] + cert_options()
                            + ['pip==%s' % version], stdout=devnull, stderr=devnull)
        for wheel in glob.glob(os.path.join(work, 'pip-%s-py3-none-any.whl' % version)):
            os.rename(wheel, os.path.join(CACHE, os.path.basename(wheel)))  # atomic: a parallel run may race
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    """Install pip with the arguments ansible-test passed to get-pip.py."""
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    versions = [match.group(1) for match in (re.match(r'^pip==([0-9.]+)$', arg) for arg in args) if match]
    version = versions[0] if len(versions) == 1 else None
    wheel = cached_wheel(version)
    if wheel:
        options = [arg for arg in args if not arg.startswith('pip==')]
        sys.exit(subprocess.call([sys.executable, os.path.join(wheel, 'pip'), 'install', '--quiet', '--no-index']
                                 + options + [wheel]))
    # The pip bundled with the interpreter, installed quietly (errors still show).
    with open(os.devnull, 'w') as devnull:
        if subprocess.call([sys.executable, '-m', 'ensurepip', '--upgrade'], stdout=devnull) != 0:
            sys.exit('get_pip_offline: "%s -m ensurepip" failed' % sys.executable)
    status = subprocess.call([sys.executable, '-m', 'pip', 'install', '--quiet'] + cert_options() + args)
    if status == 0 and version:
        keep_wheel(version)
    sys.exit(status)


if __name__ == '__main__':
    main()
