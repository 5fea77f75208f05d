# -*- coding: utf-8 -*-
"""The roles' molecule scenarios (extensions/molecule/, docs/testing.md "molecule"), one pytest case per scenario so
the integration stage runs them on its workers beside the targets. Each is `molecule test` through
scripts/molecule.sh: create (its own emulators) -> converge -> idempotence -> verify -> cleanup (offboard) -> verify
-> destroy."""

import os
import subprocess
import sys

import pytest

from test_targets import ROOT

# molecule is in the main venv only (requirements-dev.txt).
pytestmark = pytest.mark.main_core_only

SCENARIOS = sorted(name for name in os.listdir(os.path.join(ROOT, 'extensions', 'molecule'))
                   if os.path.exists(os.path.join(ROOT, 'extensions', 'molecule', name, 'molecule.yml')))


def test_every_role_has_a_scenario():
    roles = sorted(os.listdir(os.path.join(ROOT, 'roles')))
    assert roles and roles == SCENARIOS


@pytest.mark.parametrize('scenario', SCENARIOS)
def test_molecule_scenario(scenario, tmp_path):
    environ = dict(os.environ)
    for name in list(environ):  # the scenario starts its own emulators: nothing may leak in from the fixture's
        if name.startswith(('SECURITYSPACE_', 'HARDENIZE_', 'CYBERSSL_', 'VIRUSDIE_', 'SIGSCI_', 'EMULATOR_', 'DOMAINSEC_')):
            del environ[name]
    environ['PATH'] = os.path.dirname(sys.executable) + os.pathsep + environ.get('PATH', '')
    result = subprocess.run([os.path.join(ROOT, 'scripts', 'molecule.sh'), scenario], cwd=ROOT, env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=1200,
                            check=False)
    (tmp_path / 'molecule.txt').write_text(result.stdout)
    if result.returncode != 0:
        sys.stdout.write(result.stdout[-20000:])
        pytest.fail('molecule test -s %s failed (rc=%d); output in %s' % (scenario, result.returncode, tmp_path))
    for step in ('converge', 'idempotence', 'verify', 'cleanup'):
        assert step in result.stdout
    # destroy stopped the scenario's emulators (a ps that cut the command line at COLUMNS once hid them from it)
    state_dir = os.path.join(ROOT, 'build', 'molecule', scenario, 'emulators')
    processes = subprocess.run(['ps', '-ww', '-eo', 'args='], stdout=subprocess.PIPE, universal_newlines=True,
                               check=True).stdout.splitlines()
    assert not [p for p in processes if 'serve.py' in p and state_dir in p], 'emulators left running'
