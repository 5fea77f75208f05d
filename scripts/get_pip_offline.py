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
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os
import subprocess
import sys

# get-pip.py options that `pip install` does not know.
GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')
CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt'


def main():
    """Install pip with the arguments ansible-test passed to get-pip.py."""
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    # The pip bundled with the interpreter, installed quietly (errors still show).
    with open(os.devnull, 'w') as devnull:
        if subprocess.call([sys.executable, '-m', 'ensurepip', '--upgrade'], stdout=devnull) != 0:
            sys.exit('get_pip_offline: "%s -m ensurepip" failed' % sys.executable)
    command = [sys.executable, '-m', 'pip', 'install', '--quiet']
    # A pip run that ignores the global configuration still needs the proxy's CA.
    cert = os.environ.get('PIP_CERT') or (CA_BUNDLE if os.path.isfile(CA_BUNDLE) else None)
    if cert:
        command.extend(['--cert', cert])
    command.extend(args)
    sys.exit(subprocess.call(command))


if __name__ == '__main__':
    main()
