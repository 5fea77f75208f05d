# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Signal Sciences client (plugins/module_utils/sigsci.py) through FakeHttp, and its input checks."""

import pytest

from unit.fake_http import FakeHttp, dropped
from ansible_collections.domainsec.onboard.plugins.module_utils import http_transport as H
from ansible_collections.domainsec.onboard.plugins.module_utils import sigsci as sg

TOKEN = 'tok-0123456789abcdef0123456789abcdef'
SECRET = 'secret-key-9876543210-abcdefghijklmnopqrstuv'


def client(*outcomes, **kwargs):
    params = dict(email='Owner@Example.com', api_token=TOKEN, corp='acme', api_url='https://api.test/api/v0/',
                  validate_certs=True, ca_path=None, timeout=30, retries=2, rate_limit_wait=30)
    c = sg.SigsciClient.from_params(params)
    c.http.sleep = lambda seconds: None
    fake = FakeHttp(default=kwargs.get('default')).on('*', *outcomes).mount(c.http)
    return c, fake


def test_every_request_carries_the_two_headers_and_the_token_is_a_secret():
    c, fake = client({'data': []})
    assert c.list_sites() == []
    [sent] = fake.sent
    assert sent.url == 'https://api.test/api/v0/corps/acme/sites'
    assert sent.headers['x-api-user'] == 'Owner@Example.com' and sent.headers['x-api-token'] == TOKEN
    assert TOKEN not in '\n'.join(c.http.trace) and c.http.redactor.text(TOKEN) == H.REDACTED


@pytest.mark.parametrize('status', [401, 403])
def test_refused_credentials_never_read_as_not_found(status):
    c, _fake = client((status, {'message': 'Unauthorized' if status == 401 else 'Forbidden'}))
    with pytest.raises(sg.SigsciError) as err:
        c.get_site('www')  # a 404 would be None; a 401/403 is an error saying why
    assert 'credentials were refused' in str(err.value) and err.value.status == status


def test_a_missing_site_is_none():
    c, _fake = client((404, {'message': 'Site not found'}))
    assert c.get_site('nope') is None


def test_agent_keys_are_never_traced():
    c, fake = client({'name': 'www primary key', 'accessKey': 'ak-1', 'secretKey': SECRET})
    keys = c.agent_keys('www')
    assert keys == [{'name': 'www primary key', 'accessKey': 'ak-1', 'secretKey': SECRET}]
    assert fake.sent[0].path == '/api/v0/corps/acme/sites/www/keys'
    assert SECRET not in '\n'.join(c.http.trace) and 'not traced' in c.http.trace[0]


def test_a_create_whose_answer_is_lost_is_re_read_not_re_sent():
    site = {'name': 'www', 'displayName': 'www'}
    c, fake = client(dropped(), site)
    assert c.create_site({'name': 'www', 'displayName': 'www'}) == site
    sent = [(s.method, s.path) for s in fake.sent]
    assert sent == [('POST', '/api/v0/corps/acme/sites'), ('GET', '/api/v0/corps/acme/sites/www')]
    assert c.done == [{'operation': 'create_site', 'what': 'site www created'}]


def test_member_emails_are_quoted_in_paths():
    c, fake = client({}, {'data': [{'user': {'email': 'a+b@example.com'}, 'role': 'user'}]})
    c.invite_member('www', 'a+b@example.com', 'user')
    assert fake.sent[0].path == '/api/v0/corps/acme/sites/www/members/a%2Bb@example.com/invite'
    assert fake.sent[0].json() == {'role': 'user'}


@pytest.mark.parametrize('override, words', [
    (dict(name='Www'), 'name must be'), (dict(name='-www'), 'name must be'), (dict(name='a' * 51), 'name must be'),
    (dict(block_http_code=302), 'needs block_redirect_url'), (dict(block_http_code=200), '400-599'),
    (dict(block_http_code=406, block_redirect_url='https://x.example/'), 'only applies with block_http_code 301'),
    (dict(block_http_code=301, block_redirect_url='ftp://x.example/'), 'http:// or https://'),
    (dict(block_duration_seconds=0), 'block_duration_seconds'),
    (dict(client_ip_headers=['X Forwarded']), 'header names'),
    (dict(display_name=''), 'display_name'),
])
def test_validate_site_refuses(override, words):
    params = dict(name='www', display_name=None, agent_level=None, agent_anon_mode=None, block_http_code=None,
                  block_duration_seconds=None, block_redirect_url=None, client_ip_headers=None, immediate_block=None)
    params.update(override)
    with pytest.raises(ValueError, match=words):
        sg.validate_site(params)


def test_site_changes_only_what_differs():
    site = {'name': 'www', 'agentLevel': 'log', 'agentAnonMode': '', 'clientIPRules': [{'header': 'X-Forwarded-For'}],
            'blockHTTPCode': 406}
    wanted = {'agentLevel': 'block', 'clientIPRules': [{'header': 'x-forwarded-for'}], 'blockHTTPCode': 406,
              'agentAnonMode': ''}
    assert sg.site_changes(site, wanted) == {'agentLevel': 'block'}


def test_check_member():
    assert sg.check_member(' Ops@Example.com ', 'admin', 'members[0]') == 'ops@example.com'
    with pytest.raises(ValueError, match=r'members\[1\].role'):
        sg.check_member('ops@example.com', 'superuser', 'members[1]')
    with pytest.raises(ValueError, match=r'members\[2\].email'):
        sg.check_member('not-an-address', 'user', 'members[2]')


# -- a role change: removed and invited again (the API has no site-level member update) ----------------------------
def test_a_role_change_is_a_removal_then_an_invitation():
    c, fake = client((204, b''), {'email': 'ops@example.com', 'role': 'admin', 'status': 'active'})
    c.set_member_role('www', 'ops@example.com', 'admin')
    assert [(s.method, s.path) for s in fake.sent] == [
        ('DELETE', '/api/v0/corps/acme/sites/www/members/ops@example.com'),
        ('POST', '/api/v0/corps/acme/sites/www/members/ops@example.com/invite')]
    assert fake.sent[1].json() == {'role': 'admin'}
    assert 'PATCH' not in [s.method for s in fake.sent]
    assert [d['operation'] for d in c.done] == ['remove_member', 'invite_member']
    assert 'to be invited again as admin' in c.done[0]['what']


def test_a_role_change_whose_removal_answer_is_lost_is_re_read_not_re_sent():
    members = {'data': [{'user': {'email': 'owner@example.com'}, 'role': 'owner'}]}
    c, fake = client(dropped(), members, {'email': 'ops@example.com', 'role': 'user', 'status': 'active'})
    c.set_member_role('www', 'ops@example.com', 'user')
    assert [(s.method, s.path.rsplit('/', 2)[-2:]) for s in fake.sent] == [
        ('DELETE', ['members', 'ops@example.com']), ('GET', ['www', 'members']), ('POST', ['ops@example.com', 'invite'])]


def test_a_failed_invitation_after_the_removal_says_the_user_was_removed():
    c, fake = client((204, b''), (400, {'message': 'Invalid role'}))
    with pytest.raises(sg.SigsciError) as err:
        c.set_member_role('www', 'ops@example.com', 'observer')
    assert 'HTTP 400' in str(err.value) and len(fake.sent) == 2
    assert c.done == [{'operation': 'remove_member',
                       'what': 'ops@example.com removed from www, to be invited again as observer (a role change)'}]


def test_a_role_change_against_the_emulator():
    """The client's role change against the emulator's API in process: no PATCH of a member (the emulator answers it
    405), the new role in place, the member still one entry."""
    from emulators.sigsci import SigsciApp  # pylint: disable=import-outside-toplevel
    app = SigsciApp()
    params = dict(email=app.email, api_token=app.token, corp=app.corp_name, api_url='https://api.test/api/v0',
                  validate_certs=True, ca_path=None, timeout=30, retries=2, rate_limit_wait=30)
    c = sg.SigsciClient.from_params(params)
    c.http.sleep = lambda seconds: None
    fake = FakeHttp.for_app(app).mount(c.http)
    c.create_site({'name': 'www', 'displayName': 'www'})
    c.invite_member('www', 'analyst@example.com', 'user')
    c.set_member_role('www', 'analyst@example.com', 'observer')
    assert c.list_members('www') == {app.email: 'owner', 'analyst@example.com': 'observer'}
    assert 'PATCH' not in [s.method for s in fake.sent]
    writes = dict((k, n) for k, n in app.counter_report()['counts'].items() if app.is_write(k))
    assert writes == {'POST /corps/{corp}/sites': 1, 'POST /corps/{corp}/sites/{site}/members/{email}/invite': 2,
                      'DELETE /corps/{corp}/sites/{site}/members/{email}': 1}


class _Module(object):
    """Just what sigsci_site_member.run reads of an AnsibleModule."""

    def __init__(self, params, check_mode=False):
        self.params = dict(dict(state='present', exclusive=False), **params)
        self.check_mode = check_mode
        self._diff = True
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


def _emulated_client():
    from emulators.sigsci import SigsciApp  # pylint: disable=import-outside-toplevel
    app = SigsciApp()
    params = dict(email=app.email, api_token=app.token, corp=app.corp_name, api_url='https://api.test/api/v0',
                  validate_certs=True, ca_path=None, timeout=30, retries=2, rate_limit_wait=30)
    c = sg.SigsciClient.from_params(params)
    c.http.sleep = lambda seconds: None
    FakeHttp.for_app(app).mount(c.http)
    c.create_site({'name': 'www', 'displayName': 'www'})
    c.invite_member('www', 'analyst@example.com', 'observer')
    app.reset_counters()
    return app, c


def _writes(app):
    return dict((k, n) for k, n in app.counter_report()['counts'].items() if app.is_write(k))


def test_site_member_role_change_plan_check_mode_and_run():
    from ansible_collections.domainsec.onboard.plugins.modules import sigsci_site_member as mod  # pylint: disable=import-outside-toplevel
    app, c = _emulated_client()
    wanted = {'analyst@example.com': 'admin'}
    predicted = mod.run(_Module(dict(site='www'), check_mode=True), c, 'www', wanted)
    assert _writes(app) == {}
    assert predicted['changed'] and predicted['updated'] == ['analyst@example.com'] and predicted['invited'] == []
    assert predicted['diff']['before']['analyst@example.com'] == 'observer'
    assert predicted['diff']['after']['analyst@example.com'] == 'admin'
    done = mod.run(_Module(dict(site='www')), c, 'www', wanted)
    assert dict(done, members=None) == dict(predicted, members=None)
    assert done['members'] == predicted['members'] == {app.email: 'owner', 'analyst@example.com': 'admin'}
    assert _writes(app) == {'DELETE /corps/{corp}/sites/{site}/members/{email}': 1,
                            'POST /corps/{corp}/sites/{site}/members/{email}/invite': 1}
    again = mod.run(_Module(dict(site='www')), c, 'www', wanted)
    assert not again['changed'] and sum(_writes(app).values()) == 2


@pytest.mark.parametrize('check_mode', [True, False])
def test_site_member_never_changes_the_callers_own_role(check_mode):
    from ansible_collections.domainsec.onboard.plugins.modules import sigsci_site_member as mod  # pylint: disable=import-outside-toplevel
    app, c = _emulated_client()
    with pytest.raises(H.DomainsecError, match='calling user.*not changed to observer'):
        mod.run(_Module(dict(site='www'), check_mode=check_mode), c, 'www',
                {'analyst@example.com': 'user', app.email: 'observer'})
    assert _writes(app) == {}
    assert c.list_members('www') == {app.email: 'owner', 'analyst@example.com': 'observer'}


@pytest.mark.parametrize('state, exclusive, allow_empty, refused', [
    ('present', True, False, True),    # an empty list would wipe the team: refused before any request
    ('present', True, True, False),    # asked for explicitly
    ('present', False, False, False),  # nothing to do
    ('absent', False, False, False),   # nothing to remove
])
def test_site_member_refuses_an_empty_exclusive_list_unless_allowed(state, exclusive, allow_empty, refused):
    from ansible_collections.domainsec.onboard.plugins.modules import sigsci_site_member as mod  # pylint: disable=import-outside-toplevel
    params = dict(site='www', members=[], state=state, exclusive=exclusive, allow_empty=allow_empty)
    if refused:
        with pytest.raises(ValueError) as err:
            mod.validate(params)
        assert 'members is empty and exclusive is true' in str(err.value) and 'allow_empty: true' in str(err.value)
    else:
        assert mod.validate(params) == {}


def test_site_member_with_allow_empty_keeps_only_the_calling_user():
    from ansible_collections.domainsec.onboard.plugins.modules import sigsci_site_member as mod  # pylint: disable=import-outside-toplevel
    app, c = _emulated_client()
    params = dict(site='www', members=[], exclusive=True, allow_empty=True)
    done = mod.run(_Module(params), c, 'www', mod.validate(dict(params, state='present')))
    assert done['removed'] == ['analyst@example.com'] and done['members'] == {app.email: 'owner'}
    assert _writes(app) == {'DELETE /corps/{corp}/sites/{site}/members/{email}': 1}
