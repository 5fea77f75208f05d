# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Signal Sciences (Fastly Next-Gen WAF) API v0 emulator, over real HTTPS."""

import re
import urllib.parse

import pytest
import requests

from emulators import harness as emulator_harness
from emulators.base import Request
from emulators.sigsci import SigsciApp

UUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$')
RFC3339 = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
ANALYST = 'analyst@example.com'


class Sig(object):
    """Signal Sciences API caller plus the emulator's admin API."""

    def __init__(self, running):
        self.running = running
        self.env = running.env()
        self.base = self.env['SIGSCI_API_URL']
        self.corp = self.env['SIGSCI_CORP']
        self.user = self.env['SIGSCI_EMAIL']
        self.token = self.env['SIGSCI_TOKEN']
        self.admin_url = self.env['EMULATOR_SIGSCI_ADMIN']
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = running.ca_path

    @property
    def app(self):
        return self.running.emulators['sigsci']

    def call(self, method, path, body=None, user=None, token=None, headers=None, **kwargs):
        sent = {'x-api-user': user or self.user, 'x-api-token': token or self.token}
        sent.update(headers or {})
        sent = dict((k, v) for k, v in sent.items() if v is not None)
        if body is not None:
            kwargs['json'] = body
        return self.session.request(method, self.base + path, headers=sent, timeout=15, **kwargs)

    def ok(self, method, path, body=None, status=200, **kwargs):
        response = self.call(method, path, body, **kwargs)
        assert response.status_code == status, (method, path, response.status_code, response.text)
        if status == 204:
            assert response.content == b''
            return None
        assert response.headers['Content-Type'] == 'application/json'
        return response.json()

    def error(self, method, path, body=None, status=400, message=None, **kwargs):
        response = self.call(method, path, body, **kwargs)
        assert response.status_code == status, (method, path, response.status_code, response.text)
        assert response.headers['Content-Type'] == 'application/json'
        answer = response.json()
        assert set(answer) == {'message'} and answer['message'], answer
        if message is not None:
            assert answer['message'] == message if isinstance(message, str) else message.search(answer['message']), answer
        return response

    def admin(self, path, body=None, method=None, status=200):
        response = self.session.request(method or ('GET' if body is None else 'POST'), '%s/%s' % (self.admin_url, path),
                                        json=body, timeout=15)
        assert response.status_code == status, response.text
        return response.json()

    def configure(self, **config):
        return self.admin('config', config)

    def sites_path(self, *rest):
        return '/corps/%s/sites' % self.corp + ''.join('/' + urllib.parse.quote(str(r), safe='@') for r in rest)

    def create_site(self, name='www.example.com', display='Example', **fields):
        return self.ok('POST', self.sites_path(), dict(fields, name=name, displayName=display))

    def state_site(self, name):
        return [s for s in self.admin('state')['sites'] if s['name'] == name][0]


@pytest.fixture(scope='module')
def running(tmp_path_factory):
    instance = emulator_harness.start(str(tmp_path_factory.mktemp('emulators')), vendors=['sigsci'])
    yield instance
    instance.stop()


@pytest.fixture
def sig(running):
    client = Sig(running)
    assert client.admin('reset', {}) == {'reset': 'all'}
    yield client
    client.session.close()


def analyst_token(sig):
    return [u for u in sig.admin('state')['users'] if u['email'] == ANALYST][0]['tokens'][0]['token']


# -- harness, env, auth ---------------------------------------------------------------
def test_env_and_tls(running, sig):
    env = sig.env
    assert re.match(r'^https://127\.0\.0\.1:\d+/api/v0$', env['SIGSCI_API_URL'])
    assert re.match(r'^emu-corp-[a-z0-9]{4}$', env['SIGSCI_CORP'])
    assert re.match(r'^owner-[a-z0-9]{4}@example\.com$', env['SIGSCI_EMAIL'])
    assert re.match(r'^[A-Za-z0-9]{32}$', env['SIGSCI_TOKEN'])
    assert env['EMULATOR_SIGSCI_ADMIN'] == running.urls['sigsci'] + '/_emulator'
    assert env['DOMAINSEC_CA_PATH'] == running.ca_path
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(sig.base + '/corps', verify=True, timeout=5,
                     headers={'x-api-user': sig.user, 'x-api-token': sig.token})


def test_preset_credentials_from_environment(monkeypatch):
    monkeypatch.setenv('SIGSCI_CORP', 'acme')
    monkeypatch.setenv('SIGSCI_EMAIL', 'Me@Example.org')
    monkeypatch.setenv('SIGSCI_TOKEN', 'T' * 32)
    app = SigsciApp()
    app.base_url = 'https://127.0.0.1:1'
    assert app.env() == {'SIGSCI_API_URL': 'https://127.0.0.1:1/api/v0', 'SIGSCI_EMAIL': 'me@example.org',
                         'SIGSCI_TOKEN': 'T' * 32, 'SIGSCI_CORP': 'acme'}
    answer = app.handle(Request('GET', '/api/v0/corps/acme', [('x-api-user', 'me@example.org'), ('x-api-token', 'T' * 32)]))
    assert answer.status == 200 and b'"name": "acme"' in answer.body


def test_auth_401_never_404(sig):
    paths = ('/corps', '/corps/%s' % sig.corp, sig.sites_path('missing'), '/no/such/endpoint', '/../x')
    cases = [dict(user=None, token=None, headers={'x-api-user': None, 'x-api-token': None}),
             dict(headers={'x-api-token': None}),
             dict(headers={'x-api-user': None}),
             dict(token=sig.token + 'x'),
             dict(token=sig.token[:-1]),
             dict(user='someone@example.com'),
             dict(user=ANALYST),  # the owner's token is not the analyst's
             dict(headers={'x-api-user': None, 'x-api-token': None, 'Authorization': 'Bearer ' + sig.token})]
    for path in paths:
        for case in cases:
            sig.error('GET', path, status=401, message='Unauthorized', **case)
    sig.error('POST', sig.sites_path(), {'name': 'x', 'displayName': 'X'}, status=401, token='nope')
    response = sig.session.get(sig.env['SIGSCI_API_URL'][:-len('/api/v0')] + '/elsewhere', timeout=5)
    assert response.status_code == 401 and response.json() == {'message': 'Unauthorized'}
    assert sig.admin('state')['sites'] == []
    # The e-mail header is not case-sensitive; the token is.
    assert sig.ok('GET', '/corps', user=sig.user.upper())['data'][0]['name'] == sig.corp
    sig.error('GET', '/corps', status=401, token=sig.token.swapcase())


def test_revoked_token_is_401(sig):
    token = analyst_token(sig)
    assert sig.ok('GET', '/corps', user=ANALYST, token=token)['data'][0]['name'] == sig.corp
    sig.configure(revoke_token=token)
    for path in ('/corps', '/corps/%s' % sig.corp, '/nothing'):
        sig.error('GET', path, status=401, message='Unauthorized', user=ANALYST, token=token)
    sig.ok('GET', '/corps')  # other tokens keep working
    sig.configure(revoke_token=sig.token)
    sig.error('GET', '/corps', status=401)
    sig.admin('reset', {})  # the initial state: both tokens active again
    sig.ok('GET', '/corps')
    sig.ok('GET', '/corps', user=ANALYST, token=token)
    response = sig.session.post(sig.admin_url + '/config', json={'revoke_token': 'not-a-token'}, timeout=5)
    assert response.status_code == 400


def test_403_for_non_members_of_the_corp(sig):
    sig.configure(add_user={'email': 'Outsider@Example.net', 'name': 'Out Sider', 'token': 'o' * 32})
    user = {'user': 'outsider@example.net', 'token': 'o' * 32}
    assert sig.ok('GET', '/corps', **user) == {'data': []}
    sig.create_site('owned')
    for method, path, body in (('GET', '/corps/%s' % sig.corp, None), ('GET', sig.sites_path(), None),
                               ('POST', sig.sites_path(), {'name': 'x', 'displayName': 'X'}),
                               ('GET', sig.sites_path('owned'), None), ('GET', sig.sites_path('missing'), None),
                               ('DELETE', sig.sites_path('owned'), None), ('GET', sig.sites_path('owned', 'keys'), None),
                               ('GET', sig.sites_path('owned', 'members'), None)):
        sig.error(method, path, body, status=403, message='Forbidden', **user)
    # A corp that does not exist, and one the owner does not belong to: 403 too.
    sig.error('GET', '/corps/no-such-corp', status=403, message='Forbidden')
    sig.error('GET', '/corps/no-such-corp/sites/x', status=403, message='Forbidden')
    sig.configure(add_corp={'name': 'other-corp', 'displayName': 'Other', 'owner': 'outsider@example.net'})
    sig.error('GET', '/corps/other-corp', status=403, message='Forbidden')
    assert [c['name'] for c in sig.ok('GET', '/corps', **user)['data']] == ['other-corp']
    assert [c['name'] for c in sig.ok('GET', '/corps')['data']] == [sig.corp]
    assert sig.state_site('owned')['members'] == [{'email': sig.user, 'role': 'owner'}]


def test_corps(sig):
    corps = sig.ok('GET', '/corps')
    assert list(corps) == ['data'] and len(corps['data']) == 1
    corp = sig.ok('GET', '/corps/%s' % sig.corp)
    assert corp == corps['data'][0]
    assert corp['name'] == sig.corp and corp['displayName'] and RFC3339.match(corp['created'])
    assert corp['siteLimit'] == 100 and corp['sites'] == {'uri': '/api/v0/corps/%s/sites' % sig.corp}
    assert {'authType', 'smallIconURI', 'mfaEnforced'} <= set(corp)


# -- sites --------------------------------------------------------------------------------
def test_site_crud(sig):
    assert sig.ok('GET', sig.sites_path()) == {'data': []}
    site = sig.create_site('www.example.com', 'Example Site')
    assert site['name'] == 'www.example.com' and site['displayName'] == 'Example Site'
    assert (site['agentLevel'], site['agentAnonMode'], site['blockHTTPCode'], site['blockDurationSeconds'],
            site['blockRedirectURL'], site['clientIPRules'], site['immediateBlock']) == ('log', '', 406, 86400, '', [], False)
    assert RFC3339.match(site['created'])
    base = '/api/v0/corps/%s/sites/www.example.com' % sig.corp
    assert site['members'] == {'uri': base + '/members'} and site['agents'] == {'uri': base + '/agents'}
    assert site['topAttacks'] == {'uri': base + '/top/attacks'}
    assert 'traffic' not in site and 'keys' not in site
    assert sig.ok('GET', sig.sites_path()) == {'data': [site]}
    assert sig.ok('GET', sig.sites_path('www.example.com')) == site
    changed = sig.ok('PATCH', sig.sites_path('www.example.com'), {'displayName': 'Renamed', 'agentLevel': 'block'})
    assert changed == dict(site, displayName='Renamed', agentLevel='block')
    assert sig.ok('DELETE', sig.sites_path('www.example.com'), status=204) is None
    for method in ('GET', 'PATCH', 'DELETE'):
        sig.error(method, sig.sites_path('www.example.com'), {} if method == 'PATCH' else None, status=404,
                  message='Site not found')
    for sub in ('members', 'keys', 'agents', 'members/%s' % sig.user):
        sig.error('GET', sig.sites_path('www.example.com') + '/' + sub, status=404, message='Site not found')
    assert sig.ok('GET', sig.sites_path()) == {'data': []}


def test_site_create_with_every_field(sig):
    body = {'name': 'shop_eu-1', 'displayName': 'Shop EU', 'agentLevel': 'off', 'agentAnonMode': 'EU',
            'blockHTTPCode': 302, 'blockRedirectURL': 'https://blocked.example.com/page?x=1',
            'blockDurationSeconds': 31556900, 'clientIPRules': [{'header': 'X-Forwarded-For'}, {'header': 'X-Real-IP'}],
            'immediateBlock': True}
    site = sig.ok('POST', sig.sites_path(), body)
    assert dict((k, site[k]) for k in body) == body
    # null stands for "not sent" (go-sigsci sends "clientIPRules": null)
    site = sig.ok('POST', sig.sites_path(), {'name': 'nulls', 'displayName': 'N', 'clientIPRules': None,
                                             'blockRedirectURL': None})
    assert site['clientIPRules'] == [] and site['blockRedirectURL'] == ''


def test_site_name_pattern(sig):
    for good in ('a', '0', 'www.example.com', 'a_b-c.d', 'x' * 50, '9lives'):
        assert sig.create_site(good)['name'] == good
    for bad in ('', 'WWW', 'Example', '-lead', '.lead', '_lead', 'x' * 51, 'has space', 'a/b', u'caf\u00e9', 'a+b', 'a@b'):
        sig.error('POST', sig.sites_path(), {'name': bad, 'displayName': 'Bad'}, status=400,
                  message=re.compile(r'site name|name is required'))
    assert len(sig.admin('state')['sites']) == 6


def test_site_validation(sig):
    def refused(body, field):
        sent = dict({'name': 'v', 'displayName': 'V'}, **body)
        response = sig.error('POST', sig.sites_path(), sent, status=400)
        assert field in response.json()['message'], (body, response.json())

    refused({'name': None}, 'name')
    refused({'displayName': None}, 'displayName')
    refused({'displayName': ''}, 'displayName')
    refused({'displayName': ' '}, 'displayName')
    refused({'displayName': 'd' * 101}, 'displayName')
    refused({'color': 'red'}, 'color')
    refused({'agentLevel': 'monitor'}, 'agentLevel')
    refused({'agentLevel': 'BLOCK'}, 'agentLevel')
    refused({'agentLevel': 1}, 'agentLevel')
    refused({'agentAnonMode': 'US'}, 'agentAnonMode')
    refused({'blockHTTPCode': '406'}, 'blockHTTPCode')
    refused({'blockHTTPCode': 406.0}, 'blockHTTPCode')
    refused({'blockHTTPCode': True}, 'blockHTTPCode')
    refused({'blockHTTPCode': 399}, 'blockHTTPCode')
    refused({'blockHTTPCode': 600}, 'blockHTTPCode')
    refused({'blockHTTPCode': 200}, 'blockHTTPCode')
    refused({'blockHTTPCode': 303, 'blockRedirectURL': 'https://x.example'}, 'blockHTTPCode')
    refused({'blockHTTPCode': 301}, 'blockRedirectURL')
    refused({'blockHTTPCode': 302, 'blockRedirectURL': ''}, 'blockRedirectURL')
    refused({'blockRedirectURL': 'ftp://x.example'}, 'blockRedirectURL')
    refused({'blockRedirectURL': 'https://'}, 'blockRedirectURL')
    refused({'blockDurationSeconds': 0}, 'blockDurationSeconds')
    refused({'blockDurationSeconds': 31556901}, 'blockDurationSeconds')
    refused({'immediateBlock': 'yes'}, 'immediateBlock')
    refused({'clientIPRules': 'X-Forwarded-For'}, 'clientIPRules')
    refused({'clientIPRules': [{'hdr': 'X-Forwarded-For'}]}, 'clientIPRules')
    refused({'clientIPRules': [{'header': ''}]}, 'clientIPRules')
    refused({'clientIPRules': [{'header': 'X-Forwarded-For', 'x': 1}]}, 'clientIPRules')
    for raw, content_type in (('{"name": "v",', 'application/json'), ('[]', 'application/json'),
                              ('name=v&displayName=V', 'application/x-www-form-urlencoded'), ('', 'application/json')):
        response = sig.call('POST', sig.sites_path(), data=raw, headers={'Content-Type': content_type})
        assert response.status_code == 400 and set(response.json()) == {'message'}, raw
    assert sig.admin('state')['sites'] == []
    # Codes in range, and a redirect with 301/302.
    assert sig.create_site('c1', blockHTTPCode=400)['blockHTTPCode'] == 400
    assert sig.create_site('c2', blockHTTPCode=599)['blockHTTPCode'] == 599
    assert sig.create_site('c3', blockHTTPCode=301, blockRedirectURL='http://x.example/')['blockHTTPCode'] == 301
    # A redirect URL with a non-redirect code is kept (and unused by the agents).
    assert sig.create_site('c4', blockRedirectURL='https://x.example/')['blockRedirectURL'] == 'https://x.example/'


def test_attack_thresholds(sig):
    # Both published clients send attackThresholds (go-sigsci CreateSiteBody/UpdateSiteBody): [{interval, threshold}].
    defaults = [{'interval': 1, 'threshold': 50}, {'interval': 10, 'threshold': 350}, {'interval': 60, 'threshold': 1800}]
    assert sig.create_site('plain')['attackThresholds'] == defaults
    site = sig.create_site('t', attackThresholds=[{'interval': 60, 'threshold': 900}, {'interval': 1, 'threshold': 10}])
    assert site['attackThresholds'] == [{'interval': 1, 'threshold': 10}, {'interval': 10, 'threshold': 350},
                                        {'interval': 60, 'threshold': 900}]
    assert sig.ok('GET', sig.sites_path('t'))['attackThresholds'] == site['attackThresholds']
    # PATCH sets the intervals it names and keeps the others; [] and null change nothing.
    changed = sig.ok('PATCH', sig.sites_path('t'), {'attackThresholds': [{'interval': 10, 'threshold': 10000}]})
    assert changed['attackThresholds'] == [{'interval': 1, 'threshold': 10}, {'interval': 10, 'threshold': 10000},
                                           {'interval': 60, 'threshold': 900}]
    assert changed == dict(site, attackThresholds=changed['attackThresholds'])
    assert sig.ok('PATCH', sig.sites_path('t'), {'attackThresholds': []}) == changed
    assert sig.ok('PATCH', sig.sites_path('t'), {'attackThresholds': None}) == changed
    for bad in ({}, [{'interval': 5, 'threshold': 10}], [{'interval': 1, 'threshold': 0}],
                [{'interval': 1, 'threshold': 10001}], [{'interval': 1}], [{'threshold': 10}],
                [{'interval': 1, 'threshold': 10, 'action': 'block'}], [{'interval': '1', 'threshold': 10}],
                [{'interval': 1, 'threshold': 10.0}], [{'interval': True, 'threshold': 10}], [60],
                [{'interval': 1, 'threshold': 10}, {'interval': 1, 'threshold': 20}]):
        sig.error('POST', sig.sites_path(), {'name': 'bad', 'displayName': 'B', 'attackThresholds': bad}, status=400,
                  message=re.compile('attackThresholds'))
        sig.error('PATCH', sig.sites_path('t'), {'attackThresholds': bad}, status=400, message=re.compile('attackThresholds'))
    assert sig.ok('GET', sig.sites_path('t')) == changed
    sig.error('GET', sig.sites_path('bad'), status=404)


def test_site_duplicate_and_limit(sig):
    sig.create_site('dup')
    sig.error('POST', sig.sites_path(), {'name': 'dup', 'displayName': 'Again'}, status=409,
              message='Site with name dup already exists')
    sig.configure(site_limit=2)
    assert sig.ok('GET', '/corps/%s' % sig.corp)['siteLimit'] == 2
    sig.create_site('second')
    sig.error('POST', sig.sites_path(), {'name': 'third', 'displayName': 'T'}, status=400, message=re.compile('limit'))
    sig.ok('DELETE', sig.sites_path('second'), status=204)
    sig.create_site('third')


def test_patch_changes_only_sent_fields(sig):
    created = sig.create_site('p', 'Patch Me', agentLevel='block', blockHTTPCode=429, blockDurationSeconds=600,
                              clientIPRules=[{'header': 'X-Client-IP'}], immediateBlock=True, agentAnonMode='EU')
    path = sig.sites_path('p')
    for change in ({'agentLevel': 'off'}, {'displayName': 'New'}, {'blockDurationSeconds': 1}, {'clientIPRules': []},
                   {'immediateBlock': False}, {'agentAnonMode': ''}, {'blockHTTPCode': 403}):
        before = sig.ok('GET', path)
        after = sig.ok('PATCH', path, change)
        assert after == dict(before, **change), change
        assert sig.ok('GET', path) == after
    final = sig.ok('GET', path)
    assert final['created'] == created['created'] and final['name'] == 'p'
    # Empty bodies, {} and nulls change nothing.
    assert sig.ok('PATCH', path) == final
    assert sig.ok('PATCH', path, {}) == final
    assert sig.ok('PATCH', path, {'clientIPRules': None, 'displayName': None}) == final
    # The name is immutable; sending the same name is fine.
    assert sig.ok('PATCH', path, {'name': 'p', 'agentLevel': 'log'})['agentLevel'] == 'log'
    sig.error('PATCH', path, {'name': 'q', 'agentLevel': 'block'}, status=400, message='Site name cannot be changed')
    sig.error('GET', sig.sites_path('q'), status=404)
    # Validation as on create, against the resulting site; a refused PATCH changes nothing.
    before = sig.ok('GET', path)
    sig.error('PATCH', path, {'blockHTTPCode': 301}, status=400, message=re.compile('blockRedirectURL'))
    sig.error('PATCH', path, {'agentLevel': 'block', 'blockDurationSeconds': 0}, status=400)
    sig.error('PATCH', path, {'agentLevel': 'monitor'}, status=400)
    sig.error('PATCH', path, {'unknown': 1}, status=400, message=re.compile('unknown'))
    assert sig.ok('GET', path) == before
    redirect = sig.ok('PATCH', path, {'blockHTTPCode': 302, 'blockRedirectURL': 'https://blocked.example/'})
    assert (redirect['blockHTTPCode'], redirect['blockRedirectURL']) == (302, 'https://blocked.example/')
    sig.error('PATCH', path, {'blockRedirectURL': ''}, status=400, message=re.compile('blockRedirectURL'))
    assert sig.ok('PATCH', path, {'blockHTTPCode': 406, 'blockRedirectURL': ''})['blockRedirectURL'] == ''


# -- members ----------------------------------------------------------------------------
def test_members_invite_list_delete(sig):
    sig.create_site('m')
    members = sig.sites_path('m', 'members')
    assert sig.ok('GET', members) == {'data': [{'user': {'name': 'Emulator Owner', 'email': sig.user, 'status': 'active'},
                                                'role': 'owner'}]}
    # A new user: pending, becomes a corp user.
    answer = sig.ok('POST', sig.sites_path('m', 'members', 'New.Person@Example.com', 'invite'), {'role': 'observer'})
    assert answer == {'email': 'new.person@example.com', 'role': 'observer', 'status': 'pending'}
    # An existing corp user: active.
    answer = sig.ok('POST', sig.sites_path('m', 'members', ANALYST, 'invite'), {'role': 'user'})
    assert answer == {'email': ANALYST, 'role': 'user', 'status': 'active'}
    listed = sig.ok('GET', members)['data']
    assert [(m['user']['email'], m['role'], m['user']['status']) for m in listed] == [
        (sig.user, 'owner', 'active'), ('new.person@example.com', 'observer', 'pending'), (ANALYST, 'user', 'active')]
    assert listed[1]['user']['name'] == ''
    corp_users = sig.admin('state')['corps'][0]['users']
    assert {'email': 'new.person@example.com', 'role': 'user'} in corp_users
    # Already a member (any spelling): 409; bad roles and emails: 400.
    for email in (ANALYST, 'NEW.person@example.com', sig.user):
        sig.error('POST', sig.sites_path('m', 'members', email, 'invite'), {'role': 'admin'}, status=409)
    for body in ({'role': 'superuser'}, {'role': 'Owner'}, {'role': None}, {}, {'role': 'user', 'x': 1}, {'role': 1}):
        sig.error('POST', sig.sites_path('m', 'members', 'other@example.com', 'invite'), body, status=400)
    sig.error('POST', sig.sites_path('m', 'members', 'not-an-email', 'invite'), {'role': 'user'}, status=400)
    assert 'other@example.com' not in [u['email'] for u in sig.admin('state')['users']]
    # GET one member.
    assert sig.ok('GET', sig.sites_path('m', 'members', ANALYST)) == {
        'user': {'name': 'Emulator Analyst', 'email': ANALYST, 'status': 'active'}, 'role': 'user'}
    sig.error('GET', sig.sites_path('m', 'members', 'nobody@example.com'), status=404)
    # Percent-encoded and upper-case spellings of an e-mail in the path name the same member.
    encoded = sig.sites_path('m', 'members') + '/' + urllib.parse.quote(ANALYST.upper(), safe='')
    assert '%40' in encoded and sig.ok('GET', encoded)['user']['email'] == ANALYST
    # No site-level update (go-sigsci pull request 3: "Users can no longer be updated at the site level"): PATCH is
    # 405 on the member's path, with or without a body, and changes nothing.
    for body in ({'role': 'admin'}, None, {}):
        response = sig.error('PATCH', sig.sites_path('m', 'members', ANALYST), body, status=405,
                             message='Method Not Allowed')
        assert response.headers['Allow'] == 'GET, DELETE'
    sig.error('PATCH', sig.sites_path('m', 'members', 'stranger@example.com'), {'role': 'user'}, status=405)
    assert sig.ok('GET', sig.sites_path('m', 'members', ANALYST))['role'] == 'user'
    assert 'stranger@example.com' not in [m['user']['email'] for m in sig.ok('GET', members)['data']]
    # DELETE: 204, then 404.
    sig.ok('DELETE', sig.sites_path('m', 'members', 'new.person@example.com'), status=204)
    sig.error('DELETE', sig.sites_path('m', 'members', 'new.person@example.com'), status=404)
    assert [m['user']['email'] for m in sig.ok('GET', members)['data']] == [sig.user, ANALYST]


def test_bulk_add_adds_existing_corp_users_with_their_corp_role(sig):
    sig.create_site('a')
    sig.create_site('b')
    sig.configure(add_user={'email': 'admin@example.com', 'corp_role': 'admin'})
    members = sig.sites_path('b', 'members')
    # A pending corp user (invited to another site) and two active ones, in one request; spelling and repeats do not
    # matter. The answer is the site's whole member list, the new members last, each with their corp role.
    sig.ok('POST', sig.sites_path('a', 'members', 'invitee@example.com', 'invite'), {'role': 'observer'})
    answer = sig.ok('POST', members, {'members': [ANALYST.upper(), 'invitee@example.com', 'admin@example.com', ANALYST]})
    assert answer == sig.ok('GET', members)
    assert [(m['user']['email'], m['role'], m['user']['status']) for m in answer['data']] == [
        (sig.user, 'owner', 'active'), (ANALYST, 'user', 'active'), ('invitee@example.com', 'user', 'pending'),
        ('admin@example.com', 'admin', 'active')]
    assert set(answer['data'][1]) == {'user', 'role'} and set(answer['data'][1]['user']) == {'name', 'email', 'status'}
    # A member already there keeps the role the site gave them.
    sig.ok('POST', sig.sites_path('a', 'members'), {'members': ['invitee@example.com']})
    assert sig.ok('GET', sig.sites_path('a', 'members', 'invitee@example.com'))['role'] == 'observer'
    # Only users of the corp, by address (the form both published clients send): anything else is 400 and adds nobody.
    sig.configure(add_user={'email': 'outsider@example.net'})
    before = sig.ok('GET', members)
    for body in ({'members': ['stranger@example.com']}, {'members': ['outsider@example.net']},
                 {'members': [ANALYST, 'not-an-email']}, {'members': []}, {'members': ANALYST}, {},
                 {'members': [{'email': ANALYST, 'role': 'admin'}]}, {'members': [ANALYST], 'role': 'admin'}):
        sig.error('POST', members, body, status=400)
    assert sig.ok('GET', members) == before
    sig.error('POST', sig.sites_path('missing', 'members'), {'members': [ANALYST]}, status=404, message='Site not found')
    # Inviting a known user who is in no corp makes them an (active) corp user, who can then be added in bulk.
    assert sig.ok('POST', sig.sites_path('a', 'members', 'outsider@example.net', 'invite'), {'role': 'user'})['status'] == 'active'
    sig.ok('POST', members, {'members': ['outsider@example.net']})


def test_corp_users(sig):
    sig.create_site('s1', 'Site One')
    sig.create_site('s2', 'Site Two')
    sig.ok('POST', sig.sites_path('s1', 'members', 'New@Example.com', 'invite'), {'role': 'observer'})
    sig.ok('POST', sig.sites_path('s2', 'members', ANALYST, 'invite'), {'role': 'admin'})
    listed = sig.ok('GET', '/corps/%s/users' % sig.corp)
    assert list(listed) == ['data']
    assert [(u['email'], u['role'], u['status']) for u in listed['data']] == [
        (sig.user, 'owner', 'active'), (ANALYST, 'user', 'active'), ('new@example.com', 'user', 'pending')]
    for user in listed['data']:
        # go-sigsci's CorpUser
        assert set(user) == {'name', 'email', 'memberships', 'role', 'status', 'mfaEnabled', 'authStatus', 'created'}
        assert user['memberships'] == {'uri': '/api/v0/corps/%s/users/%s/memberships' % (sig.corp, user['email'])}
        assert RFC3339.match(user['created']) and user['mfaEnabled'] is False
        assert sig.ok('GET', '/corps/%s/users/%s' % (sig.corp, user['email'].upper())) == user
    assert listed['data'][1]['name'] == 'Emulator Analyst' and listed['data'][2]['name'] == ''
    memberships = sig.ok('GET', '/corps/%s/users/%s/memberships' % (sig.corp, sig.user))
    assert memberships == {'data': [{'site': {'name': 's1', 'displayName': 'Site One'}, 'role': 'owner'},
                                    {'site': {'name': 's2', 'displayName': 'Site Two'}, 'role': 'owner'}]}
    assert sig.ok('GET', '/corps/%s/users/new@example.com/memberships' % sig.corp) == {
        'data': [{'site': {'name': 's1', 'displayName': 'Site One'}, 'role': 'observer'}]}
    for path in ('/corps/%s/users/nobody@example.com', '/corps/%s/users/nobody@example.com/memberships'):
        sig.error('GET', path % sig.corp, status=404, message='User not found')
    # A corp user reads the users too, and sees memberships only of the sites they may see.
    analyst = {'user': ANALYST, 'token': analyst_token(sig)}
    assert sig.ok('GET', '/corps/%s/users' % sig.corp, **analyst) == listed
    assert sig.ok('GET', '/corps/%s/users/new@example.com/memberships' % sig.corp, **analyst) == {'data': []}
    owner_memberships = sig.ok('GET', '/corps/%s/users/%s/memberships' % (sig.corp, sig.user), **analyst)
    assert [m['site']['name'] for m in owner_memberships['data']] == ['s2']
    # Users of another corp are not listed; outsiders get 403.
    sig.configure(add_user={'email': 'outsider@example.net', 'token': 'o' * 32})
    sig.error('GET', '/corps/%s/users/outsider@example.net' % sig.corp, status=404)
    sig.error('GET', '/corps/%s/users' % sig.corp, status=403, user='outsider@example.net', token='o' * 32)
    # Only GET is emulated on these paths.
    for method in ('POST', 'PATCH', 'DELETE'):
        sig.error(method, '/corps/%s/users/%s' % (sig.corp, ANALYST), {'role': 'admin'} if method != 'DELETE' else None,
                  status=405)
    assert [u['email'] for u in sig.ok('GET', '/corps/%s/users' % sig.corp)['data']] == [u['email'] for u in listed['data']]


def test_permissions_of_corp_users(sig):
    token = analyst_token(sig)
    analyst = {'user': ANALYST, 'token': token}
    sig.create_site('s1')
    sig.create_site('s2')
    assert sig.ok('GET', sig.sites_path(), **analyst) == {'data': []}  # member of nothing
    sig.error('GET', sig.sites_path('s1'), status=403, message='Forbidden', **analyst)
    sig.error('GET', sig.sites_path('s1', 'members'), status=403, **analyst)
    sig.error('GET', sig.sites_path('missing'), status=404, **analyst)
    sig.error('POST', sig.sites_path(), {'name': 'mine', 'displayName': 'Mine'}, status=403, **analyst)
    sig.ok('POST', sig.sites_path('s1', 'members', ANALYST, 'invite'), {'role': 'observer'})
    assert [s['name'] for s in sig.ok('GET', sig.sites_path(), **analyst)['data']] == ['s1']
    sig.ok('GET', sig.sites_path('s1'), **analyst)
    sig.ok('GET', sig.sites_path('s1', 'members'), **analyst)
    sig.ok('GET', sig.sites_path('s1', 'agents'), **analyst)
    sig.error('GET', sig.sites_path('s1', 'keys'), status=403, **analyst)
    sig.error('GET', sig.sites_path('s1', 'agentKeys'), status=403, **analyst)
    sig.error('PATCH', sig.sites_path('s1'), {'agentLevel': 'block'}, status=403, **analyst)
    sig.error('DELETE', sig.sites_path('s1'), status=403, **analyst)
    sig.error('POST', sig.sites_path('s1', 'members', 'x@example.com', 'invite'), {'role': 'user'}, status=403, **analyst)
    sig.error('POST', sig.sites_path('s1', 'members'), {'members': [sig.user]}, status=403, **analyst)
    # A new role: removed and invited again (there is no site-level update).
    sig.ok('DELETE', sig.sites_path('s1', 'members', ANALYST), status=204)
    sig.ok('POST', sig.sites_path('s1', 'members', ANALYST, 'invite'), {'role': 'admin'})
    assert sig.ok('PATCH', sig.sites_path('s1'), {'agentLevel': 'block'}, **analyst)['agentLevel'] == 'block'
    sig.ok('GET', sig.sites_path('s1', 'keys'), **analyst)
    sig.ok('GET', sig.sites_path('s1', 'agentKeys'), **analyst)
    sig.error('GET', sig.sites_path('s2'), status=403, **analyst)
    # A corp admin sees and manages every site.
    sig.configure(add_user={'email': 'admin@example.com', 'token': 'a' * 32, 'corp_role': 'admin'})
    admin = {'user': 'admin@example.com', 'token': 'a' * 32}
    assert [s['name'] for s in sig.ok('GET', sig.sites_path(), **admin)['data']] == ['s1', 's2']
    sig.ok('POST', sig.sites_path(), {'name': 'by-admin', 'displayName': 'A'}, **admin)
    assert sig.state_site('by-admin')['members'] == [{'email': 'admin@example.com', 'role': 'owner'}]
    sig.ok('DELETE', sig.sites_path('s2'), status=204, **admin)


# -- keys, agents, traffic ------------------------------------------------------------------
def test_agent_keys_stable_per_site_and_secret(running, sig):
    sig.create_site('k1')
    sig.create_site('k2')
    keys = sig.ok('GET', sig.sites_path('k1', 'keys'))
    # go-sigsci's own test of GetSitePrimaryAgentKey: "primary key name should be the same as site name".
    assert set(keys) == {'name', 'accessKey', 'secretKey'} and keys['name'] == 'k1'
    assert UUID.match(keys['accessKey']) and re.match(r'^[A-Za-z0-9_-]{43}$', keys['secretKey'])
    assert sig.ok('GET', sig.sites_path('k1', 'keys')) == keys
    # /agentKeys (the reference's "List agent keys", pysigsci's get_agent_keys): the same key, in a list.
    assert sig.ok('GET', sig.sites_path('k1', 'agentKeys')) == {'data': [keys]}
    sig.ok('PATCH', sig.sites_path('k1'), {'agentLevel': 'block'})
    assert sig.ok('GET', sig.sites_path('k1', 'keys')) == keys
    other = sig.ok('GET', sig.sites_path('k2', 'keys'))
    assert other['accessKey'] != keys['accessKey'] and other['secretKey'] != keys['secretKey']
    app = running.emulators['sigsci']
    assert {keys['secretKey'], other['secretKey'], sig.token} <= app.secrets()
    assert keys['accessKey'] not in app.secrets()
    assert keys['secretKey'] not in sig.call('GET', sig.sites_path('k1')).text
    assert keys['secretKey'] not in sig.call('GET', sig.sites_path()).text
    # A deleted and re-created site has new keys; the old ones stay in secrets(), resets too.
    sig.ok('DELETE', sig.sites_path('k1'), status=204)
    sig.create_site('k1')
    again = sig.ok('GET', sig.sites_path('k1', 'keys'))
    assert again['secretKey'] != keys['secretKey']
    sig.admin('reset', {})
    assert {keys['secretKey'], again['secretKey'], other['secretKey']} <= app.secrets()
    assert set(sig.admin('secrets')['secrets']) == app.secrets()


def test_agents_and_traffic(sig):
    sig.create_site('t')
    assert sig.ok('GET', sig.sites_path('t', 'agents')) == {'data': []}
    assert sig.state_site('t')['traffic'] == 0
    sig.configure(set_traffic={'site': 't', 'requests': 1234})
    assert sig.state_site('t')['traffic'] == 1234
    assert 'traffic' not in sig.ok('GET', sig.sites_path('t'))
    assert sig.ok('GET', sig.sites_path('t', 'agents')) == {'data': []}
    sig.ok('DELETE', sig.sites_path('t'), status=204)  # traffic does not prevent a delete
    for bad in ({'site': 't', 'requests': 1}, {'site': 'x'}, {'site': 't', 'requests': -1}, {'requests': 'many'}):
        response = sig.session.post(sig.admin_url + '/config', json={'set_traffic': bad}, timeout=5)
        assert response.status_code == 400, bad


# -- rate limit, faults, counters -----------------------------------------------------------
def test_rate_limit_429(sig):
    # Neither the document nor a published client shows a rate limit or Retry-After: both are settings, off by default.
    config = sig.admin('config')
    assert (config['rate_limit_enabled'], config['retry_after_header'], config['rate_capacity']) == (False, False, 100)
    sig.configure(rate_capacity=3, rate_refill_per_second=0.01)
    for dummy in range(5):
        sig.ok('GET', '/corps')
    sig.configure(rate_limit_enabled=True, retry_after_header=True)
    for dummy in range(3):
        sig.ok('GET', '/corps')
    sig.error('GET', '/corps', status=401, token='wrong')  # an unauthenticated request takes no token
    response = sig.error('GET', '/corps', status=429, message='Too many requests')
    assert int(response.headers['Retry-After']) >= 1
    sig.error('POST', sig.sites_path(), {'name': 'r', 'displayName': 'R'}, status=429)
    assert sig.admin('state')['sites'] == []
    sig.configure(retry_after_header=False)
    assert 'Retry-After' not in sig.error('GET', '/corps', status=429).headers
    sig.configure(rate_limit_enabled=False)
    sig.ok('GET', '/corps')
    counters = sig.admin('counters')
    assert counters['statuses'] == {'200': 9, '401': 1, '429': 3}
    assert counters['by_endpoint']['GET /corps'] == {'200': 9, '401': 1, '429': 2}


def test_injected_faults_look_like_the_api(sig):
    for status in (500, 502, 503, 504):
        sig.admin('faults', {'endpoint': 'GET /corps', 'kind': 'http_%d' % status})
        response = sig.error('GET', '/corps', status=status)
        assert response.json()['message']
    sig.admin('faults', {'endpoint': 'GET /corps', 'kind': 'http_429', 'retry_after': 3})
    assert 'Retry-After' not in sig.error('GET', '/corps', status=429, message='Too many requests').headers
    sig.configure(retry_after_header=True)
    sig.admin('faults', {'endpoint': 'GET /corps', 'kind': 'http_429', 'retry_after': 3})
    assert sig.error('GET', '/corps', status=429).headers['Retry-After'] == '3'
    sig.ok('GET', '/corps')
    # *_after: the site is created, the answer is lost.
    sig.admin('faults', {'endpoint': 'POST /corps/{corp}/sites', 'kind': 'http_502_after'})
    sig.error('POST', sig.sites_path(), {'name': 'landed', 'displayName': 'L'}, status=502)
    assert [s['name'] for s in sig.admin('state')['sites']] == ['landed']
    sig.error('POST', sig.sites_path(), {'name': 'landed', 'displayName': 'L'}, status=409)


def test_unknown_routes_and_methods(sig):
    sig.create_site('x')
    # A path that no endpoint has: 404, whatever the method (after authentication).
    for method, path in (('GET', '/nothing'), ('GET', '/corps/'), ('GET', sig.sites_path('x', 'keys', 'more')),
                         ('GET', sig.sites_path('x', 'whitelist')), ('POST', sig.sites_path('x', 'agents', 'a1')),
                         ('GET', sig.sites_path('x', 'members', sig.user, 'invite', 'more')),
                         ('PUT', '/corps/%s/users/%s/invite' % (sig.corp, ANALYST)), ('GET', sig.sites_path('x', 'Keys')),
                         ('DELETE', '/corps/%s/sites/x/members/' % sig.corp), ('GET', '/corps//sites')):
        response = sig.error(method, path, {} if method in ('POST', 'PUT') else None, status=404, message='Not Found')
        assert 'Allow' not in response.headers, path
    # A path that exists, with a method it does not have: 405 with the methods it has.
    for method, path, allow in (('PUT', sig.sites_path('x'), 'GET, PATCH, DELETE'), ('DELETE', sig.sites_path(), 'GET, POST'),
                                ('POST', '/corps', 'GET'), ('PATCH', sig.sites_path('x', 'members', sig.user), 'GET, DELETE'),
                                ('DELETE', sig.sites_path('x', 'members'), 'GET, POST'),
                                ('GET', sig.sites_path('x', 'members', sig.user, 'invite'), 'POST'),
                                ('POST', sig.sites_path('x', 'agentKeys'), 'GET'),
                                ('DELETE', '/corps/%s/users/%s' % (sig.corp, ANALYST), 'GET')):
        response = sig.error(method, path, {} if method in ('POST', 'PUT', 'PATCH') else None, status=405,
                             message='Method Not Allowed')
        assert response.headers['Allow'] == allow, (method, path)
    # 405 comes from the path alone: also where the site does not exist.
    sig.error('PATCH', sig.sites_path('missing', 'members', sig.user), {'role': 'user'}, status=405)
    assert sig.ok('GET', sig.sites_path('x', 'members', sig.user))['role'] == 'owner'


def test_counters_and_writes(sig):
    sig.create_site('c')
    sig.ok('GET', '/corps')
    sig.ok('GET', '/corps/%s' % sig.corp)
    sig.ok('GET', sig.sites_path())
    sig.ok('GET', sig.sites_path('c'))
    sig.ok('PATCH', sig.sites_path('c'), {'agentLevel': 'block'})
    sig.ok('GET', sig.sites_path('c', 'members'))
    sig.ok('POST', sig.sites_path('c', 'members', 'n@example.com', 'invite'), {'role': 'user'})
    sig.ok('POST', sig.sites_path('c', 'members'), {'members': [ANALYST]})
    sig.ok('GET', sig.sites_path('c', 'members', 'n@example.com'))
    sig.ok('DELETE', sig.sites_path('c', 'members', 'n@example.com'), status=204)
    sig.ok('GET', sig.sites_path('c', 'keys'))
    sig.ok('GET', sig.sites_path('c', 'agentKeys'))
    sig.ok('GET', sig.sites_path('c', 'agents'))
    sig.ok('GET', '/corps/%s/users' % sig.corp)
    sig.ok('GET', '/corps/%s/users/%s' % (sig.corp, ANALYST))
    sig.ok('GET', '/corps/%s/users/%s/memberships' % (sig.corp, ANALYST))
    sig.ok('DELETE', sig.sites_path('c'), status=204)
    sig.error('GET', '/nothing', status=404)
    sig.error('PATCH', sig.sites_path('c', 'members', ANALYST), {'role': 'admin'}, status=405)
    report = sig.admin('counters')
    assert report['counts'] == {
        'POST /corps/{corp}/sites': 1, 'GET /corps': 1, 'GET /corps/{corp}': 1, 'GET /corps/{corp}/sites': 1,
        'GET /corps/{corp}/sites/{site}': 1, 'PATCH /corps/{corp}/sites/{site}': 1,
        'GET /corps/{corp}/sites/{site}/members': 1, 'POST /corps/{corp}/sites/{site}/members/{email}/invite': 1,
        'POST /corps/{corp}/sites/{site}/members': 1, 'GET /corps/{corp}/sites/{site}/members/{email}': 1,
        'DELETE /corps/{corp}/sites/{site}/members/{email}': 1, 'GET /corps/{corp}/sites/{site}/keys': 1,
        'GET /corps/{corp}/sites/{site}/agentKeys': 1, 'GET /corps/{corp}/sites/{site}/agents': 1,
        'GET /corps/{corp}/users': 1, 'GET /corps/{corp}/users/{email}': 1,
        'GET /corps/{corp}/users/{email}/memberships': 1, 'DELETE /corps/{corp}/sites/{site}': 1, 'GET /nothing': 1,
        'PATCH /corps/{corp}/sites/{site}/members/{email}': 1}
    # A refused PATCH is counted as sent (a write that changed nothing).
    assert report['writes'] == 7 and report['total'] == 20
    assert report['by_endpoint']['PATCH /corps/{corp}/sites/{site}/members/{email}'] == {'405': 1}


# -- state, secrets, config --------------------------------------------------------------
def test_state_and_secrets(running, sig):
    app = running.emulators['sigsci']
    token = analyst_token(sig)
    assert {sig.token, token} <= app.secrets()
    assert sig.user not in app.secrets() and sig.corp not in app.secrets()
    sig.configure(add_user={'email': 'extra@example.com', 'corp_role': 'observer'})
    sig.create_site('st')
    sig.ok('POST', sig.sites_path('st', 'members', 'extra@example.com', 'invite'), {'role': 'observer'})
    state = sig.admin('state')
    assert set(state) == {'corps', 'sites', 'users', 'rate'}
    assert state['corps'][0]['name'] == sig.corp and {'email': 'extra@example.com', 'role': 'observer'} in state['corps'][0]['users']
    site = state['sites'][0]
    assert site['corp'] == sig.corp and site['traffic'] == 0 and set(site['keys']) == {'name', 'accessKey', 'secretKey'}
    assert site['members'] == [{'email': sig.user, 'role': 'owner'}, {'email': 'extra@example.com', 'role': 'observer'}]
    extra = [u for u in state['users'] if u['email'] == 'extra@example.com'][0]
    assert extra['status'] == 'active' and len(extra['tokens'][0]['token']) == 32 and extra['tokens'][0]['revoked'] is False
    assert extra['tokens'][0]['token'] in app.secrets() and site['keys']['secretKey'] in app.secrets()
    sig.admin('reset', {})
    assert {extra['tokens'][0]['token'], site['keys']['secretKey'], sig.token, token} <= app.secrets()
    assert [u['email'] for u in sig.admin('state')['users']] == [sig.user, ANALYST]


def test_bad_config(sig):
    for bad in ({'rate_capacity': 0}, {'rate_refill_per_second': 0}, {'site_limit': 0}, {'unknown_knob': 1},
                {'add_user': {'email': 'x'}}, {'add_user': {'email': 'x@example.com', 'corp_role': 'boss'}},
                {'add_user': {'email': sig.user}}, {'add_user': {'email': 'y@example.com', 'extra': 1}},
                {'add_corp': {'name': sig.corp}}, {'add_corp': {'name': 'n', 'owner': 'nobody@example.com'}},
                {'revoke_token': 123}):
        response = sig.session.post(sig.admin_url + '/config', json=bad, timeout=5)
        assert response.status_code == 400, bad
    config = sig.admin('config')
    assert (config['rate_capacity'], config['site_limit'], config['rate_refill_per_second']) == (100, 100, 10.0)
