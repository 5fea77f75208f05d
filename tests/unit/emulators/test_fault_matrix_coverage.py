# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every write endpoint an emulator declares has a scenario in the fault matrix, or an exemption with its reason.

Cheap (no emulator process, no ansible-playbook), so it runs in the unit stage: the emulators of ``harness.APPS`` are
instantiated, not served, and their endpoints read from the tables their modules declare them in (``ENDPOINTS``:
SecuritySpace's RPC names; ``METHODS``: Virusdie's and CyberSSL's methods; ``ROUTES``: Hardenize's and Signal
Sciences' path templates with their HTTP methods, keyed ``"<METHOD> <template>"`` as ``endpoint_key`` counts them)
plus ``write_endpoints``; a write is what the app's own ``is_write`` says (what ``GET /_emulator/counters`` sums as
``writes``). The matrix's endpoints are those of its ``SCENARIOS`` (tests/integration/test_fault_matrix.py, imported:
it needs nothing the unit stage does not have; nothing in it runs at import but building the scenarios).
"""

import sys

import pytest

from emulators import harness
from integration import test_fault_matrix as matrix

# Write endpoints the fault matrix leaves out on purpose: (emulator, endpoint key) -> why.
EXEMPT = {
    ('securityspace', 'saRunAudit'):
        'an action, not a state: ssaudit starts an audit on every run, so the clean re-run of a matrix case (which '
        'must change nothing and send no write) cannot hold',
    ('virusdie', 'site_scan'):
        'an action, not a state: virusdie_site with scan: true starts a scan on every run (CHANGES_EVERY_RUN in '
        'test_module_examples.py), so the clean re-run of a matrix case cannot hold; a scan whose outcome is unknown '
        'is never sent again, as nothing can be read to tell (docs/virusdie.md)',
    ('virusdie', 'signin'):
        'account management (a new API key for a one-time password): no module or plugin calls it; the collection '
        'works with the API key it is given',
    ('virusdie', 'signout'):
        'deletes an API key that signin made: no module or plugin calls it',
    ('cyberssl', 'activate_ssl_order'):
        'in the vendor\'s PHP class, not in the document: no module or plugin calls it',
    ('cyberssl', 'resend_dv_email'):
        'an action (sends the approval e-mail again): no module or plugin calls it',
    ('cyberssl', 'revalidate'):
        'sent as a read on purpose ("asking twice does no harm", CyberSSLClient.revalidate): the transport retries it '
        'after a lost answer, which the matrix counts as a re-sent write; and cyberssl_order with revalidate: true '
        'sends it on every run while the order awaits validation',
    ('sigsci', 'POST /corps/{corp}/sites/{site}/members'):
        'emulated for the published clients (go-sigsci AddSiteMembers, pysigsci add_members_to_site; '
        'tests/unit/emulators/test_sigsci_pysigsci.py); no module or plugin calls it: sigsci_site_member invites '
        'each member with its own role, which this call cannot give',
    ('cyberssl', 'order_extra_domains'):
        'documented but not called by the collection (docs/cyberssl.md: a reissue that needs more domains fails with '
        'the vendor\'s 112, naming the call to make by hand)',
}
# Apps of harness.APPS the collection sends nothing to (they stand for the world outside a vendor): app -> why.
NOT_CALLED = {
    'receiver': "the customer's webhook endpoint: the Hardenize emulator delivers events to it; no module writes to it",
}


def endpoint_table(app):
    """The endpoint keys an app's module declares in its table (see the module docstring)."""
    module = sys.modules[type(app).__module__]
    keys = set(getattr(module, 'ENDPOINTS', ())) | set(getattr(module, 'METHODS', {}))
    for template, methods in getattr(module, 'ROUTES', {}).items():
        keys.update('%s %s' % (method, template) for method in methods)
    return keys


def emulator_writes():
    """{(app, endpoint key)} of every write endpoint the emulators of harness.APPS declare (NOT_CALLED left out)."""
    writes = set()
    for name in sorted(harness.APPS):
        if name not in NOT_CALLED:
            app = harness.app_class(name)()
            writes.update((name, key) for key in endpoint_table(app) | set(app.write_endpoints) if app.is_write(key))
    return writes


WRITES = emulator_writes()
COVERED = set((s['vendor'], s['endpoint']) for s in matrix.SCENARIOS)


def named(pairs):
    return ', '.join('%s %s' % pair for pair in sorted(pairs))


def test_every_emulator_write_endpoint_has_a_fault_matrix_scenario():
    missing = WRITES - COVERED - set(EXEMPT)
    assert not missing, ('write endpoints without a fault-matrix scenario: %s. Add a scenario to '
                         'tests/integration/test_fault_matrix.py, or an entry with the reason to EXEMPT here'
                         % named(missing))


def test_exemptions_name_write_endpoints_that_exist_and_are_not_in_the_matrix():
    stale = set(EXEMPT) - WRITES
    assert not stale, 'EXEMPT names endpoints no emulator declares as a write (remove them): %s' % named(stale)
    redundant = set(EXEMPT) & COVERED
    assert not redundant, 'EXEMPT names endpoints the matrix has a scenario for (remove them): %s' % named(redundant)
    assert all(isinstance(why, str) and len(why) > 20 for why in EXEMPT.values()), 'each exemption needs its reason'
    unknown = set(NOT_CALLED) - set(harness.APPS)
    assert not unknown, 'NOT_CALLED names apps that harness.APPS does not have: %s' % sorted(unknown)


def test_matrix_scenarios_name_write_endpoints_of_their_emulator():
    """A scenario (or the writes it expects beside its own, ``also``) for an endpoint that is no write of its
    emulator (renamed, misspelt) would fault nothing."""
    named_writes = COVERED | set((s['vendor'], key) for s in matrix.SCENARIOS for key in s.get('also') or {})
    unknown = named_writes - WRITES
    assert not unknown, 'fault-matrix scenarios name endpoints that are no write of their emulator: %s' % named(unknown)


@pytest.mark.parametrize('name', sorted(set(harness.APPS) - set(NOT_CALLED)))
def test_each_emulator_declares_its_endpoints_where_this_test_reads_them(name):
    """An app whose endpoints were declared some other way would have no write endpoint here, and nothing checked."""
    app = harness.app_class(name)()
    table = endpoint_table(app)
    writes = set(key for key in table if app.is_write(key))
    assert writes and table - writes, ('%s: no table of endpoints with both reads and writes (ENDPOINTS, METHODS or '
                                       'ROUTES) in %s' % (name, type(app).__module__))
    unknown = set(app.write_endpoints) - table
    assert not unknown, '%s: write_endpoints that its endpoint table does not have: %s' % (name, sorted(unknown))


def test_matrix_cases_cover_every_pair():
    """The matrix runs by pairs (``test_fault_matrix.cases``): every scenario with every fault kind; where a task sends
    three or more writes, each kind at the first, middle and last write somewhere and each scenario at all three;
    the purchases at every position with every kind. A change that drops a pair fails here, not in a run nobody
    reads."""
    cases, full = matrix.cases(), matrix.cases(full=True)
    assert set(cases) <= set(full) and len(set(cases)) == len(cases)
    assert set((name, kind) for name, kind, dummy in cases) == set((name, kind) for name, kind, dummy in full)
    several = [s for s in matrix.SCENARIOS if len(matrix.positions(s)) > 1]
    assert several, 'no scenario with three writes: the positions are never tried'
    for scenario in several:
        name = scenario.get('name', scenario['endpoint'])
        mine = [(kind, position) for case, kind, position in cases if case == name]
        assert set(position for dummy, position in mine) == {'first', 'middle', 'last'}, (name, mine)
        if scenario.get('money'):
            assert len(mine) == 3 * len(matrix.KINDS), '%s: a purchase takes every kind at every position' % name
    names = set(s.get('name', s['endpoint']) for s in several if not s.get('money'))  # those take every position
    assert len(names) >= 3, names
    for kind in matrix.KINDS:
        met = set(position for case, k, position in cases if k == kind and case in names)
        assert met == {'first', 'middle', 'last'}, (kind, met)
