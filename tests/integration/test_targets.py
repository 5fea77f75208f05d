# -*- coding: utf-8 -*-
"""Runs every integration target with real ansible-playbook against the emulators.

A target is ``tests/integration/targets/<name>/tasks/main.yml`` (the layout
ansible-test uses); it is applied as a role to localhost. ``setup_*`` targets
are helpers, not tests. Each target starts from empty emulators.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest

from secret_grep import leaked_forms

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS_DIR = os.path.join(HERE, 'targets')
ROOT = os.path.dirname(os.path.dirname(HERE))


def _targets():
    """The targets as pytest parameters. ``disabled`` in a target's aliases leaves it out; ``main_core_only`` and
    ``second_core_only`` mark it so (the other core's stage deselects it: see scripts/test.sh, docs/testing.md)."""
    params = []
    for name in sorted(os.listdir(TARGETS_DIR)):
        if name.startswith('setup_') or not os.path.exists(os.path.join(TARGETS_DIR, name, 'tasks', 'main.yml')):
            continue
        aliases_path = os.path.join(TARGETS_DIR, name, 'aliases')
        aliases = open(aliases_path).read().split() if os.path.exists(aliases_path) else []
        if 'disabled' in aliases:
            continue
        marks = [getattr(pytest.mark, alias) for alias in ('main_core_only', 'second_core_only') if alias in aliases]
        params.append(pytest.param(name, marks=marks, id=name))
    return params


def ansible_bin(name):
    candidate = os.path.join(os.path.dirname(sys.executable), name)
    return candidate if os.path.exists(candidate) else name


def run_playbook(playbook, extra_args=(), env=None, timeout=600):
    environ = dict(os.environ)
    environ.update({
        'ANSIBLE_COLLECTIONS_PATH': os.path.join(ROOT, 'build', 'collections'),
        'ANSIBLE_ROLES_PATH': TARGETS_DIR,
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'ANSIBLE_RETRY_FILES_ENABLED': '0',
        'ANSIBLE_LOCALHOST_WARNING': '0',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0',
        'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
    })
    environ.update(env or {})
    command = [ansible_bin('ansible-playbook'), '-i', 'localhost,', '-c', 'local', playbook] + list(extra_args)
    return subprocess.run(command, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=timeout, check=False)


# Values that must never appear in any output: every secret the running
# emulators know (credentials they were started with, tokens, hook secrets and
# keys they issued or were given, before resets too: ``app.secrets()``), and
# values the targets themselves introduce.
TARGET_SECRETS = ('c2VjcmV0LXRzaWcta2V5LXZhbHVl', 'url-pass-9f3a2c')  # a TSIG key; a webhook URL's password


def known_secrets(emulators):
    """TARGET_SECRETS plus ``secrets()`` of every app of the in-process harness."""
    found = set(TARGET_SECRETS)
    for app in emulators.harness.emulators.values():
        found.update(app.secrets())
    return found


def assert_no_secrets(text, emulators):
    """No known secret in ``text`` in any form it takes on the wire or in JSON (``secret_grep.wire_forms``: raw,
    URL-encoded, JSON-escaped, base64); returns how many secrets were looked for."""
    secrets = known_secrets(emulators)
    leaked = leaked_forms(text, secrets)
    assert not leaked, 'secret values in the output: %s' % ', '.join(leaked)
    return len(secrets)


def failure_excerpt(output, limit=4000):
    """The failed tasks of a playbook's output: each failed task's header and the result lines that say why
    (msg, assertion, evaluated_to, stderr), so a CI log that keeps only the head of the output still names them.
    Failures a task ignores (``...ignoring``) are left out."""
    segments, current = [], []
    for line in output.splitlines():
        if line.startswith(('TASK [', 'PLAY RECAP')) and current:
            segments.append(current)
            current = []
        current.append(line)
    segments.append(current)
    excerpt = []
    for segment in segments:
        if any(line.startswith('...ignoring') for line in segment):
            continue
        failed = [n for n, line in enumerate(segment) if line.startswith(('fatal: [', 'failed: [', '[ERROR]'))]
        if not failed:
            continue
        excerpt.append(segment[0][:300] if segment[0].startswith('TASK [') else '(no task header)')
        for number in failed:
            excerpt.append(segment[number][:800])
            for follow in segment[number + 1:number + 400]:
                if follow.startswith(('fatal: [', 'failed: [', '[ERROR]')):
                    break
                if re.match(r'\s*"(msg|assertion|evaluated_to|stderr|module_stderr|exception)":', follow):
                    excerpt.append(follow[:800])
    text = '\n'.join(excerpt)
    return text[:limit] if text else '(no failed task found in the output)'


@pytest.mark.parametrize('target', _targets())
def test_target(target, emulators, tmp_path):
    """Run the target at -vvv; it must pass, and its output must hold no secret."""
    for vendor in emulators.harness.emulators:
        emulators.reset(vendor)
    playbook = tmp_path / 'run.yml'
    playbook.write_text('- hosts: localhost\n  gather_facts: false\n  roles:\n    - %s\n' % target)
    # The target's own files (its TMPDIR): removed when it passes. A short path of its own, not under tmp_path:
    # ansible-core 2.21 puts a Unix socket into TMPDIR, and a socket's path may not be longer than 107 bytes.
    workdir = tempfile.mkdtemp(prefix='domainsec-target-')
    result = run_playbook(str(playbook), extra_args=['-vvv'], env={'TMPDIR': workdir})
    (tmp_path / 'output.txt').write_text(result.stdout)
    if result.returncode == 0:
        shutil.rmtree(workdir, ignore_errors=True)
    if result.returncode != 0:
        why = failure_excerpt(result.stdout)
        sys.stdout.write('== failed tasks ==\n%s\n== end of the output ==\n%s' % (why, result.stdout[-20000:]))
        pytest.fail('target %s failed (rc=%d), output in %s; failed tasks:\n%s'
                    % (target, result.returncode, tmp_path, why))
    assert 'failed=0' in result.stdout
    credentials = set()
    for app in emulators.harness.emulators.values():
        credentials.update(app.credentials())
    assert credentials and credentials <= known_secrets(emulators)
    assert assert_no_secrets(result.stdout, emulators) >= len(credentials) + len(TARGET_SECRETS)


def test_secret_check_catches_a_leak(emulators):
    """The grep above can fail: a leaked credential, session token or hook secret is found, resets or not."""
    import requests

    env = emulators.env
    session = requests.Session()
    session.trust_env = False
    session.verify = env['DOMAINSEC_CA_PATH']
    answer = session.post(env['SECURITYSPACE_API_URL'] + '/auth.php', timeout=10,
                          data={'apikey': env['SECURITYSPACE_API_KEY'], 'userid': env['SECURITYSPACE_USERID'],
                                'password': env['SECURITYSPACE_PASSWORD']}).json()
    token = answer['sessionToken']
    hook = session.post('%s/v1/org/%s/eventHooks' % (env['HARDENIZE_API_URL'], env['HARDENIZE_ORG']), timeout=10,
                        auth=(env['HARDENIZE_API_USER'], env['HARDENIZE_API_PASSWORD']),
                        json={'hookType': 'webhook', 'eventTypes': ['ct.entry'],
                              'destination': env['HARDENIZE_TEST_RECEIVER_URL'] + '/leak'}).json()['eventHook']
    session.close()
    for vendor in emulators.harness.emulators:
        emulators.reset(vendor)  # what a target run does first: the state is gone, the secrets are not
    assert emulators.state('securityspace')['sessions'] == [] and emulators.state('hardenize')['eventHooks'] == []
    for leaked in (env['SECURITYSPACE_PASSWORD'], env['SECURITYSPACE_API_KEY'], env['HARDENIZE_API_PASSWORD'],
                   token, hook['secret'], TARGET_SECRETS[0]):
        with pytest.raises(AssertionError, match='secret values in the output'):
            assert_no_secrets('ok ... %s ... ok' % leaked, emulators)
    assert_no_secrets('ok ... %s %s ... ok' % (env['SECURITYSPACE_USERID'], hook['id']), emulators)
