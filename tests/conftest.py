# -*- coding: utf-8 -*-
"""Shared pytest set-up: the collection on sys.path, and the vendor emulators.

The collection is made importable as ``ansible_collections.domainsec.onboard``
through ``build/collections/ansible_collections/domainsec/onboard``, a link to
the repository root (the same path ANSIBLE_COLLECTIONS_PATH points at when the
integration tests run ansible-playbook).
"""

import json
import os
import resource
import shutil
import ssl
import sys
import tempfile
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, 'build', 'collections')
LINK = os.path.join(COLLECTIONS, 'ansible_collections', 'domainsec', 'onboard')


def _ensure_collection_link():
    if not os.path.islink(LINK) and not os.path.isdir(LINK):
        os.makedirs(os.path.dirname(LINK), exist_ok=True)
        try:
            os.symlink(ROOT, LINK)
        except FileExistsError:
            pass
    if COLLECTIONS not in sys.path:
        sys.path.insert(0, COLLECTIONS)


_ensure_collection_link()

# Modules run from their AnsiballZ zip compile their sources on every run; the test venvs carry a cache for that
# (scripts/zip_bytecode_cache.py, installed by scripts/lib.sh), which acts only where this variable names a
# directory. Set to '' to run without it.
os.environ.setdefault('DOMAINSEC_ZIP_BYTECODE_CACHE', os.path.join(ROOT, 'build', 'zip-bytecode'))
# The test runs' Ansible configuration (tests/ansible.cfg: the controller's poll interval), for every ansible-playbook
# and ansible-runner job a test starts.
os.environ.setdefault('ANSIBLE_CONFIG', os.path.join(ROOT, 'tests', 'ansible.cfg'))


class Emulators(object):
    """A running harness plus small helpers for its admin API."""

    def __init__(self, harness):
        self.harness = harness
        self.env = harness.env()
        self._ctx = ssl.create_default_context(cafile=harness.ca_path)

    def admin(self, vendor, path, body=None, method=None):
        url = '%s/%s' % (self.harness.admin_urls[vendor].rstrip('/'), path.lstrip('/'))
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method or ('POST' if data is not None else 'GET'),
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, context=self._ctx, timeout=10) as answer:
            text = answer.read()
        return json.loads(text) if text else None

    def counters(self, vendor):
        return self.admin(vendor, 'counters')

    def reset(self, vendor, counters_only=False):
        return self.admin(vendor, 'reset', {'counters_only': counters_only})

    def fault(self, vendor, endpoint, kind, **kwargs):
        return self.admin(vendor, 'faults', dict(kwargs, endpoint=endpoint, kind=kind))

    def configure(self, vendor, **config):
        return self.admin(vendor, 'config', config)

    def state(self, vendor):
        return self.admin(vendor, 'state')


@pytest.fixture(scope='session')
def emulators(request):
    """Every vendor emulator, started once for the session; their env vars are exported.

    Their state directory (CA, logs) is removed at the end of a session in which no test failed, and kept (its path
    printed) for the post-mortem otherwise."""
    from emulators import harness  # tests/ is on sys.path (pytest.ini pythonpath)

    state_dir = tempfile.mkdtemp(prefix='domainsec-emulators-')
    running = harness.start(state_dir)
    emu = Emulators(running)
    saved = dict(os.environ)
    os.environ.update(emu.env)
    try:
        yield emu
    finally:
        os.environ.clear()
        os.environ.update(saved)
        running.stop()
        if request.session.testsfailed:
            sys.stderr.write('\nemulator state and logs kept in %s\n' % state_dir)
        else:
            shutil.rmtree(state_dir, ignore_errors=True)


def _cpu_seconds():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Each test's CPU time as junit properties: ``cpu_self`` (this process: the test and the in-process emulators)
    and ``cpu_children`` (the ansible-playbook, molecule ... runs it waited for). On two cores the suite is bound by
    CPU, not by waiting; these say which tests cost it (docs/testing.md, "Time")."""
    own, children = _cpu_seconds()
    yield
    own_after, children_after = _cpu_seconds()
    item.user_properties.append(('cpu_self', round(own_after - own, 2)))
    item.user_properties.append(('cpu_children', round(children_after - children, 2)))


# The longest integration tests, longest first (seconds on a loaded fresh-clone CI run). pytest-xdist's worksteal
# scheduler (scripts/test.sh) gives each worker one contiguous block of the collected tests and lets an idle worker
# take the unstarted half of a busy one's block; collected in plain order, the long tests would all sit in one block.
# So the tests are dealt out longest first, like cards, one block per worker: every worker starts with its share of
# the long tests (longest processing time first) and stealing evens out the rest.
LONG_FIRST = (
    'test_molecule_scenario[onboard_domain]',   # 241-293 s
    'test_target[onboard_domain]',               # 73-172 s (second core)
    'test_two_certificates_on_the_controller_and_on_two_web_hosts_over_their_life',  # 150-180 s
    'test_molecule_scenario[offboard_domain]',  # 83-133 s
    'test_target[cyberssl_order_faults]',        # 110 s
    'test_target[cyberssl_order]',               # 66-104 s
    'test_target[hardenize_hardening]',          # 96-139 s
    'test_target[virusdie_site]',                # 68-85 s
    'test_target[hardenize_rate_limit]',         # 79-103 s
    'test_register_playbook_registers_the_files_unrendered',  # 24-78 s (second core: 78)
    'test_configure_playbook_creates_everything_once',  # 40-60 s (three awx.awx runs)
    'test_target[ssdns_record_faults]',          # 71-102 s
    'test_target[ssdns_record_hardening]',       # 49-57 s
    'test_many_domains_one_failing',             # 40 s
    'test_target[hardenize_host]',               # 38-70 s
    'test_check_mode_new_domain_every_stage',    # 37 s
    'test_sliced_onboarding_job_template',       # 25-30 s (three ansible-runner jobs at once)
    'test_credentials_only_from_a_vault_file',   # 14-24 s
    'test_examples_run[cyberssl_order_info]',    # 35-52 s
)


def deal(items, workers):
    """``items`` (longest first) dealt round-robin into ``workers`` blocks, the blocks one after the other."""
    return [item for block in range(workers) for item in items[block::workers]]


def pytest_collection_modifyitems(config, items):
    rank = dict((name, n) for n, name in enumerate(LONG_FIRST))
    ordered = sorted(items, key=lambda item: rank.get(item.name, len(LONG_FIRST)))  # stable: the rest keep their order
    workers = int(getattr(config, 'workerinput', {}).get('workercount', 1))
    items[:] = deal(ordered, workers) if workers > 1 else ordered
