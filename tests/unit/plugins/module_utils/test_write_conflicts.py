# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A write refused because what it makes is there already (a 409, a vendor's "already exists") is settled by a
re-read, for every vendor client (VendorClient.write with HttpClient.write's conflict check).

Each case runs against the vendor's emulator in process (FakeHttp.for_app): another client ("another run") makes the
object first, then the client under test sends the same create. The emulator answers its duplicate as the vendor
document says; the client must re-read, return the object, note it in ``found`` (not ``done``: this run did not make
it) - or, when the object is there but not as this create wants it, fail saying so.
"""

import pytest

from unit.fake_http import FakeHttp, dropped
from ansible_collections.domainsec.onboard.plugins.module_utils import cyberssl as cs
from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize as hz
from ansible_collections.domainsec.onboard.plugins.module_utils import http_transport as H
from ansible_collections.domainsec.onboard.plugins.module_utils import module_runner
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace as ss
from ansible_collections.domainsec.onboard.plugins.module_utils import sigsci as sg
from ansible_collections.domainsec.onboard.plugins.module_utils import virusdie as vd

COMMON = dict(validate_certs=True, ca_path=None, timeout=30, retries=2, rate_limit_wait=30)


def securityspace():
    from emulators.securityspace import SecuritySpaceApp  # pylint: disable=import-outside-toplevel
    app = SecuritySpaceApp()
    return app, lambda: ss.SecuritySpaceClient.from_params(dict(
        COMMON, api_key=app.api_key, userid=app.userid, password=app.password, api_url='https://ss.test/api'))


def hardenize():
    from emulators.hardenize import HardenizeApp  # pylint: disable=import-outside-toplevel
    app = HardenizeApp()
    app.configure({'rate_limit_enabled': False})
    return app, lambda: hz.HardenizeClient.from_params(dict(
        COMMON, api_url='https://hz.test', org=app.org, api_user=app.user, api_password=app.password))


def sigsci():
    from emulators.sigsci import SigsciApp  # pylint: disable=import-outside-toplevel
    app = SigsciApp()
    return app, lambda: sg.SigsciClient.from_params(dict(
        COMMON, email=app.email, api_token=app.token, corp=app.corp_name, api_url='https://api.test/api/v0'))


def virusdie():
    from emulators.virusdie import VirusdieApp  # pylint: disable=import-outside-toplevel
    app = VirusdieApp()
    app.configure({'rate_limit_enabled': False})
    return app, lambda: vd.VirusdieClient.from_params(dict(
        COMMON, api_url='https://vd.test/api', api_key=app.api_key, mac_key=app.mac_key))


def connect(app, make):
    client = make()
    client.http.sleep = lambda seconds: None
    FakeHttp.for_app(app).mount(client.http)
    return client


def writes(app):
    return dict((k, n) for k, n in app.counter_report()['counts'].items() if app.is_write(k) and n)


# vendor, the setup another run did, the create of this run, what the re-read returns, the write endpoint (counted),
# the emulator's duplicate answer (in the trace)
CASES = [
    ('securityspace', securityspace,
     lambda c: c.add_domain('race.example', 'master'), lambda c: c.add_domain('race.example', 'master'),
     'dnsAddDomain', 'unableToAddDuplicate'),
    ('hardenize', hardenize,
     lambda c: c.create_group('Race', True, ['a']), lambda c: c.create_group('Race', True, ['a']),
     'POST /groups', 'HTTP 409'),
    ('sigsci site', sigsci,
     lambda c: c.create_site(sg.new_site('race', {'agentLevel': 'log'})),
     lambda c: c.create_site(sg.new_site('race', {'agentLevel': 'log'})),
     'POST /corps/{corp}/sites', 'HTTP 409'),
    ('sigsci member', sigsci,
     lambda c: (c.create_site(sg.new_site('race', {})), c.invite_member('race', 'analyst@example.com', 'user')),
     lambda c: c.invite_member('race', 'analyst@example.com', 'user'),
     'POST /corps/{corp}/sites/{site}/members/{email}/invite', 'HTTP 409'),
    ('virusdie sites_add', virusdie,
     lambda c: c.add_sites([{'name': 'race.example.com', 'share': 'o@example.com'}]),
     lambda c: c.add_sites([{'name': 'race.example.com', 'share': 'o@example.com'}]),
     'sites_add', None),
    ('virusdie unit rename', virusdie,
     lambda c: (c.add_sites([{'name': 'race.example.com', 'share': 'o@example.com'}]),
                c.update_unit('o@example.com', 'n@example.com')),
     lambda c: c.update_unit('o@example.com', 'n@example.com'),
     'unit_update', 'Unit not found'),
]


@pytest.mark.parametrize('name, vendor, other, mine, endpoint, answer', CASES, ids=[c[0] for c in CASES])
def test_a_create_refused_as_existing_is_found_by_a_re_read_not_failed(name, vendor, other, mine, endpoint, answer):
    app, make = vendor()
    other(connect(app, make))  # another run made it just before
    app.reset_counters()
    client = connect(app, make)
    result = mine(client)
    assert writes(app) == {endpoint: 1}  # sent once, refused, not sent again
    assert client.done == [] and len(client.found) == 1, (client.done, client.found)
    if answer:
        assert answer in client.found[0]['answer'], client.found[0]
    assert client.found_only()
    if name == 'virusdie sites_add':
        assert result == {}  # the site is not reported as refused
    elif name in ('hardenize', 'sigsci site'):
        assert result.get('name') in ('Race', 'race')  # the object the re-read found


@pytest.mark.parametrize('vendor, other, mine, words', [
    (sigsci, lambda c: (c.create_site(sg.new_site('race', {})), c.invite_member('race', 'analyst@example.com', 'admin')),
     lambda c: c.invite_member('race', 'analyst@example.com', 'user'), 'already a member'),
    (sigsci, lambda c: c.create_site(sg.new_site('race', {'agentLevel': 'block'})),
     lambda c: c.create_site(sg.new_site('race', {'agentLevel': 'log'})), 'already exists'),
    (hardenize, lambda c: c.create_group('Race', True, ['a']), lambda c: c.create_group('race', True, ['b']),
     'already exists'),
], ids=['sigsci member with another role', 'sigsci site with other settings', 'hardenize group with other tags'])
def test_a_conflict_whose_re_read_does_not_show_the_wanted_state_fails_saying_so(vendor, other, mine, words):
    app, make = vendor()
    other(connect(app, make))
    client = connect(app, make)
    with pytest.raises(H.ApiError) as err:
        mine(client)
    assert words in str(err.value) and 'A re-read does not show it as this task wants it' in str(err.value)
    assert err.value.status == 409 and client.done == [] and client.found == []


def test_a_conflict_on_a_re_send_is_this_runs_own_earlier_send():
    """The first send's answer was lost and the re-read did not show it yet; the re-send is refused as a duplicate:
    the re-read now shows it, so the earlier send had landed - this run's change, noted in done."""
    site = dict(sg.new_site('www', {}), agentLevel='log')
    outcomes = [dropped(), (404, {'message': 'Site not found'}), (409, {'message': 'Site with name www already exists'}),
                site]
    client = connect_scripted(sg.SigsciClient.from_params(dict(
        COMMON, email='o@example.com', api_token='t' * 32, corp='acme', api_url='https://api.test/api/v0')), outcomes)
    assert client.create_site(sg.new_site('www', {})) == site
    assert client.done == [{'operation': 'create_site', 'what': 'site www created'}] and client.found == []


def connect_scripted(client, outcomes):
    client.http.sleep = lambda seconds: None
    FakeHttp().on('*', *outcomes).mount(client.http)
    return client


def test_a_refusal_that_is_no_conflict_is_not_re_read():
    client = connect_scripted(sg.SigsciClient.from_params(dict(
        COMMON, email='o@example.com', api_token='t' * 32, corp='acme', api_url='https://api.test/api/v0')),
        [(400, {'message': 'bad role'})])
    with pytest.raises(sg.SigsciError, match='bad role'):
        client.invite_member('www', 'a@example.com', 'user')
    assert len(client.http.trace) and client.found == [] and client.done == []


def test_cyberssl_has_no_conflict_answer():
    """The CyberSSL document names no "already exists" refusal: a second order is a second purchase, guarded by
    my_orders and prove_within, never settled as found."""
    client = cs.CyberSSLClient.from_params(dict(COMMON, api_key='k' * 32, sandbox=True, api_url=None))
    assert client.CONFLICT_ERRORS == frozenset()
    assert not client.is_conflict(cs.CyberSSLError('add_ssl_order', 110, 'already ordered'))


class _Module(object):
    def __init__(self, check_mode=False):
        self.check_mode = check_mode
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


@pytest.mark.parametrize('done, check_mode, changed', [
    ([], False, False),  # every write found done by someone else
    ([{'operation': 'x', 'what': 'y'}], False, True),  # something else was done too
    ([], True, True),  # check mode keeps the plan
])
def test_a_run_whose_writes_were_all_found_done_reports_no_change_and_warns(done, check_mode, changed):
    """changed: false when this run's every write was found done by someone else (as ansible.builtin.file does for a
    directory another process made first); a warning names each."""
    app, make = sigsci()
    connect(app, make).create_site(sg.new_site('race', {}))
    client = connect(app, make)
    client.create_site(sg.new_site('race', {}))
    client.done.extend(done)
    module, result = _Module(check_mode), dict(changed=True)
    module_runner.found_done(module, client, result)
    assert result['changed'] is changed
    [warning] = module.warnings
    assert 'Found done by someone else, not by this run: site race created' in warning
    assert 'Signal Sciences refused it as done already' in warning and 'already exists' in warning
