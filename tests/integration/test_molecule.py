# -*- coding: utf-8 -*-
"""The roles' molecule scenarios (extensions/molecule/, docs/testing.md "molecule"), one pytest case per scenario so
the integration stage runs them on its workers beside the targets. Each is `molecule test` through
scripts/molecule.sh: create (its own emulators) -> converge -> idempotence -> verify -> cleanup (offboard) -> verify
-> destroy."""

import os
import re
import subprocess
import sys

import pytest
import yaml

from test_targets import ROOT

# molecule is in the main venv only (requirements-dev.txt).
pytestmark = pytest.mark.main_core_only

SCENARIOS = sorted(name for name in os.listdir(os.path.join(ROOT, 'extensions', 'molecule'))
                   if os.path.exists(os.path.join(ROOT, 'extensions', 'molecule', name, 'molecule.yml')))


# What each scenario's verify.yml says it checks ("Phase" task), once per verify of the sequence: the state after
# converge, then the state after cleanup.
VERIFY_PHASES = {
    'onboard_domain': ['onboarded', 'offboarded'],
    'offboard_domain': ['safely offboarded', 'fully removed'],
}


def sequence_of(scenario):
    """The actions molecule runs for ``scenario``: its molecule.yml's test_sequence, else config.yml's."""
    for path in (os.path.join(ROOT, 'extensions', 'molecule', scenario, 'molecule.yml'),
                 os.path.join(ROOT, 'extensions', 'molecule', 'config.yml')):
        with open(path) as handle:
            sequence = ((yaml.safe_load(handle) or {}).get('scenario') or {}).get('test_sequence')
        if sequence:
            return sequence
    raise AssertionError('no test_sequence for %s' % scenario)


def check_molecule_output(scenario, output):
    """What proves that every action of the sequence ran and passed, verify twice with the state it was meant to
    check, not only that the word "verify" was printed (it is, in the scenario matrix line, before anything ran)."""
    sequence = sequence_of(scenario)
    assert sequence.count('verify') == 2 and 'idempotence' in sequence and 'cleanup' in sequence, sequence
    executed = re.findall(r'^INFO +\[%s > (\w+)\] Executed: (\w+)' % re.escape(scenario), output, re.M)
    assert executed == [(action, 'Successful') for action in sequence], executed
    recap = re.findall(r'^%s +: actions=(\d+) +successful=(\d+) +disabled=0 +skipped=0 +missing=0 +failed=0 *$'
                       % re.escape(scenario), output, re.M)
    assert recap == [(str(len(sequence)), str(len(sequence)))], 'no clean SCENARIO RECAP line for %s' % scenario
    assert scenario in VERIFY_PHASES, 'VERIFY_PHASES: what does the verify of %s check after converge and cleanup?' % scenario
    phases = re.findall(r'"msg": "verifying the (.+?) state of ', output)
    assert phases == VERIFY_PHASES[scenario], phases
    # every play of the run ended without a failed or unreachable task (a verify that asserts nothing fails nothing:
    # the Phase lines above prove its tasks ran)
    recaps = re.findall(r'^instance +: ok=\d+ +changed=\d+ +unreachable=(\d+) +failed=(\d+)', output, re.M)
    assert recaps and set(recaps) == {('0', '0')}, recaps


def sample_output(scenario, executed=None, phases=None, failed=0):
    """A molecule run's output in the shape molecule 26 prints it (the lines check_molecule_output reads)."""
    sequence = sequence_of(scenario)
    executed = [(a, 'Successful') for a in sequence] if executed is None else executed
    phases = VERIFY_PHASES[scenario] if phases is None else phases
    lines = ['INFO     [%s > discovery] scenario test matrix: %s' % (scenario, ', '.join(sequence))]
    verifies = iter(phases)
    for action, outcome in executed:
        lines.append('INFO     [%s > %s] Executing' % (scenario, action))
        if action == 'verify':
            lines.extend(['ok: [instance] => {', '    "msg": "verifying the %s state of x.example"' % next(verifies), '}'])
        lines.append('instance                   : ok=2    changed=0    unreachable=0    failed=%d    skipped=0' % failed)
        lines.append('INFO     [%s > %s] Executed: %s' % (scenario, action, outcome))
    successful = sum(1 for dummy, outcome in executed if outcome == 'Successful')
    lines.append('%s            : actions=%d  successful=%d  disabled=0  skipped=0  missing=0  failed=%d'
                 % (scenario, len(executed), successful, len(executed) - successful))
    return '\n'.join(lines) + '\n'


@pytest.mark.parametrize('scenario', SCENARIOS)
def test_the_output_check_accepts_only_a_complete_run(scenario):
    """check_molecule_output can fail: a verify left out, failed or checking the wrong state is caught."""
    sequence = sequence_of(scenario)
    check_molecule_output(scenario, sample_output(scenario))
    without_second_verify = [(a, 'Successful') for a in sequence]
    del without_second_verify[len(sequence) - 1 - sequence[::-1].index('verify')]
    phases = VERIFY_PHASES[scenario]
    for bad in (sample_output(scenario, executed=without_second_verify, phases=phases[:1]),
                sample_output(scenario, executed=[(a, 'Failed' if a == 'verify' else 'Successful') for a in sequence]),
                sample_output(scenario, phases=phases[::-1]),
                sample_output(scenario, failed=1)):
        with pytest.raises(AssertionError):
            check_molecule_output(scenario, bad)


def test_every_role_has_a_scenario():
    roles = sorted(os.listdir(os.path.join(ROOT, 'roles')))
    assert roles and roles == SCENARIOS


@pytest.mark.parametrize('scenario', SCENARIOS)
def test_molecule_scenario(scenario, tmp_path):
    environ = dict(os.environ)
    for name in list(environ):  # the scenario starts its own emulators: nothing may leak in from the fixture's
        if name.startswith(('SECURITYSPACE_', 'HARDENIZE_', 'CYBERSSL_', 'VIRUSDIE_', 'SIGSCI_', 'EMULATOR_', 'DOMAINSEC_')):
            del environ[name]
    if os.environ.get('DOMAINSEC_ZIP_BYTECODE_CACHE'):  # the test runs' bytecode cache (tests/conftest.py) stays on
        environ['DOMAINSEC_ZIP_BYTECODE_CACHE'] = os.environ['DOMAINSEC_ZIP_BYTECODE_CACHE']
    environ['PATH'] = os.path.dirname(sys.executable) + os.pathsep + environ.get('PATH', '')
    result = subprocess.run([os.path.join(ROOT, 'scripts', 'molecule.sh'), scenario], cwd=ROOT, env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=1200,
                            check=False)
    (tmp_path / 'molecule.txt').write_text(result.stdout)
    if result.returncode != 0:
        sys.stdout.write(result.stdout[-20000:])
        pytest.fail('molecule test -s %s failed (rc=%d); output in %s' % (scenario, result.returncode, tmp_path))
    check_molecule_output(scenario, result.stdout)
    # destroy stopped the scenario's emulators (a ps that cut the command line at COLUMNS once hid them from it)
    state_dir = os.path.join(ROOT, 'build', 'molecule', scenario, 'emulators')
    processes = subprocess.run(['ps', '-ww', '-eo', 'args='], stdout=subprocess.PIPE, universal_newlines=True,
                               check=True).stdout.splitlines()
    assert not [p for p in processes if 'serve.py' in p and state_dir in p], 'emulators left running'
