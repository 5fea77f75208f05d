# -*- coding: utf-8 -*-
"""scripts/lib.sh: ``_pip_install_ca_retry``, pip and then pip with the CA bundle on the command line - the path a
venv takes where uv cannot be had (``DOMAINSEC_INSTALLER=pip``) and scripts/update-constraints.sh always takes.

``_pip_install`` is replaced by a stand-in that logs its arguments and fails as told, so no pip runs.
"""

import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCRIPT = r'''
root="$1" bundle="$2" log="$3" failures="$4"
. "$root/scripts/lib.sh"
CA_BUNDLE="$bundle"
calls=0
_pip_install() {
    calls=$((calls + 1))
    printf '%s\n' "$*" >>"$log"
    [ "$calls" -gt "$failures" ]
}
_pip_install_ca_retry /the/venv -r requirements.txt
'''


@pytest.mark.parametrize('failures, bundle, rc, calls', [
    (0, True, 0, ['/the/venv -r requirements.txt']),
    (1, True, 0, ['/the/venv -r requirements.txt', '/the/venv --cert BUNDLE -r requirements.txt']),
    (2, True, 1, ['/the/venv -r requirements.txt', '/the/venv --cert BUNDLE -r requirements.txt']),
    (1, False, 1, ['/the/venv -r requirements.txt']),
])
def test_pip_then_pip_with_the_ca_bundle(tmp_path, failures, bundle, rc, calls):
    ca = tmp_path / 'ca.pem'
    if bundle:
        ca.write_text('')
    log = tmp_path / 'calls'
    log.write_text('')
    result = subprocess.run(['bash', '-c', SCRIPT, 'test', ROOT, str(ca), str(log), str(failures)],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == rc, result.stderr
    assert log.read_text().replace(str(ca), 'BUNDLE').splitlines() == calls
