# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The SecuritySpace emulator and the generic harness, over real HTTPS."""

import http.client
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time

import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest
import requests

from emulators import harness as emulator_harness

ZONE = 'example.org'


class Client(object):
    """A SecuritySpace API caller plus the emulator's admin API."""

    def __init__(self, running):
        self.running = running
        self.env = running.env()
        self.url = self.env['SECURITYSPACE_API_URL']
        self.admin_url = self.env['EMULATOR_SECURITYSPACE_ADMIN']
        self.session = requests.Session()
        self.session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify
        self.session.verify = running.ca_path
        self.token = None

    def post(self, endpoint, form=None, timeout=5, **kwargs):
        return self.session.post('%s/%s.php' % (self.url, endpoint), data=form, timeout=timeout, **kwargs)

    def login(self):
        answer = self.post('auth', {'apikey': self.env['SECURITYSPACE_API_KEY'], 'userid': self.env['SECURITYSPACE_USERID'],
                                    'password': self.env['SECURITYSPACE_PASSWORD']}).json()
        assert answer['status'] == '0', answer
        self.token = answer['sessionToken']
        return self.token

    def call(self, endpoint, timeout=5, **params):
        if self.token is None:
            self.login()
        form = {'apikey': self.env['SECURITYSPACE_API_KEY'], 'sessionToken': self.token}
        form.update(params)
        response = self.post(endpoint, form, timeout=timeout)
        assert response.status_code == 200
        assert response.headers['Content-Type'] == 'application/json'
        return response.json()

    def ok(self, endpoint, **params):
        answer = self.call(endpoint, **params)
        assert answer['status'] == '0', (endpoint, params, answer)
        return answer

    def error(self, endpoint, **params):
        answer = self.call(endpoint, **params)
        assert answer['status'] == '-1', (endpoint, params, answer)
        return answer.get('error')

    def admin(self, path, body=None, method=None):
        method = method or ('GET' if body is None else 'POST')
        response = self.session.request(method, '%s/%s' % (self.admin_url, path), json=body, timeout=5)
        return response.status_code, response.json()

    def fault(self, **fault):
        status, answer = self.admin('faults', fault)
        assert status == 200, answer

    def configure(self, **config):
        status, answer = self.admin('config', config)
        assert status == 200, answer
        return answer

    def counters(self):
        return self.admin('counters')[1]

    def add_domain(self, domain=ZONE, domaintype='master'):
        return self.ok('dnsAddDomain', domain=domain, domaintype=domaintype, aup='YES')

    def records(self, domain=ZONE, rtype=None):
        records = self.ok('dnsGetDomainRecords', domain=domain)['records']
        return [r for r in records.values() if rtype is None or r['type'] == rtype]

    def domain_state(self, domain=ZONE):
        answer = self.ok('dnsGetDomainRecords', domain=domain)
        return answer['state'], answer['stateText']


@pytest.fixture(scope='module')
def running(tmp_path_factory):
    started = time.time()
    instance = emulator_harness.start(str(tmp_path_factory.mktemp('emulators')), vendors=['securityspace'])
    instance.start_seconds = time.time() - started
    yield instance
    instance.stop()


@pytest.fixture
def ss(running):
    client = Client(running)
    status, answer = client.admin('reset', {})
    assert (status, answer) == (200, {'reset': 'all'})
    yield client
    client.session.close()


# -- harness, TLS, transport -------------------------------------------------------
def test_harness_start_env_and_tls(running, ss):
    assert running.start_seconds < 1.0
    env = running.env()
    assert set(env) == {'DOMAINSEC_CA_PATH', 'EMULATOR_SECURITYSPACE_ADMIN', 'SECURITYSPACE_API_URL',
                        'SECURITYSPACE_API_KEY', 'SECURITYSPACE_USERID', 'SECURITYSPACE_PASSWORD'}
    assert re.match(r'^https://127\.0\.0\.1:\d+/api$', env['SECURITYSPACE_API_URL'])
    assert re.match(r'^[A-Za-z0-9]{32}$', env['SECURITYSPACE_API_KEY'])
    assert env['DOMAINSEC_CA_PATH'] == running.ca_path and os.path.exists(running.ca_path)
    assert running.urls['securityspace'] + '/_emulator' == env['EMULATOR_SECURITYSPACE_ADMIN']
    # the certificate is only trusted through the test CA, and names localhost too
    with pytest.raises(requests.exceptions.SSLError):
        requests.Session().post(env['SECURITYSPACE_API_URL'] + '/auth.php', verify=True, timeout=5)
    localhost = env['SECURITYSPACE_API_URL'].replace('127.0.0.1', 'localhost')
    assert ss.session.post(localhost + '/auth.php', timeout=5).json() == {'status': '-1', 'error': 'invalid apikey format'}
    # plain HTTP on the same port is refused the vendor's way
    plain = ss.session.post(env['SECURITYSPACE_API_URL'].replace('https:', 'http:') + '/auth.php', timeout=5)
    assert plain.json() == {'status': '-1', 'error': 'notSSL'}


def test_keep_alive_and_php_json(running, ss):
    ss.login()
    connection = http.client.HTTPSConnection(running.urls['securityspace'][len('https://'):],
                                             context=ssl.create_default_context(cafile=running.ca_path), timeout=5)
    body = 'apikey=%s&sessionToken=%s' % (ss.env['SECURITYSPACE_API_KEY'], ss.token)
    for dummy in range(3):
        connection.request('POST', '/api/dnsGetDomainList.php', body=body,
                           headers={'Content-Type': 'application/x-www-form-urlencoded'})
        answer = connection.getresponse()
        raw = answer.read()
        assert answer.getheader('Content-Length') == str(len(raw))
        assert answer.getheader('Connection') != 'close'
        # PHP's json_encode: compact, and an empty "domains" object is an empty array
        assert raw.startswith(b'{"status":"0","domaincount":0,')
        assert json.loads(raw)['domains'] == []
    connection.close()


def test_http_level_errors(ss):
    unknown = ss.post('dnsAddFOO', {'apikey': 'x'})
    assert (unknown.status_code, unknown.json()) == (404, {'status': '-1', 'error': 'unknownApi'})
    wrong_method = ss.session.get(ss.url + '/auth.php', timeout=5)
    assert wrong_method.status_code == 405 and wrong_method.json()['error'] == 'methodNotAllowed'
    assert wrong_method.headers['Allow'] == 'POST'
    # the document's copy-paste URLs: every endpoint is served under its own name
    for endpoint in ('dnsAddCAA', 'dnsSetSOA', 'dnsSetOptions', 'dnsPublish'):
        assert ss.post(endpoint, {}).json() == {'status': '-1', 'error': 'invalid apikey format'}


# -- authentication ---------------------------------------------------------------
def test_auth_errors(ss):
    key, user, password = (ss.env[n] for n in ('SECURITYSPACE_API_KEY', 'SECURITYSPACE_USERID', 'SECURITYSPACE_PASSWORD'))

    def auth(**form):
        return ss.post('auth', form).json()

    assert auth(userid=user, password=password) == {'status': '-1', 'error': 'invalid apikey format'}
    assert auth(apikey='short', userid=user, password=password)['error'] == 'invalid apikey format'
    assert auth(apikey='A' * 32, userid=user, password=password)['error'] == 'invalid apikey - not in db'
    assert auth(apikey=key, userid=user)['error'] == 'missing credentials'
    assert auth(apikey=key, password=password)['error'] == 'missing credentials'
    assert auth(apikey=key, userid=user, password=password + 'x')['error'] == 'invalidLogin'
    # $_POST is only filled by a form body: JSON is as good as no apikey at all
    as_json = ss.session.post(ss.url + '/auth.php', json={'apikey': key, 'userid': user, 'password': password}, timeout=5)
    assert as_json.json()['error'] == 'invalid apikey format'
    good = auth(apikey=key, userid=user, password=password)
    assert good['status'] == '0' and re.match(r'^[A-Za-z0-9]{40,}$', good['sessionToken'])
    assert ss.post('dnsGetDomainList', {'apikey': key}).json()['error'] == 'sessionAuthenticationFailure'
    assert ss.post('dnsGetDomainList', {'apikey': key, 'sessionToken': 'nope'}).json()['error'] == 'sessionAuthenticationFailure'
    assert ss.post('dnsGetDomainList', {'apikey': key, 'sessionToken': good['sessionToken']}).json()['status'] == '0'
    # a session token does not replace the api key
    assert ss.post('dnsGetDomainList', {'sessionToken': good['sessionToken']}).json()['error'] == 'invalid apikey format'


def test_token_expiry(ss):
    first = ss.login()
    ss.fault(endpoint='dnsGetDomainList', kind='expired_session')
    assert ss.error('dnsGetDomainList') == 'sessionTimeout'
    assert ss.error('dnsGetDomainList') == 'sessionTimeout'  # the token stays expired
    second = ss.login()
    assert second != first and ss.ok('dnsGetDomainList')['domaincount'] == 0
    ss.configure(expire_all_tokens=True)
    assert ss.error('dnsGetDomainList') == 'sessionTimeout'
    ss.login()
    assert ss.admin('config', {'token_ttl': 'long'}) == (400, {'error': 'token_ttl must be a number'})
    assert ss.configure(token_ttl=0.3)['token_ttl'] == 0.3
    ss.ok('dnsGetDomainList')
    time.sleep(0.35)
    assert ss.error('dnsGetDomainList') == 'sessionTimeout'


# -- domains --------------------------------------------------------------------------
def test_domain_add_defaults_list_delete(ss):
    ss.add_domain('Example.ORG')
    state, text = ss.domain_state()
    assert (state, text) == (0, 'Unvalidated')
    records = ss.records()
    assert sorted(r['data']['data'] for r in records if r['type'] == 'NS') == ['ns%d.securityspace.net.' % i for i in range(1, 5)]
    assert all(r['data']['name'] == '' for r in records if r['type'] == 'NS')
    soa = [r['data'] for r in records if r['type'] == 'SOA']
    assert soa == [{'priNS': 'ns1.securityspace.net.', 'mail': 'hostmaster.example.org.', 'refresh': 10800,
                    'retry': 3600, 'exp': 604800, 'min': 86400}]
    assert [r['data'] for r in records if r['type'] == 'Options'] == [
        {'masters': '', 'allowtransferacl': 'none', 'notify': 'no', 'alsonotify': ''}]
    assert len(set(r['seq'] for r in records)) == 6 and all(isinstance(r['seq'], str) for r in records)
    ss.add_domain('second.example', 'slave')
    listing = ss.ok('dnsGetDomainList')
    assert listing['domaincount'] == 2 and listing['domainweight'] == 2
    assert isinstance(listing['expiryjtime'], int) and listing['expiryreadable']
    domains = listing['domains']
    assert [d['domain'] for d in domains.values()] == ['example.org', 'second.example']
    assert all(key == str(d['seq']) and d['weight'] == 1 and d['stateText'] == 'Unvalidated' for key, d in domains.items())
    # record seqs are unique across the account
    assert not set(r['seq'] for r in ss.records()) & set(r['seq'] for r in ss.records('second.example'))
    deleted = ss.ok('dnsDeleteDomain', domain='EXAMPLE.org')
    assert (deleted['domaincount'], deleted['domainweight']) == (1, 1) and 'expiryreadable' in deleted
    assert ss.error('dnsDeleteDomain', domain=ZONE) == 'domainNotDeleted'
    assert ss.error('dnsDeleteDomain', domain='not a domain') == 'syntaxInvalidDomain'
    assert ss.error('dnsGetDomainRecords', domain=ZONE) == 'noSuchDomain'


@pytest.mark.parametrize('form, code', [
    ({'domain': ZONE, 'domaintype': 'master'}, 'mustAcceptAUP'),
    ({'domain': ZONE, 'domaintype': 'master', 'aup': 'yes'}, 'mustAcceptAUP'),
    ({'domain': 'localhost', 'domaintype': 'master', 'aup': 'YES'}, 'syntaxInvalidDomain'),
    ({'domain': 'example.org.', 'domaintype': 'master', 'aup': 'YES'}, 'syntaxInvalidDomain'),
    ({'domain': '-bad.example', 'domaintype': 'master', 'aup': 'YES'}, 'syntaxInvalidDomain'),
    ({'domain': 'under_score.example', 'domaintype': 'master', 'aup': 'YES'}, 'syntaxInvalidDomain'),
    ({'domain': ('a' * 63 + '.') * 4 + 'org', 'domaintype': 'master', 'aup': 'YES'}, 'syntaxInvalidDomain'),
    ({'domain': ZONE, 'domaintype': 'primary', 'aup': 'YES'}, 'syntaxInvalidDomainType'),
    ({'domain': ZONE.upper(), 'domaintype': 'master', 'aup': 'YES'}, 'unableToAddDuplicate'),
])
def test_domain_add_errors(ss, form, code):
    ss.add_domain()
    assert ss.error('dnsAddDomain', **form) == code
    assert ss.ok('dnsGetDomainList')['domaincount'] == 1


# -- records --------------------------------------------------------------------------
def test_add_every_record_type_verbatim(ss):
    ss.add_domain()
    ss.ok('dnsPublish', domain=ZONE)
    assert ss.domain_state() == (3, 'Active')
    adds = [
        ('dnsAddA', {'name': 'WWW', 'ip': '192.0.2.10'}, 'A', {'name': 'WWW', 'data': '192.0.2.10'}),
        ('dnsAddA', {'name': '*', 'ip': '192.0.2.11'}, 'A', {'name': '*', 'data': '192.0.2.11'}),
        ('dnsAddAAAA', {'name': 'v6.example.org.', 'ip': '2001:DB8:0:0::1'}, 'AAAA',
         {'name': 'v6.example.org.', 'data': '2001:DB8:0:0::1'}),
        ('dnsAddCNAME', {'alias': 'docs', 'name': 'www.example.net.'}, 'CNAME', {'name': 'docs', 'data': 'www.example.net.'}),
        ('dnsAddMX', {'name': '', 'mxname': 'mail', 'priority': '10'}, 'MX', {'pri': 10, 'host': '', 'data': 'mail'}),
        ('dnsAddNS', {'subdomain': 'sub', 'nameserver': 'ns.example.net.'}, 'NS', {'name': 'sub', 'data': 'ns.example.net.'}),
        ('dnsAddCAA', {'subdomain': '', 'flag': '128', 'tag': 'issue', 'value': 'letsencrypt.org'}, 'CAA',
         {'name': '', 'flag': 128, 'tag': 'issue', 'caaval': 'letsencrypt.org'}),
        ('dnsAddTXT', {'name': '_dmarc', 'txtdata': '"v=DMARC1; p=none"'}, 'TXT', {'name': '_dmarc', 'data': '"v=DMARC1; p=none"'}),
        ('dnsAddSRV', {'srvc': '_sip', 'prot': 'TCP', 'host': '', 'pri': '0', 'weight': '5', 'port': '5060',
                       'target': 'sip.example.net.'}, 'SRV',
         {'srvc': '_sip', 'prot': 'TCP', 'host': '', 'pri': 0, 'weight': 5, 'port': 5060, 'target': 'sip.example.net.'}),
    ]
    for endpoint, params, rtype, data in adds:
        ss.ok(endpoint, domain=ZONE, **params)
        assert [r['data'] for r in ss.records(rtype=rtype)][-1] == data, endpoint
        assert ss.domain_state() == (0, 'Unvalidated')
        ss.ok('dnsPublish', domain=ZONE)
    # exact duplicates are accepted: the service does not de-duplicate
    ss.ok('dnsAddA', domain=ZONE, name='WWW', ip='192.0.2.10')
    assert len([r for r in ss.records(rtype='A') if r['data'] == {'name': 'WWW', 'data': '192.0.2.10'}]) == 2
    seqs = [int(r['seq']) for r in ss.records()]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs)) == 6 + len(adds) + 1


BASE_FORMS = {
    'dnsAddA': {'domain': ZONE, 'name': 'www', 'ip': '192.0.2.1'},
    'dnsAddAAAA': {'domain': ZONE, 'name': 'www', 'ip': '2001:db8::1'},
    'dnsAddCNAME': {'domain': ZONE, 'alias': 'docs', 'name': 'www'},
    'dnsAddMX': {'domain': ZONE, 'name': '', 'mxname': 'mail.example.net.', 'priority': '10'},
    'dnsAddNS': {'domain': ZONE, 'subdomain': 'sub', 'nameserver': 'ns1.example.net.'},
    'dnsAddCAA': {'domain': ZONE, 'subdomain': '', 'flag': '0', 'tag': 'issue', 'value': 'letsencrypt.org'},
    'dnsAddTXT': {'domain': ZONE, 'name': '', 'txtdata': 'v=spf1 -all'},
    'dnsAddSRV': {'domain': ZONE, 'srvc': '_sip', 'prot': '_tcp', 'host': '', 'pri': '1', 'weight': '1', 'port': '5060',
                  'target': 'sip.example.net.'},
}
ADD_ERRORS = [
    ('dnsAddA', {'domain': 'bad_domain'}, 'syntaxInvalidDomain'),
    ('dnsAddA', {'domain': 'other.example'}, 'noSuchDomain'),
    ('dnsAddA', {'name': 'a..b'}, 'syntaxInvalidHostname'),
    ('dnsAddA', {'name': 'www.example.net.'}, 'syntaxInvalidHostname'),
    ('dnsAddA', {'name': 'a.*'}, 'syntaxInvalidHostname'),
    ('dnsAddA', {'ip': '192.0.2.256'}, 'syntaxInvalidIP'),
    ('dnsAddA', {'ip': '2001:db8::1'}, 'syntaxInvalidIP'),
    ('dnsAddAAAA', {'ip': '192.0.2.1'}, 'syntaxInvalidIP'),
    ('dnsAddAAAA', {'ip': '2001:db8::g'}, 'syntaxInvalidIP'),
    ('dnsAddCNAME', {'alias': 'bad alias'}, 'syntaxInvalidCNAME'),
    ('dnsAddCNAME', {'name': ''}, 'syntaxInvalidHostname'),
    ('dnsAddMX', {'name': 'a b'}, 'syntaxInvalidMX'),
    ('dnsAddMX', {'mxname': 'mail server'}, 'syntaxInvalidHostname'),
    ('dnsAddMX', {'priority': '100'}, 'syntaxInvalidPriority'),
    ('dnsAddMX', {'priority': '-1'}, 'syntaxInvalidPriority'),
    ('dnsAddNS', {'subdomain': 'a..b'}, 'syntaxInvalidSubdomain'),
    ('dnsAddNS', {'nameserver': ''}, 'syntaxInvalidHostname'),
    ('dnsAddCAA', {'subdomain': 'x y'}, 'syntaxInvalidSubdomain'),
    ('dnsAddCAA', {'flag': '256'}, 'syntaxInvalidFlag'),
    ('dnsAddCAA', {'flag': 'one'}, 'syntaxInvalidFlag'),
    ('dnsAddCAA', {'tag': 'issuer'}, 'syntaxInvalidTag'),
    ('dnsAddTXT', {'name': 'a b'}, 'syntaxInvalidTxtname'),
    ('dnsAddTXT', {'txtdata': ''}, 'syntaxInvalidTxtdata'),
    ('dnsAddTXT', {'txtdata': 'x' * 4001}, 'syntaxInvalidTxtdata'),
    ('dnsAddTXT', {'txtdata': 'line\nbreak'}, 'syntaxInvalidTxtdata'),
    ('dnsAddSRV', {'domain': ''}, 'syntaxInvalidDomain'),
    ('dnsAddSRV', {'srvc': '_s i p'}, 'syntaxInvalidSrvc'),
    ('dnsAddSRV', {'prot': 'sctp'}, 'syntaxInvalidProt'),
    ('dnsAddSRV', {'host': 'a..b'}, 'syntaxInvalidHostname'),
    ('dnsAddSRV', {'target': ''}, 'syntaxInvalidTarget'),
    ('dnsAddSRV', {'pri': '65536'}, 'syntaxInvalidPriority'),
    ('dnsAddSRV', {'weight': 'x'}, 'syntaxInvalidWeight'),
    ('dnsAddSRV', {'port': '70000'}, 'syntaxInvalidPort'),
]


@pytest.mark.parametrize('endpoint, change, code', ADD_ERRORS, ids=['%s-%s' % (e[0], e[2]) for e in ADD_ERRORS])
def test_add_record_errors(ss, endpoint, change, code):
    ss.add_domain()
    before = ss.records()
    form = dict(BASE_FORMS[endpoint], **change)
    assert ss.error(endpoint, **form) == code
    assert ss.records() == before
    ss.ok(endpoint, **BASE_FORMS[endpoint])  # the unchanged form is valid


def test_srv_without_domain_and_dot_target(ss):
    ss.add_domain()
    form = dict(BASE_FORMS['dnsAddSRV'], target='.', srvc='xmpp', prot='udp', host='chat')
    ss.ok('dnsAddSRV', **form)
    assert ss.records(rtype='SRV')[0]['data']['target'] == '.'
    del form['domain']
    assert ss.error('dnsAddSRV', **form) == 'syntaxInvalidDomain'


def test_delete_record(ss):
    ss.add_domain()
    ss.ok('dnsPublish', domain=ZONE)
    assert ss.error('dnsDeleteRecord', seq='abc') == 'syntaxInvalidSeq'
    assert ss.error('dnsDeleteRecord', seq='') == 'syntaxInvalidSeq'
    assert ss.error('dnsDeleteRecord', seq='999999') == 'recordNotDeleted'
    for rtype in ('SOA', 'Options'):
        assert ss.error('dnsDeleteRecord', seq=ss.records(rtype=rtype)[0]['seq']) == 'recordNotDeleted'
    assert ss.domain_state()[0] == 3
    ns = ss.records(rtype='NS')[0]
    ss.ok('dnsDeleteRecord', seq=ns['seq'])
    assert ns['seq'] not in [r['seq'] for r in ss.records()] and len(ss.records(rtype='NS')) == 3
    assert ss.domain_state()[0] == 0
    assert ss.error('dnsDeleteRecord', seq=ns['seq']) == 'recordNotDeleted'


# -- SOA and options ------------------------------------------------------------------
def test_set_soa(ss):
    ss.add_domain()
    assert ss.error('dnsSetSOA', domain=ZONE) == 'missingInput'
    assert ss.error('dnsSetSOA', domain=ZONE, admin='', ttl='') == 'missingInput'
    assert ss.error('dnsSetSOA', domain=ZONE, admin='not-an-email') == 'syntaxInvalidAdmin'
    assert ss.error('dnsSetSOA', domain=ZONE, admin='a@localhost') == 'syntaxInvalidAdmin'
    for ttl in ('59', '2419201', '1h', '-5'):
        assert ss.error('dnsSetSOA', domain=ZONE, ttl=ttl) == 'syntaxInvalidTTL'
    assert ss.error('dnsSetSOA', domain='nope.example', ttl='300') == 'noSuchDomain'
    ss.ok('dnsPublish', domain=ZONE)
    ss.ok('dnsSetSOA', domain=ZONE, admin='first.last@Example.ORG')
    soa = ss.records(rtype='SOA')[0]['data']
    assert (soa['mail'], soa['min']) == ('first\\.last.Example.ORG.', 86400)
    assert ss.domain_state()[0] == 0
    ss.ok('dnsSetSOA', domain=ZONE, ttl='300')
    soa = ss.records(rtype='SOA')[0]['data']
    assert (soa['mail'], soa['min']) == ('first\\.last.Example.ORG.', 300)
    assert '$TTL 300' in ss.ok('dnsBuildZone', domain=ZONE)['zone']


@pytest.mark.parametrize('params, code', [
    ({'masters': '192.0.2.1,banana'}, 'syntaxInvalidMasters'),
    ({'allowtransferacl': ''}, 'syntaxInvalidAllowtransferacl'),
    ({'allowtransferacl': '192.0.2.0/33'}, 'syntaxInvalidAllowtransferacl'),
    ({'notify': 'maybe'}, 'syntaxInvalidNotify'),
    ({'notify': 'yes', 'alsonotify': '192.0.2.1,,'}, 'syntaxInvalidAlsoNotify'),
    ({'alsonotify': '192.0.2.53'}, 'logicAlsoNotifyRequiresNotify'),
    ({'notify': 'no', 'alsonotify': '192.0.2.53'}, 'logicAlsoNotifyRequiresNotify'),
])
def test_set_options_errors(ss, params, code):
    ss.add_domain()
    before = ss.records(rtype='Options')
    assert ss.error('dnsSetOptions', domain=ZONE, **params) == code
    assert ss.records(rtype='Options') == before


def test_set_options(ss):
    ss.add_domain()
    ss.ok('dnsPublish', domain=ZONE)
    ss.ok('dnsSetOptions', domain=ZONE, allowtransferacl='192.0.2.0/24, 2001:db8::/32', notify='explicit',
          alsonotify='192.0.2.53,2001:DB8::53')
    assert ss.records(rtype='Options')[0]['data'] == {
        'masters': '', 'allowtransferacl': '192.0.2.0/24, 2001:db8::/32', 'notify': 'explicit', 'alsonotify': '192.0.2.53,2001:DB8::53'}
    assert ss.domain_state()[0] == 0
    ss.ok('dnsSetOptions', domain=ZONE, allowtransferacl='ANY')  # only what is given changes
    assert ss.records(rtype='Options')[0]['data']['notify'] == 'explicit'
    assert ss.error('dnsSetOptions', domain=ZONE, notify='no') == 'logicAlsoNotifyRequiresNotify'
    ss.ok('dnsSetOptions', domain=ZONE, notify='no', alsonotify='')
    assert ss.records(rtype='Options')[0]['data'] == {'masters': '', 'allowtransferacl': 'ANY', 'notify': 'no', 'alsonotify': ''}
    ss.add_domain('slave.example', 'slave')
    assert ss.error('dnsSetOptions', domain='slave.example', masters='') == 'syntaxInvalidMasters'
    assert ss.error('dnsPublish', domain='slave.example') is None
    ss.ok('dnsSetOptions', domain='slave.example', masters='192.0.2.1, 192.0.2.2')
    assert ss.records('slave.example', 'Options')[0]['data']['masters'] == '192.0.2.1, 192.0.2.2'
    ss.ok('dnsPublish', domain='slave.example')


# -- publish ---------------------------------------------------------------------------
PUBLISH_ERRORS = [
    ('dnsAddCNAME', {'alias': '', 'name': 'www.example.net.'}, 'CNAME at the zone apex'),
    ('dnsAddCNAME', {'alias': 'mail', 'name': 'www.example.net.'}, 'CNAME and other data'),
    ('dnsAddCNAME', {'alias': 'docs.example.org.', 'name': 'other.example.net.'}, 'multiple CNAME records'),
    ('dnsAddTXT', {'name': 'long', 'txtdata': 'k' * 256}, 'character-string of 256 bytes is longer than 255'),
    ('dnsAddTXT', {'name': 'quotes', 'txtdata': '"unterminated'}, 'bad TXT data'),
    ('dnsAddCAA', {'subdomain': '', 'flag': '0', 'tag': 'iodef', 'value': 'security@example.org'}, 'is not a mailto:'),
    ('dnsAddCAA', {'subdomain': '', 'flag': '0', 'tag': 'issue', 'value': 'not a ca'}, 'does not name an issuer domain'),
    ('dnsAddMX', {'name': '', 'mxname': 'mail_server.example.net.', 'priority': '5'}, 'is not a valid hostname'),
    ('dnsAddSRV', {'srvc': 'sip', 'prot': 'tcp', 'host': '', 'pri': '1', 'weight': '1', 'port': '1',
                   'target': '-sip.example.net.'}, 'is not a valid hostname'),
]


@pytest.mark.parametrize('endpoint, params, message', PUBLISH_ERRORS, ids=[e[2].split()[0] + '-' + e[0] for e in PUBLISH_ERRORS])
def test_publish_errors(ss, endpoint, params, message):
    ss.add_domain()
    ss.ok('dnsAddA', domain=ZONE, name='mail', ip='192.0.2.25')
    ss.ok('dnsAddCNAME', domain=ZONE, alias='docs', name='www.example.net.')
    ss.ok('dnsPublish', domain=ZONE)
    ss.ok(endpoint, domain=ZONE, **params)
    answer = ss.call('dnsPublish', domain=ZONE)
    assert answer['status'] == '-1' and 'error' not in answer
    assert len(answer['errors']) == 1 and message in answer['errors'][0], answer
    assert ss.domain_state() == (1, 'Configuration Errors')
    # fixing the zone makes it publishable again
    bad = ss.records()[-1]
    ss.ok('dnsDeleteRecord', seq=bad['seq'])
    assert ss.ok('dnsPublish', domain=ZONE)['errors'] == []
    assert ss.domain_state() == (3, 'Active')


def test_publish_warnings(ss):
    ss.add_domain()
    ss.ok('dnsAddMX', domain=ZONE, name='', mxname='mail', priority='10')  # in zone, no address
    ss.ok('dnsAddCNAME', domain=ZONE, alias='mx2', name='mail.example.net.')
    ss.ok('dnsAddMX', domain=ZONE, name='', mxname='mx2.example.org.', priority='20')  # MX -> CNAME
    ss.ok('dnsAddNS', domain=ZONE, subdomain='sub', nameserver='ns.sub')  # in-zone glue missing
    ss.ok('dnsAddSRV', domain=ZONE, srvc='sip', prot='tcp', host='', pri='1', weight='1', port='5060', target='sip')
    ss.ok('dnsAddTXT', domain=ZONE, name='', txtdata='v=spf1 -all')
    ss.ok('dnsAddTXT', domain=ZONE, name='', txtdata='v=spf1 -all')  # exact duplicate
    ss.ok('dnsAddMX', domain=ZONE, name='', mxname='mx.example.net.', priority='30')  # out of zone: fine
    answer = ss.call('dnsPublish', domain=ZONE)
    assert answer['status'] == '0' and answer['errors'] == []
    warnings = '\n'.join(answer['warnings'])
    assert len(answer['warnings']) == 6, warnings
    assert "example.org/MX" in warnings and "'mail.example.org' has no address records" in warnings
    assert "'mx2.example.org' is a CNAME" in warnings and "'mx2.example.org' has no address records" in warnings
    assert "sub.example.org/NS" in warnings and "'ns.sub.example.org' has no address records" in warnings
    assert "_sip._tcp.example.org/SRV" in warnings and 'duplicate of seq' in warnings
    assert ss.domain_state() == (3, 'Active')


def test_publish_hold_distribution_and_serial(ss):
    ss.configure(hold_new_domains=True, distribution_delay=0.4)
    ss.add_domain()
    answer = ss.call('dnsPublish', domain=ZONE)
    assert answer == {'status': '-1', 'errors': ['Domain is on hold pending review'], 'warnings': []}
    assert ss.domain_state()[0] == 0
    ss.configure(hold_new_domains=False)
    serial = int(re.search(r'SOA\s+\S+ \S+ \((\d+) ', ss.ok('dnsBuildZone', domain=ZONE)['zone']).group(1))
    assert serial == int(time.strftime('%Y%m%d', time.gmtime())) * 100 + 1
    ss.ok('dnsPublish', domain=ZONE)
    assert ss.domain_state() == (2, 'Waiting for distribution to name servers')
    ss.configure(hold_new_domains=True)  # the hold only applies to never-published domains
    ss.ok('dnsPublish', domain=ZONE)
    time.sleep(0.45)
    assert ss.domain_state() == (3, 'Active')
    assert ss.ok('dnsGetDomainList')['domains']['101']['stateText'] == 'Active'
    zone = ss.ok('dnsBuildZone', domain=ZONE)['zone']
    assert '(%d ' % (serial + 2) in zone  # two publishes later, the next serial
    assert ss.error('dnsPublish', domain='nope.example') == 'noSuchDomain'
    assert ss.error('dnsPublish', domain='bad_name') == 'syntaxInvalidDomain'


# -- zone file -----------------------------------------------------------------------
def test_build_zone_parses_with_dnspython(ss):
    ss.add_domain()
    for endpoint, params in [
        ('dnsAddA', {'name': '', 'ip': '192.0.2.1'}),
        ('dnsAddA', {'name': '*.dev', 'ip': '192.0.2.2'}),
        ('dnsAddAAAA', {'name': 'www.example.org.', 'ip': '2001:DB8::1'}),
        ('dnsAddCNAME', {'alias': 'docs', 'name': 'www'}),
        ('dnsAddMX', {'name': '', 'mxname': 'mail.example.net.', 'priority': '10'}),
        ('dnsAddTXT', {'name': '', 'txtdata': 'say "hi" \\ bye'}),
        ('dnsAddTXT', {'name': 'dkim._domainkey', 'txtdata': '"%s" "%s"' % ('a' * 255, 'b' * 10)}),
        ('dnsAddCAA', {'subdomain': '', 'flag': '0', 'tag': 'issue', 'value': 'letsencrypt.org'}),
        ('dnsAddSRV', {'srvc': 'imaps', 'prot': 'TCP', 'host': 'mail', 'pri': '0', 'weight': '1', 'port': '993',
                       'target': 'imap.example.net.'}),
    ]:
        ss.ok(endpoint, domain=ZONE, **params)
    text = ss.ok('dnsBuildZone', domain=ZONE)['zone']
    assert text.count('$ORIGIN example.org.') == 1 and '$TTL 86400' in text
    zone = dns.zone.from_text(text, origin=ZONE + '.', relativize=False)

    def rdatas(name, rtype):
        return list(zone.get_node(name).get_rdataset(dns.rdataclass.IN, dns.rdatatype.from_text(rtype)))

    apex = ZONE + '.'
    soa = rdatas(apex, 'SOA')[0]
    assert (soa.mname.to_text(), soa.rname.to_text(), soa.minimum) == ('ns1.securityspace.net.', 'hostmaster.example.org.', 86400)
    assert len(rdatas(apex, 'NS')) == 4
    assert [r.address for r in rdatas(apex, 'A')] == ['192.0.2.1']
    assert [r.address for r in rdatas('*.dev.example.org.', 'A')] == ['192.0.2.2']
    assert [r.address for r in rdatas('www.example.org.', 'AAAA')] == ['2001:db8::1']
    assert rdatas('docs.example.org.', 'CNAME')[0].target.to_text() == 'www.example.org.'
    assert [(r.preference, r.exchange.to_text()) for r in rdatas(apex, 'MX')] == [(10, 'mail.example.net.')]
    assert rdatas(apex, 'TXT')[0].strings == (b'say "hi" \\ bye',)
    assert rdatas('dkim._domainkey.example.org.', 'TXT')[0].strings == (b'a' * 255, b'b' * 10)
    assert [(r.flags, r.tag, r.value) for r in rdatas(apex, 'CAA')] == [(0, b'issue', b'letsencrypt.org')]
    srv = rdatas('_imaps._tcp.mail.example.org.', 'SRV')[0]
    assert (srv.priority, srv.weight, srv.port, srv.target.to_text()) == (0, 1, 993, 'imap.example.net.')
    assert ss.error('dnsBuildZone', domain='nope.example') == 'noSuchDomain'


# -- security audits -------------------------------------------------------------------
def test_audit_lifecycle(ss):
    ss.configure(audit_duration=0.5, audit_findings={'192.0.2.7': {'high': 2, 'medium': 0, 'low': 1, 'other': 3}})
    assert ss.ok('saRunAudit', ipaddr='192.0.2.6-7', audittype='advanced', excludedos='1') == {'status': '0'}
    listing = ss.ok('saGetAuditList')
    assert listing['scancount'] == 2
    scans = listing['scans']
    assert [s['hostip'] for s in scans] == ['192.0.2.6', '192.0.2.7']
    assert all(s['folder'] == 'API' and s['type'] == 'advanced' and s['time_end'] == '' for s in scans)
    assert all(re.match(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$', s['time_queued']) for s in scans)
    uid = scans[1]['scanuid']
    assert uid.isdigit() and int(scans[0]['scanuid']) + 1 == int(uid)
    assert ss.error('saGetAuditReport', scanuid=uid) == 'reportLoadFailure[2]'
    assert ss.error('saGetAuditReport', scanuid='42') == 'reportLoadFailure[1]'
    assert ss.error('saGetAuditReport') == 'reportLoadFailure[1]'
    time.sleep(0.55)
    assert all(s['time_start'] and s['time_end'] for s in ss.ok('saGetAuditList')['scans'])
    info = ss.ok('saGetAuditReport', scanuid=uid)['scaninfo']
    basic = info['basic']
    assert set(basic) == {'detail_supplement', 'ejtime', 'hostip', 'merge', 'mergelist', 'promocode', 'qjtime', 'reporttype',
                          'scanattr', 'scanportstcp', 'scantype', 'scanuid', 'sjtime', 'title', 'totalnaslentries'}
    assert (basic['scanuid'], basic['hostip'], basic['scantype'], basic['scanattr']) == (int(uid), '192.0.2.7', 'advanced', 'excludedos')
    assert isinstance(basic['ejtime'], str) and isinstance(basic['qjtime'], int)
    assert info['risk'] == {'high': 2, 'medium': 0, 'low': 1, 'other': 3}
    assert sorted(info['entries']) == ['high', 'low', 'other']
    keys = [k for level in info['entries'].values() for k in level]
    assert keys == ['%s_%d' % (uid, n) for n in range(1, 7)]
    fields = {'repid', 'id', 'shortid', 'ip', 'port', 'cat', 'cve', 'entrykey', 'risk', 'shortkey', 'static_description',
              'description', 'title', 'type', 'baseline'}
    for level, entries in info['entries'].items():
        for key, entry in entries.items():
            assert set(entry) == fields and entry['risk'] == level and entry['entrykey'] == key and entry['ip'] == '192.0.2.7'
            assert entry['type'] == {'high': 'HOLE', 'low': 'NOTE', 'other': 'LOG'}[level]
    assert sum(info['riskcatgrid'].values()) == 6
    assert all(k.split(':')[1] in ('high', 'low', 'other') for k in info['riskcatgrid'])
    assert info['ports'] and all(set(p) == {'repid', 'hostip', 'portnum', 'portend', 'portprot', 'portservice'} for p in info['ports'])
    # findings are deterministic per address
    ss.ok('saRunAudit', ipaddr='192.0.2.7', audittype='basic')
    time.sleep(0.55)
    again = ss.ok('saGetAuditReport', scanuid=ss.ok('saGetAuditList')['scans'][-1]['scanuid'])['scaninfo']
    assert [e['id'] for lvl in again['entries'].values() for e in lvl.values()] == \
        [e['id'] for lvl in info['entries'].values() for e in lvl.values()]


def test_audit_errors_and_defaults(ss):
    ss.configure(audit_duration=0)
    assert ss.error('saRunAudit') == 'missingAuditType'
    assert ss.error('saRunAudit', audittype='ADVANCED') == 'invalidAuditType'
    assert ss.error('saRunAudit', audittype='full') == 'invalidAuditType'
    assert ss.error('saRunAudit', audittype='standard', ipaddr='8.8.8.8') == 'IPPermissionsProblem'
    assert ss.error('saRunAudit', audittype='standard', ipaddr='192.0.2.1,8.8.8.8') == 'IPPermissionsProblem'
    assert ss.error('saRunAudit', audittype='standard', ipaddr='10.0.*.*') == 'IPPermissionsProblem'  # > 1024
    assert ss.error('saRunAudit', audittype='standard', ipaddr='10.0.0') == 'IPPermissionsProblem'
    assert ss.error('saRunAudit', audittype='standard', ipaddr='10.0.0.9-3') == 'IPPermissionsProblem'
    assert ss.ok('saGetAuditList') == {'status': '0', 'scancount': 0, 'scans': []}
    ss.ok('saRunAudit', audittype='norisk')  # defaults to the caller's address
    ss.ok('saRunAudit', audittype='standard', ipaddr='10.1.1-2.32-33, 192.0.2.*')
    scans = ss.ok('saGetAuditList')['scans']
    assert scans[0]['hostip'] == '127.0.0.1' and len(scans) == 1 + 4 + 256
    assert ss.error('saRunAudit', audittype='norisk') == 'noriskAlreadyRun'
    assert ss.error('saRunAudit', audittype='norisk', ipaddr='127.0.0.2,127.0.0.1') == 'noriskAlreadyRun'
    ss.ok('saRunAudit', audittype='norisk', ipaddr='127.0.0.2')
    ss.configure(entitled_audit_types=['basic'], audit_allowed_cidrs=['192.0.2.0/24'])
    assert ss.error('saRunAudit', audittype='advanced', ipaddr='192.0.2.1') == 'notEntitled'
    assert ss.error('saRunAudit', audittype='basic', ipaddr='10.0.0.1') == 'IPPermissionsProblem'
    status, answer = ss.admin('config', {'entitled_audit_types': ['premium']})
    assert status == 400 and 'premium' in answer['error']


# -- counters, faults, admin -------------------------------------------------------------
def test_counters(ss):
    ss.add_domain()
    ss.ok('dnsAddA', domain=ZONE, name='a', ip='192.0.2.1')
    ss.error('dnsAddA', domain=ZONE, name='a', ip='bad')
    ss.records()
    ss.admin('state')
    ss.post('nope', {})
    counts = ss.counters()
    assert counts['counts'] == {'auth': 1, 'dnsAddDomain': 1, 'dnsAddA': 2, 'dnsGetDomainRecords': 1, 'nope': 1}
    assert (counts['total'], counts['writes']) == (6, 3)
    assert counts['statuses'] == {'200': 5, '404': 1}
    assert counts['by_endpoint'] == {'auth': {'200': 1}, 'dnsAddDomain': {'200': 1}, 'dnsAddA': {'200': 2},
                                     'dnsGetDomainRecords': {'200': 1}, 'nope': {'404': 1}}
    assert ss.admin('reset', {'counters_only': True}) == (200, {'reset': 'counters'})
    assert ss.counters() == {'counts': {}, 'total': 0, 'writes': 0, 'statuses': {}, 'by_endpoint': {}}
    assert len(ss.records(rtype='A')) == 1  # state survives a counters-only reset


def _a_records(ss):
    return sorted(r['data']['data'] for r in ss.records(rtype='A'))


@pytest.mark.parametrize('kind, status', [('http_429', 429), ('http_500', 500), ('http_502', 502), ('http_503', 503),
                                          ('http_504', 504)])
def test_http_faults_are_not_processed(ss, kind, status):
    ss.add_domain()
    ss.fault(endpoint='dnsAddA', kind=kind, retry_after=7)
    form = dict(BASE_FORMS['dnsAddA'], apikey=ss.env['SECURITYSPACE_API_KEY'], sessionToken=ss.token)
    response = ss.post('dnsAddA', form)
    assert response.status_code == status and str(status) in response.text
    assert response.headers.get('Retry-After') == ('7' if status == 429 else None)
    assert _a_records(ss) == []
    assert ss.counters()['counts']['dnsAddA'] == 1  # a faulted request still counts
    ss.ok('dnsAddA', **BASE_FORMS['dnsAddA'])  # count=1: the next one goes through
    assert _a_records(ss) == ['192.0.2.1']


def test_invalid_json_fault(ss):
    ss.add_domain()
    ss.fault(endpoint='dnsAddA', kind='invalid_json')
    form = dict(BASE_FORMS['dnsAddA'], apikey=ss.env['SECURITYSPACE_API_KEY'], sessionToken=ss.token)
    response = ss.post('dnsAddA', form)
    assert response.status_code == 200 and response.headers['Content-Type'] == 'application/json'
    with pytest.raises(ValueError):
        response.json()
    assert _a_records(ss) == []


@pytest.mark.parametrize('kind, status', [('http_500_after', 500), ('http_502_after', 502), ('http_503_after', 503),
                                          ('http_504_after', 504)])
def test_http_after_faults_are_processed(ss, kind, status):
    """A gateway that gives up after the backend wrote: the write lands, the answer is an error."""
    ss.add_domain()
    ss.fault(endpoint='dnsAddA', kind=kind, retry_after=7)
    form = dict(BASE_FORMS['dnsAddA'], apikey=ss.env['SECURITYSPACE_API_KEY'], sessionToken=ss.token)
    response = ss.post('dnsAddA', form)
    assert response.status_code == status
    assert response.text == 'Emulated fault: %d %s\n' % (status, response.reason)  # the plain kind's answer
    assert 'Retry-After' not in response.headers
    assert _a_records(ss) == ['192.0.2.1']  # processed before the error answer
    counters = ss.counters()
    assert counters['counts']['dnsAddA'] == 1 and counters['writes'] == 2  # dnsAddDomain + the faulted dnsAddA
    assert counters['statuses'][str(status)] == 1
    assert ss.admin('faults')[1]['pending'] == []
    ss.ok('dnsAddA', **dict(BASE_FORMS['dnsAddA'], ip='192.0.2.2'))  # count=1: the next one is answered normally
    assert _a_records(ss) == ['192.0.2.1', '192.0.2.2']


@pytest.mark.parametrize('kind, lands', [('invalid_json', False), ('invalid_json_after', True)])
def test_invalid_json_faults_before_and_after(ss, kind, lands):
    ss.add_domain()
    ss.fault(endpoint='dnsAddA', kind=kind)
    form = dict(BASE_FORMS['dnsAddA'], apikey=ss.env['SECURITYSPACE_API_KEY'], sessionToken=ss.token)
    response = ss.post('dnsAddA', form)
    assert response.status_code == 200 and response.headers['Content-Type'] == 'application/json'
    assert response.content == b'{"status": "0", "truncat'  # the same spoilt body either way
    assert _a_records(ss) == (['192.0.2.1'] if lands else [])
    assert ss.counters()['counts']['dnsAddA'] == 1


def test_after_faults_on_a_read_and_with_skip(ss):
    """On a read the answer is spoilt, the state untouched; skip/count/wildcard work as for every kind."""
    ss.add_domain()
    ss.ok('dnsAddA', **BASE_FORMS['dnsAddA'])
    first_seq = str(ss.records(rtype='A')[0]['seq'])
    ss.fault(endpoint='dnsGetDomainRecords', kind='http_504_after')
    assert ss.post('dnsGetDomainRecords', {'apikey': ss.env['SECURITYSPACE_API_KEY'], 'sessionToken': ss.token,
                                           'domain': ZONE}).status_code == 504
    assert _a_records(ss) == ['192.0.2.1']
    ss.fault(endpoint='*', kind='invalid_json_after', skip=1, count=2)
    ss.ok('dnsAddA', **dict(BASE_FORMS['dnsAddA'], ip='192.0.2.2'))  # skipped
    with pytest.raises(ValueError):
        ss.call('dnsAddA', **dict(BASE_FORMS['dnsAddA'], ip='192.0.2.3'))
    with pytest.raises(ValueError):
        ss.call('dnsDeleteRecord', seq=first_seq)
    assert ss.admin('faults')[1]['pending'] == []
    assert _a_records(ss) == ['192.0.2.2', '192.0.2.3']  # 192.0.2.1 was deleted behind the spoilt answer
    # auth, dnsAddDomain, 3 dnsAddA, 3 good reads, dnsDeleteRecord: the spoilt answers are 200s too
    assert ss.counters()['statuses'] == {'200': 9, '504': 1}


def test_after_fault_kinds_are_validated(ss):
    status, answer = ss.admin('faults', {'endpoint': 'dnsAddA', 'kind': 'http_429_after'})
    assert status == 400 and 'unknown fault kind' in answer['error']
    for kind in ('http_500_after', 'http_502_after', 'http_503_after', 'http_504_after', 'invalid_json_after'):
        assert kind in answer['error']
    status, answer = ss.admin('faults', {'endpoint': 'dnsAddA', 'kind': 'http_504_after', 'count': 2})
    assert status == 200 and answer['queued']['kind'] == 'http_504_after' and answer['queued']['count'] == 2


@pytest.mark.parametrize('kind, lands', [('drop', False), ('drop_after', True)])
def test_dropped_connections(ss, kind, lands):
    ss.add_domain()
    ss.fault(endpoint='dnsAddA', kind=kind)
    with pytest.raises(requests.exceptions.ConnectionError):
        ss.call('dnsAddA', **BASE_FORMS['dnsAddA'])
    assert _a_records(ss) == (['192.0.2.1'] if lands else [])
    assert ss.counters()['statuses']['closed'] == 1


def test_timeout_and_slow_faults(ss):
    ss.add_domain()
    ss.fault(endpoint='dnsAddA', kind='timeout', delay=0.6)
    started = time.time()
    with pytest.raises(requests.exceptions.ReadTimeout):
        ss.call('dnsAddA', timeout=0.3, **BASE_FORMS['dnsAddA'])
    time.sleep(max(0, 0.7 - (time.time() - started)))
    assert _a_records(ss) == []  # a timeout is never processed
    ss.fault(endpoint='dnsAddA', kind='slow', delay=0.3)
    started = time.time()
    ss.ok('dnsAddA', **BASE_FORMS['dnsAddA'])
    assert time.time() - started >= 0.3
    assert _a_records(ss) == ['192.0.2.1']


def test_fault_skip_count_wildcard_and_listing(ss):
    ss.add_domain()
    ss.fault(endpoint='dnsGetDomainRecords', kind='http_503', skip=1, count=2)
    ss.records()  # skipped
    assert ss.post('dnsGetDomainRecords', {}).status_code == 503
    pending = ss.admin('faults')[1]['pending']
    assert len(pending) == 1 and pending[0]['count'] == 1 and pending[0]['skip'] == 0
    assert ss.post('dnsGetDomainRecords', {}).status_code == 503
    assert ss.admin('faults')[1]['pending'] == []
    ss.records()
    ss.fault(endpoint='*', kind='error:dbConnectionFailure', count=5)
    assert ss.error('dnsGetDomainList') == 'dbConnectionFailure'
    assert ss.error('dnsAddA', **BASE_FORMS['dnsAddA']) == 'dbConnectionFailure'
    assert ss.admin('faults', method='DELETE') == (200, {'pending': []})
    ss.ok('dnsAddA', **BASE_FORMS['dnsAddA'])
    status, answer = ss.admin('faults', {'endpoint': 'dnsAddA', 'kind': 'explode'})
    assert status == 400 and 'unknown fault kind' in answer['error']
    status, answer = ss.admin('faults', {'kind': 'slow', 'count': 0})
    assert status == 400 and 'count' in answer['error']


def test_admin_reset_state_and_config(ss):
    ss.add_domain()
    ss.configure(hold_new_domains=True)
    ss.fault(kind='http_500', count=3)
    state = ss.admin('state')[1]
    assert list(state['domains']) == [ZONE] and state['sessions'][0]['sessionToken'] == ss.token
    assert 'password' not in json.dumps(state) and ss.env['SECURITYSPACE_PASSWORD'] not in json.dumps(state)
    status, answer = ss.admin('config', {'no_such_knob': 1})
    assert status == 400 and 'no_such_knob' in answer['error']
    assert ss.admin('config', {'distribution_delay': 'soon'})[0] == 400
    assert ss.admin('nope')[0] == 404
    assert ss.admin('reset', {}) == (200, {'reset': 'all'})
    assert ss.admin('faults')[1]['pending'] == []
    assert ss.admin('config')[1]['hold_new_domains'] is False
    assert ss.counters()['total'] == 0
    assert ss.post('dnsGetDomainList', {'apikey': ss.env['SECURITYSPACE_API_KEY'], 'sessionToken': ss.token}).json()['error'] == \
        'sessionAuthenticationFailure'  # sessions are state too
    ss.login()
    assert ss.ok('dnsGetDomainList')['domaincount'] == 0
    assert ss.admin('errors')[1] == {'errors': []}


def test_secrets_hold_credentials_and_tokens(running, ss):
    """secrets(): the API key and password it was started with, every session token, across resets."""
    app = running.emulators['securityspace']
    token = ss.login()
    assert {ss.env['SECURITYSPACE_API_KEY'], ss.env['SECURITYSPACE_PASSWORD'], token} <= app.secrets()
    assert ss.env['SECURITYSPACE_USERID'] not in app.secrets()  # a user name is not a secret
    assert ss.admin('reset', {}) == (200, {'reset': 'all'})
    assert ss.admin('state')[1]['sessions'] == []
    assert token in app.secrets()  # issued before the reset, still known
    status, answer = ss.admin('secrets')
    assert status == 200 and answer == {'secrets': sorted(app.secrets())}


def _publish(ss, zone=ZONE):
    answer = ss.call('dnsPublish', domain=zone)
    assert answer['status'] == '0', answer


def test_published_records(running, ss):
    """published_records() shows the zone as last published, not as last edited."""
    app = running.emulators['securityspace']
    ss.add_domain()
    ss.ok('dnsAddA', domain=ZONE, name='www', ip='192.0.2.1')
    assert app.published_records('www.example.org') == []  # added, never published
    _publish(ss)
    ss.ok('dnsAddA', domain=ZONE, name='www', ip='192.0.2.2')  # added after the publish
    ss.ok('dnsAddTXT', domain=ZONE, name='www', txtdata='v=spf1 -all')
    ss.ok('dnsAddMX', domain=ZONE, name='', mxname='mail', priority='10')
    published = app.published_records('WWW.Example.org.')
    assert [(r['name'], r['type'], r['value'], r['ttl']) for r in published] == \
        [('www.example.org.', 'A', '192.0.2.1', 86400)]
    assert published[0]['data'] == {'name': 'www', 'data': '192.0.2.1'} and isinstance(published[0]['seq'], int)
    assert app.published_records('www.example.org', 'txt') == []
    assert app.published_records('example.org', 'MX') == []
    # the apex as published: SOA with the published serial, the four default name servers
    soa = app.published_records('example.org', 'SOA')
    serial = int(time.strftime('%Y%m%d', time.gmtime())) * 100 + 1
    assert [r['value'] for r in soa] == ['ns1.securityspace.net. hostmaster.example.org. %d 10800 3600 604800 86400' % serial]
    assert len(app.published_records('example.org.', 'ns')) == 4
    assert all(r['type'] != 'Options' for r in app.published_records('example.org'))
    # a delete is not seen until the next publish either
    seq = next(r['seq'] for r in ss.records(rtype='A') if r['data']['data'] == '192.0.2.1')
    ss.ok('dnsDeleteRecord', seq=seq)
    assert [r['value'] for r in app.published_records('www.example.org', 'A')] == ['192.0.2.1']
    _publish(ss)
    assert [r['value'] for r in app.published_records('www.example.org', 'A')] == ['192.0.2.2']
    assert [r['value'] for r in app.published_records('www.example.org', 'TXT')] == ['"v=spf1 -all"']
    assert [r['value'] for r in app.published_records('example.org', 'MX')] == ['10 mail.example.org.']  # absolute
    # a failed publish keeps the last good one
    ss.ok('dnsAddCNAME', domain=ZONE, alias='www', name='elsewhere.example.net.')
    assert ss.call('dnsPublish', domain=ZONE)['status'] == '-1'  # CNAME and other data
    assert [r['type'] for r in app.published_records('www.example.org')] == ['A', 'TXT']
    # names outside any published zone, a deleted zone, a reset
    assert app.published_records('example.net') == [] and app.published_records('org') == []
    ss.add_domain('sub.example.org')
    ss.ok('dnsAddA', domain='sub.example.org', name='', ip='192.0.2.9')
    assert app.published_records('sub.example.org', 'A') == []  # that zone is not published: the parent has nothing there
    _publish(ss, 'sub.example.org')
    assert [r['value'] for r in app.published_records('sub.example.org', 'A')] == ['192.0.2.9']
    ss.ok('dnsDeleteDomain', domain='sub.example.org')
    assert app.published_records('sub.example.org', 'A') == []
    ss.admin('reset', {})
    assert app.published_records('www.example.org') == []


def test_published_records_idn_and_copies(running, ss):
    app = running.emulators['securityspace']
    ss.add_domain('xn--bcher-kva.example')
    ss.ok('dnsAddA', domain='xn--bcher-kva.example', name='', ip='192.0.2.7')
    _publish(ss, 'xn--bcher-kva.example')
    assert [r['value'] for r in app.published_records('Bücher.example', 'A')] == ['192.0.2.7']
    app.published_records('xn--bcher-kva.example', 'A')[0]['data']['data'] = '203.0.113.1'  # a copy: read-only
    assert [r['value'] for r in app.published_records('xn--bcher-kva.example', 'A')] == ['192.0.2.7']


def test_world_receiver_entry_and_env(tmp_path):
    """One world: every app sees the others; the receiver is an ordinary app; env names as before."""
    assert emulator_harness.resolve(['hardenize']) == ['hardenize', 'receiver']  # a companion
    assert emulator_harness.resolve('securityspace') == ['securityspace']
    assert emulator_harness.resolve(None) == ['securityspace', 'hardenize', 'receiver', 'sigsci', 'virusdie', 'cyberssl']
    with pytest.raises(ValueError):
        emulator_harness.resolve(['nope'])
    running = emulator_harness.start(str(tmp_path))
    try:
        apps = running.emulators
        assert sorted(apps) == ['cyberssl', 'hardenize', 'receiver', 'securityspace', 'sigsci', 'virusdie']
        assert running.world.names() == ['cyberssl', 'hardenize', 'receiver', 'securityspace', 'sigsci', 'virusdie']
        for app in apps.values():
            assert app.world is running.world
        assert apps['hardenize'].world.app('securityspace') is apps['securityspace']
        assert apps['securityspace'].peer('receiver') is apps['receiver'] is running.receiver
        assert apps['hardenize'].peer('nope') is None
        env = running.env()
        assert set(env) == {'DOMAINSEC_CA_PATH', 'SECURITYSPACE_API_URL', 'SECURITYSPACE_API_KEY', 'SECURITYSPACE_USERID',
                            'SECURITYSPACE_PASSWORD', 'EMULATOR_SECURITYSPACE_ADMIN', 'HARDENIZE_API_URL', 'HARDENIZE_ORG',
                            'HARDENIZE_API_USER', 'HARDENIZE_API_PASSWORD', 'EMULATOR_HARDENIZE_ADMIN',
                            'HARDENIZE_TEST_RECEIVER_URL', 'EMULATOR_RECEIVER_ADMIN', 'SIGSCI_API_URL', 'SIGSCI_EMAIL',
                            'SIGSCI_TOKEN', 'SIGSCI_CORP', 'EMULATOR_SIGSCI_ADMIN', 'VIRUSDIE_API_URL', 'VIRUSDIE_API_KEY',
                            'VIRUSDIE_MAC_KEY', 'VIRUSDIE_NOMAC_API_KEY', 'VIRUSDIE_LIMITED_API_KEY',
                            'EMULATOR_VIRUSDIE_ADMIN', 'CYBERSSL_API_URL', 'CYBERSSL_API_KEY', 'EMULATOR_CYBERSSL_ADMIN'}
        assert env['EMULATOR_RECEIVER_ADMIN'] == running.urls['receiver'] + '/_receiver'  # the receiver's own admin
        assert running.admin_urls['receiver'] == running.urls['receiver'] + '/_emulator'
        assert running.servers['receiver'].log_path == os.path.join(str(tmp_path), 'receiver.log')
    finally:
        running.stop()
    assert running.world.app('securityspace') is None and running.world.names() == []


def test_serve_cli(tmp_path):
    serve = os.path.join(os.path.dirname(emulator_harness.__file__), 'serve.py')
    process = subprocess.Popen([sys.executable, serve, '--state-dir', str(tmp_path), '--vendors', 'securityspace'],
                               stdout=subprocess.PIPE, universal_newlines=True, cwd=str(tmp_path),
                               env=dict(os.environ, SECURITYSPACE_API_KEY='P' * 40))
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith('# emulators running'):
                break
        env = dict(re.match(r"^export (\w+)='(.*)'$", line).groups() for line in lines if line.startswith('export '))
        assert env['SECURITYSPACE_API_KEY'] == 'P' * 40  # preset credentials are kept
        assert (tmp_path / 'env.sh').read_text() == ''.join(lines[:-1])
        assert (tmp_path / 'emulators.pid').read_text().strip() == str(process.pid)
        session = requests.Session()
        session.trust_env = False
        answer = session.post(env['SECURITYSPACE_API_URL'] + '/auth.php', verify=env['DOMAINSEC_CA_PATH'], timeout=5,
                              data={'apikey': env['SECURITYSPACE_API_KEY'], 'userid': env['SECURITYSPACE_USERID'],
                                    'password': env['SECURITYSPACE_PASSWORD']}).json()
        session.close()
        assert answer['status'] == '0'
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
        process.stdout.close()
    assert not (tmp_path / 'emulators.pid').exists()
