# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Signal Sciences emulator driven by a published client: pysigsci 3.18.1 (PyPI, a dev requirement).

pysigsci sends every request with ``requests.get/post/patch/delete`` (a new
session each, environment settings on) to ``base_url + api_version + path``,
with ``X-Api-User``/``X-Api-Token``. The emulator runs in process over real
HTTPS (tests/emulators/harness.py); pysigsci is pointed at it through its
``base_url`` attribute and trusts the harness's test CA through
``REQUESTS_CA_BUNDLE``, so certificate checking stays on. Each answer is
checked for the shape the published clients decode (go-sigsci's structs, the
fields pysigsci's users read). pysigsci has no call for deleting a site or for
go-sigsci's ``/keys``: those go through pysigsci's own ``_make_request``.

pysigsci turns a 204 into ``{"message": "<METHOD> successful."}``, raises
``Exception("400 Bad Request: <message>")`` on a 400 and returns the JSON body
of any other status as it is.
"""

import re

import pytest
import requests

from pysigsci.sigsciapi import SigSciApi

from emulators import harness as emulator_harness

ANALYST = 'analyst@example.com'
RFC3339 = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
# go-sigsci's Corp, Site, SiteMember(User), SiteMemberResponse, CorpUser and PrimaryAgentKey, as JSON field names.
CORP = {'name', 'displayName', 'smallIconURI', 'created', 'siteLimit', 'sites', 'authType', 'mfaEnforced',
        'sessionMaxAgeDashboard'}
SITE = {'name', 'displayName', 'agentLevel', 'blockHTTPCode', 'blockDurationSeconds', 'blockRedirectURL', 'created',
        'whitelist', 'blacklist', 'events', 'requests', 'redactions', 'suspiciousIPs', 'monitors', 'pathwhitelist',
        'paramwhitelist', 'integrations', 'headerLinks', 'agents', 'alerts', 'analyticsEvents', 'topAttacks', 'members',
        'agentAnonMode', 'clientIPRules', 'attackThresholds', 'immediateBlock'}
SITE_MEMBER = {'user', 'role'}
SITE_MEMBER_USER = {'name', 'email', 'status'}
INVITED = {'email', 'role', 'status'}
CORP_USER = {'name', 'email', 'memberships', 'role', 'status', 'mfaEnabled', 'authStatus', 'created'}
AGENT_KEY = {'name', 'accessKey', 'secretKey'}


@pytest.fixture(scope='module')
def running(tmp_path_factory):
    instance = emulator_harness.start(str(tmp_path_factory.mktemp('emulators')), vendors=['sigsci'])
    yield instance
    instance.stop()


def _no_proxy(monkeypatch):
    for name in ('HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'CURL_CA_BUNDLE'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('NO_PROXY', '127.0.0.1,localhost')


def _client(running):
    env = running.env()
    client = SigSciApi(email=env['SIGSCI_EMAIL'], api_token=env['SIGSCI_TOKEN'])
    client.base_url = running.urls['sigsci'] + '/api/'  # pysigsci's default: https://dashboard.signalsciences.net/api/
    client.headers = {}  # a class attribute in pysigsci, shared by every instance
    client.corp = env['SIGSCI_CORP']
    return client


@pytest.fixture
def app(running):
    emulator = running.emulators['sigsci']
    emulator.reset()
    yield emulator
    assert emulator.internal_errors == []


@pytest.fixture
def api(running, app, monkeypatch):
    _no_proxy(monkeypatch)
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', running.ca_path)
    return _client(running)


def statuses(app):
    """{endpoint key: {status: n}} of what the emulator answered."""
    return app.counter_report()['by_endpoint']


def test_pysigsci_reaches_the_emulator_only_with_its_ca(running, app, monkeypatch):
    _no_proxy(monkeypatch)
    monkeypatch.delenv('REQUESTS_CA_BUNDLE', raising=False)
    with pytest.raises(requests.exceptions.SSLError):
        _client(running).get_corps()
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', running.ca_path)
    assert _client(running).get_corps()['data'][0]['name'] == running.env()['SIGSCI_CORP']


def test_corps(api, app):
    corps = api.get_corps()
    assert list(corps) == ['data'] and len(corps['data']) == 1
    corp = api.get_corp()
    assert corp == corps['data'][0] and set(corp) == CORP
    assert corp['name'] == api.corp and RFC3339.match(corp['created'])
    assert corp['sites'] == {'uri': '/api/v0/corps/%s/sites' % api.corp}
    assert statuses(app) == {'GET /corps': {'200': 1}, 'GET /corps/{corp}': {'200': 1}}


def test_sites_create_read_update_list_delete(api, app):
    assert api.get_corp_sites() == {'data': []}
    # Every field go-sigsci's CreateSiteBody sends, attackThresholds included.
    body = {'name': 'www.example.com', 'displayName': 'Example', 'agentLevel': 'block', 'agentAnonMode': '',
            'blockHTTPCode': 406, 'blockDurationSeconds': 3600, 'clientIPRules': [{'header': 'X-Forwarded-For'}],
            'attackThresholds': [{'interval': 1, 'threshold': 100}], 'immediateBlock': True}
    site = api.create_corp_site(body)
    assert set(site) == SITE
    assert all(site[k] == v for k, v in body.items() if k != 'attackThresholds')
    assert site['attackThresholds'] == [{'interval': 1, 'threshold': 100}, {'interval': 10, 'threshold': 350},
                                        {'interval': 60, 'threshold': 1800}]
    assert site['blockRedirectURL'] == '' and RFC3339.match(site['created'])
    base = '/api/v0/corps/%s/sites/www.example.com' % api.corp
    assert site['members'] == {'uri': base + '/members'} and site['agents'] == {'uri': base + '/agents'}
    assert api.get_corp_site('www.example.com') == site
    api.site = 'www.example.com'
    changed = api.update_corp_site({'agentLevel': 'log', 'attackThresholds': [{'interval': 10, 'threshold': 500}]})
    assert changed == dict(site, agentLevel='log', attackThresholds=[
        {'interval': 1, 'threshold': 100}, {'interval': 10, 'threshold': 500}, {'interval': 60, 'threshold': 1800}])
    assert api.get_corp_sites() == {'data': [changed]}
    # Errors: {"message"} (pysigsci raises on a 400 and hands back the body of the others).
    assert api.create_corp_site(body) == {'message': 'Site with name www.example.com already exists'}
    with pytest.raises(Exception, match='400 Bad Request: Unknown field: color'):
        api.create_corp_site({'name': 'other', 'displayName': 'Other', 'color': 'red'})
    with pytest.raises(Exception, match='400 Bad Request: Invalid attackThresholds interval 5'):
        api.update_corp_site({'attackThresholds': [{'interval': 5, 'threshold': 10}]})
    # No delete call in pysigsci: its transport, as go-sigsci's DeleteSite sends it.
    assert api._make_request('/corps/%s/sites/www.example.com' % api.corp, method='DELETE') == {  # pylint: disable=protected-access
        'message': 'DELETE successful.'}
    assert api.get_corp_site('www.example.com') == {'message': 'Site not found'}
    assert statuses(app) == {
        'GET /corps/{corp}/sites': {'200': 2}, 'POST /corps/{corp}/sites': {'200': 1, '409': 1, '400': 1},
        'GET /corps/{corp}/sites/{site}': {'200': 1, '404': 1},
        'PATCH /corps/{corp}/sites/{site}': {'200': 1, '400': 1}, 'DELETE /corps/{corp}/sites/{site}': {'204': 1}}


def test_site_members(api, app):
    api.create_corp_site({'name': 'm', 'displayName': 'Members'})
    api.site = 'm'
    listed = api.get_site_members()
    assert list(listed) == ['data'] and [set(m) for m in listed['data']] == [SITE_MEMBER]
    assert set(listed['data'][0]['user']) == SITE_MEMBER_USER and listed['data'][0]['role'] == 'owner'
    # Invite a new user (pending) with a role.
    invited = api.add_site_member('New.Person@Example.com', {'role': 'observer'})
    assert set(invited) == INVITED and invited == {'email': 'new.person@example.com', 'role': 'observer',
                                                   'status': 'pending'}
    # Add existing corp users in bulk, by address (the form go-sigsci's AddSiteMembers sends): the whole list back.
    added = api.add_members_to_site({'members': [ANALYST]})
    assert added == api.get_site_members()
    assert [(m['user']['email'], m['role'], m['user']['status']) for m in added['data']] == [
        (api.api_user.lower(), 'owner', 'active'), ('new.person@example.com', 'observer', 'pending'),
        (ANALYST, 'user', 'active')]
    member = api.get_site_member(ANALYST)
    assert set(member) == SITE_MEMBER and set(member['user']) == SITE_MEMBER_USER
    assert member == {'user': {'name': 'Emulator Analyst', 'email': ANALYST, 'status': 'active'}, 'role': 'user'}
    # A role is not changed on the site: no PATCH of a member (pysigsci has none; the path answers 405).
    patched = api._make_request('/corps/%s/sites/m/members/%s' % (api.corp, ANALYST), json={'role': 'admin'},  # pylint: disable=protected-access
                                method='PATCH')
    assert patched == {'message': 'Method Not Allowed'}
    assert api.delete_site_member(ANALYST) == {'message': 'DELETE successful.'}
    assert api.add_site_member(ANALYST, {'role': 'admin'}) == {'email': ANALYST, 'role': 'admin', 'status': 'active'}
    assert api.delete_site_member('new.person@example.com') == {'message': 'DELETE successful.'}
    assert api.get_site_member('new.person@example.com') == {'message': 'Site member not found'}
    assert [(m['user']['email'], m['role']) for m in api.get_site_members()['data']] == [
        (api.api_user.lower(), 'owner'), (ANALYST, 'admin')]
    with pytest.raises(Exception, match='400 Bad Request: User stranger@example.com is not a member of this corp'):
        api.add_members_to_site({'members': ['stranger@example.com']})
    assert statuses(app)['PATCH /corps/{corp}/sites/{site}/members/{email}'] == {'405': 1}
    assert statuses(app)['POST /corps/{corp}/sites/{site}/members'] == {'200': 1, '400': 1}


def test_agents_and_agent_keys(api, app):
    api.create_corp_site({'name': 'k', 'displayName': 'Keys'})
    api.site = 'k'
    assert api.get_agents() == {'data': []}
    listed = api.get_agent_keys()  # GET .../agentKeys, the reference's "List agent keys"
    assert list(listed) == ['data'] and len(listed['data']) == 1
    key = listed['data'][0]
    assert set(key) == AGENT_KEY and key['name'] == 'k' and key['secretKey'] in app.secrets()
    # go-sigsci's GetSitePrimaryAgentKey (GET .../keys), through pysigsci's transport: the same key, as one object.
    assert api._make_request('/corps/%s/sites/k/keys' % api.corp) == key  # pylint: disable=protected-access
    assert statuses(app)['GET /corps/{corp}/sites/{site}/agentKeys'] == {'200': 1}
    assert statuses(app)['GET /corps/{corp}/sites/{site}/keys'] == {'200': 1}


def test_corp_users_and_memberships(api, app):
    api.create_corp_site({'name': 's1', 'displayName': 'Site One'})
    api.site = 's1'
    api.add_site_member('invitee@example.com', {'role': 'user'})
    users = api.get_corp_users()
    assert list(users) == ['data'] and all(set(u) == CORP_USER for u in users['data'])
    assert [(u['email'], u['role'], u['status']) for u in users['data']] == [
        (api.api_user.lower(), 'owner', 'active'), (ANALYST, 'user', 'active'), ('invitee@example.com', 'user', 'pending')]
    one = api.get_corp_user('invitee@example.com')
    assert one == users['data'][2]
    assert one['memberships'] == {'uri': '/api/v0/corps/%s/users/invitee@example.com/memberships' % api.corp}
    assert api.get_memberships('invitee@example.com') == {
        'data': [{'site': {'name': 's1', 'displayName': 'Site One'}, 'role': 'user'}]}
    assert api.get_memberships(ANALYST) == {'data': []}
    assert api.get_corp_user('nobody@example.com') == {'message': 'User not found'}
    assert statuses(app)['GET /corps/{corp}/users'] == {'200': 1}
    assert statuses(app)['GET /corps/{corp}/users/{email}'] == {'200': 1, '404': 1}
    assert statuses(app)['GET /corps/{corp}/users/{email}/memberships'] == {'200': 2}
