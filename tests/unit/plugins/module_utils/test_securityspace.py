# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the SecuritySpace client (plugins/module_utils/securityspace.py).

The HTTP layer is faked below ``requests``: a transport adapter mounted on the
client's own ``requests.Session`` answers like the vendor, so the real request
path runs (form encoding, the transport's retries and write guard, redaction)
without a network. Expected values come from the vendor's REST API guide
(../shared/vendor-api/securityspace-rest-api.txt) and docs/securityspace.md.
"""

import ipaddress
import re
from urllib.parse import urlsplit

import pytest
import requests

from unit.fake_http import FakeHttp

from ansible_collections.domainsec.onboard.plugins.module_utils import dns_records as dr
from ansible_collections.domainsec.onboard.plugins.module_utils import http_transport as H
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace as ss
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace_audit as sa
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace_dns as sd

API_URL = 'https://api.test/api'
API_KEY = 'WjN5ZkVoWm9KS2FvaHVGbE5VQ2loeHdP'  # the guide's sample key
USERID = 'onboard-user'
PASSWORD = 'Pa55&w0rd=+x y'  # characters that only survive real form encoding
ZONE = 'example.com'


def token(n):
    return 'VhvF93vCXKScVlxdh2332343j4oFdXC8R7lkF3%02d' % n


def endpoint(sent):
    """The SecuritySpace endpoint of a request: ``.../dnsAddA.php`` -> dnsAddA."""
    return sent.path.rsplit('/', 1)[-1][:-len('.php')]


class FakeSecuritySpace(FakeHttp):
    """Answers like the vendor: scripted outcomes per endpoint, else success; ``auth`` hands out token(1), token(2)..."""

    def __init__(self):
        super(FakeSecuritySpace, self).__init__(key_of=endpoint, default=self.success)
        self.tokens = 0

    def success(self, sent):
        if endpoint(sent) == 'auth':
            self.tokens += 1
            return {'status': '0', 'sessionToken': token(self.tokens)}
        return {'status': '0'}

    def endpoints(self):
        return self.keys()


def make_client(api_url=API_URL, password=PASSWORD, retries=2):
    sleeps = []
    http = H.HttpClient(ss.VENDOR, retries=retries, sleep=sleeps.append, secrets=[API_KEY, password])
    fake = FakeSecuritySpace().mount(http)
    client = ss.SecuritySpaceClient(http, dict(api_url=api_url, api_key=API_KEY, userid=USERID, password=password))
    http.auth = client.make_auth()
    return client, fake


def dropped():
    return requests.exceptions.ConnectionError('Connection aborted. RemoteDisconnected')


def domain_answer(records=None, state=0):
    return {'status': '0', 'domain': ZONE, 'state': state, 'stateText': ss.DOMAIN_STATES[state], 'records': records or []}


A_PARAMS = {'domain': ZONE, 'name': 'www', 'ip': '192.0.2.10'}


# -- request shape and authentication ------------------------------------------------
@pytest.mark.parametrize('api_url', [API_URL, API_URL + '/'])
def test_first_call_authenticates_then_posts_form_encoded_to_the_endpoint(api_url):
    client, fake = make_client(api_url=api_url)
    client.read('dnsBuildZone', {'domain': ZONE})
    assert fake.endpoints() == ['auth', 'dnsBuildZone']
    auth, call = fake.sent
    for sent, endpoint in ((auth, 'auth'), (call, 'dnsBuildZone')):
        assert sent.method == 'POST'
        assert sent.url == '%s/%s.php' % (API_URL, endpoint)
        assert urlsplit(sent.url).query == ''
        assert sent.headers['Content-Type'] == 'application/x-www-form-urlencoded'
    assert auth.form == {'apikey': API_KEY, 'userid': USERID, 'password': PASSWORD}
    assert call.form == {'apikey': API_KEY, 'sessionToken': token(1), 'domain': ZONE}


def test_session_token_is_reused_and_apikey_sent_on_every_call():
    client, fake = make_client()
    client.list_domains()
    client.get_domain(ZONE)
    client.write('add_record', 'dnsAddA', A_PARAMS)
    client.publish(ZONE)
    assert fake.endpoints() == ['auth', 'dnsGetDomainList', 'dnsGetDomainRecords', 'dnsAddA', 'dnsPublish']
    assert client.auth_count == 1
    assert all(s.form['apikey'] == API_KEY for s in fake.sent)
    assert [s.form['sessionToken'] for s in fake.sent[1:]] == [token(1)] * 4


def test_parameters_set_to_none_are_not_sent():
    client, fake = make_client()
    client.write('set_soa', 'dnsSetSOA', {'domain': ZONE, 'admin': None, 'ttl': '3600'})
    assert fake.to('dnsSetSOA')[0].form == {'apikey': API_KEY, 'sessionToken': token(1), 'domain': ZONE, 'ttl': '3600'}


@pytest.mark.parametrize('status', ['0', 0])
def test_status_zero_as_string_or_number_is_success(status):
    client, fake = make_client()
    fake.on('dnsBuildZone', {'status': status, 'zone': '$ORIGIN example.com.\n'})
    assert client.build_zone(ZONE) == '$ORIGIN example.com.\n'


def test_refused_login_fails_with_the_vendor_code_and_sends_nothing_else():
    client, fake = make_client()
    fake.on('auth', {'status': '-1', 'error': 'invalidLogin'})
    with pytest.raises(ss.SecuritySpaceError) as err:
        client.list_domains()
    assert err.value.code == 'invalidLogin' and err.value.endpoint == 'auth'
    assert re.search(r'^SecuritySpace refused auth \(invalidLogin\): Login incorrect.*userid/password', str(err.value))
    assert fake.endpoints() == ['auth']
    assert client.session_token is None


def test_auth_success_without_a_token_is_an_error():
    client, fake = make_client()
    fake.on('auth', {'status': '0'})
    with pytest.raises(H.DomainsecError, match='without a sessionToken'):
        client.list_domains()
    assert fake.endpoints() == ['auth']


# -- expired / invalid sessions --------------------------------------------------------
@pytest.mark.parametrize('code', ['sessionTimeout', 'sessionAuthenticationFailure'])
def test_session_error_reauthenticates_once_and_repeats_the_read(code):
    client, fake = make_client()
    fake.on('dnsGetDomainList', {'status': '-1', 'error': code},
            {'status': '0', 'domaincount': 1, 'domains': {'101': {'domain': ZONE, 'seq': 101, 'state': 3}}})
    _answer, domains = client.list_domains()
    assert [d['domain'] for d in domains] == [ZONE]
    assert fake.endpoints() == ['auth', 'dnsGetDomainList', 'auth', 'dnsGetDomainList']
    assert [s.form['sessionToken'] for s in fake.to('dnsGetDomainList')] == [token(1), token(2)]
    client.build_zone(ZONE)  # the new token is kept
    assert fake.endpoints()[4:] == ['dnsBuildZone'] and fake.sent[4].form['sessionToken'] == token(2)
    assert client.auth_count == 2


def test_second_session_error_gives_up_with_the_vendor_code():
    client, fake = make_client()
    fake.on('dnsGetDomainList', {'status': '-1', 'error': 'sessionTimeout'}, {'status': '-1', 'error': 'sessionTimeout'})
    with pytest.raises(ss.SecuritySpaceError) as err:
        client.list_domains()
    assert err.value.code == 'sessionTimeout'
    assert 'session token has expired' in str(err.value)
    assert fake.endpoints() == ['auth', 'dnsGetDomainList', 'auth', 'dnsGetDomainList']


def test_reauthentication_refused_is_reported_as_the_login_error():
    client, fake = make_client()
    fake.on('dnsGetDomainList', {'status': '-1', 'error': 'sessionAuthenticationFailure'})
    fake.on('auth', {'status': '0', 'sessionToken': token(1)}, {'status': '-1', 'error': 'invalidLogin'})
    with pytest.raises(ss.SecuritySpaceError) as err:
        client.list_domains()
    assert err.value.code == 'invalidLogin'
    assert fake.endpoints() == ['auth', 'dnsGetDomainList', 'auth']


def test_write_refused_for_its_session_is_sent_again_after_reauthentication():
    # docs/securityspace.md: a session error is answered before anything is done, so the write is repeated once.
    client, fake = make_client()
    fake.on('dnsAddA', {'status': '-1', 'error': 'sessionTimeout'})
    assert client.write('add_record', 'dnsAddA', A_PARAMS) == {'status': '0'}
    assert fake.endpoints() == ['auth', 'dnsAddA', 'auth', 'dnsAddA']
    assert [s.form['ip'] for s in fake.to('dnsAddA')] == ['192.0.2.10'] * 2


def test_write_refused_by_the_vendor_is_not_sent_again():
    client, fake = make_client()
    fake.on('dnsAddA', {'status': '-1', 'error': 'syntaxInvalidIP'})
    with pytest.raises(ss.SecuritySpaceError) as err:
        client.write('add_record', 'dnsAddA', A_PARAMS, landed=lambda: pytest.fail('a refused write needs no re-read'))
    # The message CONVENTIONS.md gives as the example.
    assert str(err.value) == 'SecuritySpace refused dnsAddA (syntaxInvalidIP): The IP address is not valid.'
    assert len(fake.to('dnsAddA')) == 1


def test_write_with_unknown_outcome_that_landed_is_not_sent_again():
    client, fake = make_client()
    fake.on('dnsAddA', dropped())
    fake.on('dnsGetDomainRecords', domain_answer({'5001': {'seq': '5001', 'type': 'A', 'data': {'name': 'www', 'data': '192.0.2.10'}}}))

    def landed():
        return [r for r in client.get_domain(ZONE)['records'] if r['type'] == 'A']
    assert client.write('add_record', 'dnsAddA', A_PARAMS, landed=landed) == [
        {'seq': '5001', 'type': 'A', 'data': {'name': 'www', 'data': '192.0.2.10'}}]
    assert fake.endpoints() == ['auth', 'dnsAddA', 'dnsGetDomainRecords']


def test_write_with_unknown_outcome_is_sent_again_only_after_a_reread_shows_it_missing():
    client, fake = make_client()
    fake.on('dnsAddA', dropped())
    fake.on('dnsGetDomainRecords', domain_answer([]))
    result = client.write('add_record', 'dnsAddA', A_PARAMS, landed=lambda: client.get_domain(ZONE)['records'])
    assert result == {'status': '0'}
    assert fake.endpoints() == ['auth', 'dnsAddA', 'dnsGetDomainRecords', 'dnsAddA']


@pytest.mark.parametrize('failure', [(503, b'{"status": "-1"}'), (200, b'<html>busy</html>'), dropped()])
def test_write_without_a_reread_is_never_resent_blindly(failure):
    client, fake = make_client()
    fake.on('dnsAddA', failure)
    with pytest.raises(H.WriteOutcomeUnknown):
        client.write('add_record', 'dnsAddA', A_PARAMS)
    assert fake.endpoints() == ['auth', 'dnsAddA']


@pytest.mark.parametrize('failure', [(503, b'{"status": "-1"}'), (200, b'<html>busy</html>'), dropped()])
def test_reads_and_auth_are_retried_on_transient_failures(failure):
    client, fake = make_client()
    fake.on('auth', failure)
    fake.on('dnsGetDomainList', failure)
    client.list_domains()
    assert fake.endpoints() == ['auth', 'auth', 'dnsGetDomainList', 'dnsGetDomainList']


# -- status and error codes ---------------------------------------------------------
# (endpoint, code, the meaning in the vendor's error table, as a regex)
VENDOR_ERRORS = [
    ('dnsGetDomainList', 'dnsEntitlementsOrCreditsMissing', r'subscription has expired.*credits'),
    ('dnsAddMX', 'syntaxInvalidPriority', r'priority'),
    ('dnsDeleteRecord', 'recordNotDeleted', r'not deleted.*sequence number'),
    ('saRunAudit', 'IPPermissionsProblem', r'one or more addresses.*rejected'),
    ('saRunAudit', 'noriskAlreadyRun', r'one no.risk audit per IP address per month'),
    ('dnsAddDomain', 'mustAcceptAUP', r'(AUP|acceptable use policy).* not accepted'),
    ('dnsAddDomain', 'unableToAddDuplicate', r'already in this account'),
    ('dnsAddCAA', 'syntaxInvalidFlag', r'0-255'),
    ('dnsSetOptions', 'logicAlsoNotifyRequiresNotify', r'(?i)alsonotify requires.*notify'),
    ('dnsBuildZone', 'invalid apikey format', r'not a valid API key'),
    ('dnsBuildZone', 'noSuchDomain', r'does not exist in (your|this) account'),
]


@pytest.mark.parametrize('endpoint, code, meaning', VENDOR_ERRORS)
def test_vendor_error_carries_its_code_and_documented_meaning(endpoint, code, meaning):
    client, fake = make_client()
    answer = {'status': '-1', 'error': code}
    fake.on(endpoint, answer)
    with pytest.raises(ss.SecuritySpaceError) as err:
        client.read(endpoint, {'domain': ZONE})
    exc = err.value
    assert isinstance(exc, H.ApiError)
    assert (exc.code, exc.endpoint, exc.vendor) == (code, endpoint, 'SecuritySpace')
    assert str(exc).startswith('SecuritySpace refused %s (%s): ' % (endpoint, code))
    assert re.search(meaning, str(exc)), str(exc)
    assert exc.details == answer
    assert exc.as_result() == {'msg': str(exc), 'error_code': code}
    assert len(fake.to(endpoint)) == 1


# Every code in the guide's error tables.
DOCUMENTED_CODES = [
    'notSSL', 'invalid apikey format', 'invalid apikey - not in db', 'missing credentials', 'invalidLogin',
    'sysErrEntitlementLoad', 'tokenCreation', 'sysErrdoLogin', 'sessionTimeout', 'sessionAuthenticationFailure',
    'missingAuditType', 'invalidAuditType', 'IPPermissionsProblem', 'missingScanClientsRec', 'notEntitled',
    'noriskAlreadyRun', 'dbConnectionFailure', 'dnsEntitlementsOrCreditsMissing', 'dnsDomainRetrievalFailure',
    'noSuchDomain', 'mustAcceptAUP', 'syntaxInvalidDomain', 'syntaxInvalidDomainType', 'unableToAddSystem',
    'unspecifiedError', 'unableToAddDuplicate', 'domainNotDeleted', 'syntaxInvalidSeq', 'recordNotDeleted',
    'syntaxInvalidHostname', 'syntaxInvalidIP', 'syntaxInvalidCNAME', 'syntaxInvalidMX', 'syntaxInvalidPriority',
    'syntaxInvalidSubdomain', 'syntaxInvalidFlag', 'syntaxInvalidTag', 'syntaxInvalidTxtname', 'syntaxInvalidTxtdata',
    'syntaxInvalidSrvc', 'syntaxInvalidProt', 'syntaxInvalidTarget', 'syntaxInvalidWeight', 'syntaxInvalidPort',
    'missingInput', 'syntaxInvalidTTL', 'syntaxInvalidAdmin', 'syntaxInvalidMasters', 'syntaxInvalidAllowtransferacl',
    'syntaxInvalidNotify', 'syntaxInvalidAlsoNotify', 'logicAlsoNotifyRequiresNotify',
]


def test_every_documented_error_code_has_a_meaning():
    unknown = [c for c in DOCUMENTED_CODES if ss.error_meaning(c) == ss.error_meaning('surelyNotAVendorCode')]
    assert unknown == []
    assert ss.error_meaning('surelyNotAVendorCode') == 'Unknown error code.'


def test_report_load_failure_keeps_its_detail_code():
    client, fake = make_client()
    fake.on('saGetAuditReport', {'status': '-1', 'error': 'reportLoadFailure[2]'})
    with pytest.raises(ss.SecuritySpaceError) as err:
        client.get_report('1100005104')
    assert err.value.code == 'reportLoadFailure[2]'
    assert 'failed to load' in str(err.value) and 'reportLoadFailure[2]' in str(err.value)
    assert fake.to('saGetAuditReport')[0].form['scanuid'] == '1100005104'


def test_error_answer_without_a_code_still_fails():
    client, fake = make_client()
    fake.on('dnsBuildZone', {'status': '-1'})
    with pytest.raises(ss.SecuritySpaceError) as err:
        client.build_zone(ZONE)
    assert err.value.code is None
    assert str(err.value).startswith('SecuritySpace refused dnsBuildZone') and 'no error code given' in str(err.value)


def test_error_answer_with_a_non_string_code_is_a_vendor_error():
    client, fake = make_client()
    fake.on('dnsBuildZone', {'status': '-1', 'error': -1})
    with pytest.raises(ss.SecuritySpaceError):
        client.build_zone(ZONE)


@pytest.mark.parametrize('status, body', [
    (404, b'{"status": "-1", "error": "unknownApi"}'),
    (500, b'Internal Server Error'),
    (200, b'["not", "an", "object"]'),
    (200, b''),
])
def test_answer_that_is_not_a_json_object_on_http_200_is_a_clear_error(status, body):
    client, fake = make_client()
    fake.on('dnsBuildZone', (status, body))
    with pytest.raises(H.DomainsecError) as err:
        client.build_zone(ZONE)
    assert not isinstance(err.value, ss.SecuritySpaceError)
    assert 'SecuritySpace answered dnsBuildZone with no envelope of its API (HTTP %d)' % status in str(err.value)
    assert err.value.status == status


# -- secrets -------------------------------------------------------------------------
def test_api_key_and_password_are_secrets_from_the_start_and_the_token_once_known():
    client, fake = make_client()
    assert client.http.redactor.text('k=%s p=%s' % (API_KEY, PASSWORD)) == 'k=%s p=%s' % (H.REDACTED, H.REDACTED)
    assert client.http.redactor.text(token(1)) == token(1)
    client.list_domains()
    assert client.http.redactor.text('t=' + token(1)) == 't=' + H.REDACTED
    fake.on('dnsBuildZone', {'status': '-1', 'error': 'sessionAuthenticationFailure'})
    client.build_zone(ZONE)  # a new token after re-authentication is a secret too
    assert client.http.redactor.text(token(2)) == H.REDACTED


def test_trace_never_shows_credentials_or_tokens():
    client, fake = make_client()
    fake.on('dnsGetDomainList', {'status': '-1', 'error': 'sessionTimeout'})
    fake.on('dnsAddA', {'status': '-1', 'error': 'syntaxInvalidIP', 'echo': 'sessionToken=%s' % token(2)})
    client.list_domains()
    with pytest.raises(ss.SecuritySpaceError):
        client.write('add_record', 'dnsAddA', A_PARAMS)
    trace = '\n'.join(client.http.trace)
    assert len(client.http.trace) == len(fake.sent) == 5
    for secret in (API_KEY, PASSWORD, token(1), token(2)):
        assert secret not in trace
    # The credentials are added to the form as it goes out, after the trace line is written: they never show.
    assert H.REDACTED in trace and '"name": "www"' in trace and 'auth.php' in trace


def test_http_error_message_redacts_echoed_secrets():
    client, fake = make_client()
    client.list_domains()
    fake.on('dnsBuildZone', (500, ('error for apikey=%s password=%s sessionToken=%s' % (API_KEY, PASSWORD, token(1))).encode()))
    with pytest.raises(H.DomainsecError) as err:
        client.build_zone(ZONE)
    for secret in (API_KEY, PASSWORD, token(1)):
        assert secret not in str(err.value)
    assert str(err.value).count(H.REDACTED) == 3


def test_http_error_message_redacts_a_non_ascii_password():
    password = 'pässwört-1'
    client, fake = make_client(password=password)
    fake.on('dnsBuildZone', (500, ('bad login %s' % password).encode('utf-8')))
    with pytest.raises(H.DomainsecError) as err:
        client.build_zone(ZONE)
    message = str(err.value)
    assert password not in message
    assert 'p\\xc3\\xa4ssw\\xc3\\xb6rt-1' not in message  # the same password, escaped


def test_http_error_message_does_not_show_part_of_a_secret_cut_off_by_truncation():
    client, fake = make_client()
    fake.on('dnsBuildZone', (500, ('x' * 190 + API_KEY).encode()))
    with pytest.raises(H.DomainsecError) as err:
        client.build_zone(ZONE)
    assert API_KEY[:10] not in str(err.value)


def test_argument_spec_hides_secrets_and_reads_the_environment():
    spec = ss.SecuritySpaceClient.argument_spec()
    assert spec['api_key']['no_log'] is True and spec['password']['no_log'] is True
    assert not spec['userid'].get('no_log')
    assert spec['api_key']['fallback'][1] == ['SECURITYSPACE_API_KEY']
    assert spec['password']['fallback'][1] == ['SECURITYSPACE_PASSWORD']
    assert spec['userid']['fallback'][1] == ['SECURITYSPACE_USERID']
    assert spec['api_url']['default'] == 'https://secure1.securityspace.com/api'
    assert set(H.transport_argument_spec()) <= set(spec)


def _params(**override):
    params = dict(api_key=API_KEY, userid=USERID, password=PASSWORD, api_url=API_URL + '/', validate_certs=True,
                  ca_path=None, timeout=30, retries=3, rate_limit_wait=120)
    params.update(override)
    return params


@pytest.mark.parametrize('override, message', [
    (dict(api_url='http://api.test/api'), 'https://'),
    (dict(timeout=0), 'timeout'),
    (dict(retries=11), 'retries'),
])
def test_from_params_rejects_bad_connection_options(override, message):
    with pytest.raises(H.DomainsecError, match=message):
        ss.SecuritySpaceClient.from_params(_params(**override))


def test_from_params_builds_a_client_with_its_secrets_registered():
    client = ss.SecuritySpaceClient.from_params(_params())
    assert client.base == API_URL
    assert ss.SecuritySpaceClient.secret_options() == ['api_key', 'password']
    assert client.http.redactor.text(API_KEY + PASSWORD) == H.REDACTED * 2
    assert client.session_token is None and client.auth_count == 0  # no request until the first call
    client.http.close()


# -- DNS calls --------------------------------------------------------------------------
def test_list_domains_orders_by_numeric_seq_and_accepts_php_empty_objects():
    client, fake = make_client()
    fake.on('dnsGetDomainList',
            {'status': '0', 'domaincount': 3, 'domains': {
                '110': {'domain': 'c.example', 'seq': 110, 'state': 3},
                '9': {'domain': 'a.example', 'seq': 9, 'state': 0},
                '101': {'domain': 'b.example', 'seq': 101, 'state': 2}}},
            {'status': '0', 'domaincount': 0, 'domains': []},
            {'status': '0', 'domaincount': 0})
    answer, domains = client.list_domains()
    assert answer['domaincount'] == 3
    assert [d['seq'] for d in domains] == [9, 101, 110]
    assert client.list_domains()[1] == []
    assert client.list_domains()[1] == []


def test_get_domain_returns_records_as_a_list_with_string_seqs():
    client, fake = make_client()
    fake.on('dnsGetDomainRecords', domain_answer({
        '5001': {'seq': '5001', 'type': 'SOA', 'data': {'mail': 'hostmaster.example.com.', 'min': 86400}},
        '5007': {'type': 'A', 'data': {'name': 'www', 'data': '192.0.2.10'}},
    }))
    answer = client.get_domain(ZONE)
    assert fake.to('dnsGetDomainRecords')[0].form['domain'] == ZONE
    assert sorted((r['seq'], r['type']) for r in answer['records']) == [('5001', 'SOA'), ('5007', 'A')]


def test_get_domain_not_in_the_account_is_none_other_errors_raise():
    client, fake = make_client()
    fake.on('dnsGetDomainRecords', {'status': '-1', 'error': 'noSuchDomain'},
            {'status': '-1', 'error': 'dnsDomainRetrievalFailure'})
    assert client.get_domain(ZONE) is None
    with pytest.raises(ss.SecuritySpaceError) as err:
        client.get_domain(ZONE)
    assert err.value.code == 'dnsDomainRetrievalFailure'


def test_publish_success_returns_its_warnings():
    client, fake = make_client()
    fake.on('dnsPublish', {'status': '0', 'warnings': ['www has no A record'], 'errors': []})
    assert client.publish(ZONE) == {'published': True, 'warnings': ['www has no A record'], 'errors': []}
    assert fake.to('dnsPublish')[0].form['domain'] == ZONE


def test_publish_validation_errors_are_returned_and_fail_the_task_check():
    client, fake = make_client()
    fake.on('dnsPublish', {'status': '-1', 'errors': ['CNAME at the apex', 'bad MX'], 'warnings': []})
    result = client.publish(ZONE)
    assert result == {'published': False, 'warnings': [], 'errors': ['CNAME at the apex', 'bad MX']}
    check = ss.publish_problem(ZONE)
    assert check({'publish': result}) == 'SecuritySpace refused to publish example.com: CNAME at the apex; bad MX'
    assert check({'publish': {'published': True, 'warnings': ['w'], 'errors': []}}) is None
    assert check({}) is None
    fake.on('dnsPublish', {'status': '0', 'errors': ['bad MX'], 'warnings': []})  # errors mean not published
    assert client.publish(ZONE) == {'published': False, 'warnings': [], 'errors': ['bad MX']}


def test_publish_whose_answer_was_lost_is_not_sent_again_when_the_zone_reads_as_published():
    client, fake = make_client()
    fake.on('dnsPublish', dropped())
    fake.on('dnsGetDomainRecords', domain_answer(state=2))
    result = client.publish(ZONE)
    assert result['published'] is True and result['errors'] == []
    assert len(result['warnings']) == 1 and 'lost' in result['warnings'][0]
    assert fake.endpoints() == ['auth', 'dnsPublish', 'dnsGetDomainRecords']


@pytest.mark.parametrize('reread', [domain_answer(state=0), domain_answer(state=1), {'status': '-1', 'error': 'noSuchDomain'}])
def test_publish_whose_answer_was_lost_is_sent_again_when_the_zone_still_needs_it(reread):
    client, fake = make_client()
    fake.on('dnsPublish', dropped(), {'status': '0', 'warnings': [], 'errors': []})
    fake.on('dnsGetDomainRecords', reread)
    assert client.publish(ZONE) == {'published': True, 'warnings': [], 'errors': []}
    assert fake.endpoints() == ['auth', 'dnsPublish', 'dnsGetDomainRecords', 'dnsPublish']


def test_publish_envelope_error_raises_with_its_code():
    client, fake = make_client()
    fake.on('dnsPublish', {'status': '-1', 'error': 'noSuchDomain'})
    with pytest.raises(ss.SecuritySpaceError) as err:
        client.publish(ZONE)
    assert err.value.code == 'noSuchDomain' and err.value.endpoint == 'dnsPublish'


def test_publish_with_an_expired_session_reauthenticates():
    client, fake = make_client()
    fake.on('dnsPublish', {'status': '-1', 'error': 'sessionTimeout'}, {'status': '0', 'warnings': [], 'errors': []})
    assert client.publish(ZONE)['published'] is True
    assert fake.endpoints() == ['auth', 'dnsPublish', 'auth', 'dnsPublish']


def test_publish_refused_without_any_reason_is_not_silent():
    # A refusal with neither an error code nor validation errors raises (it is never returned as "not published",
    # which a caller could read as nothing to report), and the message says that no code was given.
    client, fake = make_client()
    fake.on('dnsPublish', {'status': '-1'})
    with pytest.raises(ss.SecuritySpaceError) as err:
        client.publish(ZONE)
    assert err.value.code is None and err.value.endpoint == 'dnsPublish'
    assert str(err.value) == 'SecuritySpace refused dnsPublish (None): no error code given'
    assert fake.endpoints() == ['auth', 'dnsPublish']  # not sent again
    assert client.done == []  # and not noted as published


# -- records: the API's shape <-> canonical records -------------------------------------
def canonical(rtype, name, value, **extra):
    record = dict((f, None) for f in dr.ALL_EXTRA)
    record.update(extra, type=rtype, name=name, value=value)
    return record


@pytest.mark.parametrize('rtype, data, expected', [
    ('A', {'name': 'WWW', 'data': ' 192.0.2.10 '}, canonical('A', 'www', '192.0.2.10')),
    ('AAAA', {'name': '', 'data': '2001:DB8:0:0:0:0:0:1'}, canonical('AAAA', '', '2001:db8::1')),
    ('a', {'name': '*', 'data': '192.0.2.1'}, canonical('A', '*', '192.0.2.1')),
    ('CNAME', {'name': 'shop', 'data': 'shops.example.net.'}, canonical('CNAME', 'shop', 'shops.example.net.')),
    ('CNAME', {'name': 'alias', 'data': 'www'}, canonical('CNAME', 'alias', 'www.example.com.')),
    ('NS', {'name': 'dev', 'data': 'NS1.Example.NET.'}, canonical('NS', 'dev', 'ns1.example.net.')),
    ('MX', {'host': '', 'pri': 10, 'data': 'mail'}, canonical('MX', '', 'mail.example.com.', priority=10)),
    ('MX', {'host': 'lists', 'pri': '20', 'data': 'mx.example.org.'}, canonical('MX', 'lists', 'mx.example.org.', priority=20)),
    ('TXT', {'name': '_dmarc', 'data': '"v=DMARC1; " "p=reject"'}, canonical('TXT', '_dmarc', 'v=DMARC1; p=reject')),
    ('TXT', {'name': '', 'data': 'hello world'}, canonical('TXT', '', 'hello world')),
    ('TXT', {'name': '', 'data': '"say \\"hi\\" \\\\o/"'}, canonical('TXT', '', 'say "hi" \\o/')),
    ('CAA', {'name': '', 'flag': 0, 'tag': 'ISSUE', 'caaval': '"letsencrypt.org"'},
     canonical('CAA', '', 'letsencrypt.org', flag=0, tag='issue')),
    ('CAA', {'name': 'shop', 'flag': '128', 'tag': 'iodef', 'caaval': 'mailto:sec@example.com'},
     canonical('CAA', 'shop', 'mailto:sec@example.com', flag=128, tag='iodef')),
    ('SRV', {'srvc': 'sip', 'prot': 'TCP', 'host': '', 'pri': 10, 'weight': 60, 'port': 5060, 'target': 'sip.example.com.'},
     canonical('SRV', '', 'sip.example.com.', service='_sip', protocol='_tcp', priority=10, weight=60, port=5060)),
    ('SRV', {'srvc': '_xmpp-server', 'prot': '_tcp', 'host': 'chat', 'pri': '5', 'weight': '0', 'port': '5269', 'target': 'xmpp'},
     canonical('SRV', 'chat', 'xmpp.example.com.', service='_xmpp-server', protocol='_tcp', priority=5, weight=0, port=5269)),
])
def test_record_from_api(rtype, data, expected):
    record = sd.record_from_api({'seq': 5009, 'type': rtype, 'data': data}, ZONE)
    assert record.pop('raw') == data
    assert record.pop('seq') == '5009'
    assert record.pop('raw_text') == str(data.get('target') or data.get('caaval') or data.get('data') or '')
    assert record == expected


@pytest.mark.parametrize('rtype', ['SOA', 'Options', 'WebForwarding', '', None])
def test_record_from_api_skips_what_is_not_a_dns_record_we_manage(rtype):
    assert sd.record_from_api({'seq': '5001', 'type': rtype, 'data': {'name': '', 'data': 'x'}}, ZONE) is None


def test_record_from_api_keeps_values_it_cannot_read_as_given():
    a = sd.record_from_api({'seq': '1', 'type': 'A', 'data': {'name': 'www.example.org.', 'data': 'not-an-ip'}}, ZONE)
    assert (a['name'], a['value']) == ('www.example.org.', 'not-an-ip')
    aaaa = sd.record_from_api({'seq': '2', 'type': 'AAAA', 'data': {'name': 'v6', 'data': '192.0.2.1'}}, ZONE)
    assert aaaa['value'] == '192.0.2.1'


def user(rtype, name='', value=None, **extra):
    return dr.normalize_user_record(dict(extra, type=rtype, name=name, value=value), ZONE)


# (canonical record, endpoint, the form fields of the guide's dnsAdd* section)
ADDS = [
    (user('A', 'www', '192.0.2.10'), 'dnsAddA', {'name': 'www', 'ip': '192.0.2.10'}),
    (user('AAAA', '', '2001:DB8::0:1'), 'dnsAddAAAA', {'name': '', 'ip': '2001:db8::1'}),
    (user('CNAME', 'shop', 'shops.example.net'), 'dnsAddCNAME', {'alias': 'shop', 'name': 'shops.example.net.'}),
    (user('MX', '', 'mail.example.com', priority=10), 'dnsAddMX', {'name': '', 'mxname': 'mail.example.com.', 'priority': '10'}),
    (user('NS', 'dev', 'ns1.example.net'), 'dnsAddNS', {'subdomain': 'dev', 'nameserver': 'ns1.example.net.'}),
    (user('CAA', '', 'letsencrypt.org', tag='issue'), 'dnsAddCAA', {'subdomain': '', 'flag': '0', 'tag': 'issue', 'value': 'letsencrypt.org'}),
    (user('TXT', '', 'v=spf1 -all'), 'dnsAddTXT', {'name': '', 'txtdata': '"v=spf1 -all"'}),
    (user('SRV', 'eu', 'sip.example.com', service='sip', protocol='tcp', priority=10, weight=60, port=5060), 'dnsAddSRV',
     {'srvc': '_sip', 'prot': '_tcp', 'host': 'eu', 'pri': '10', 'weight': '60', 'port': '5060', 'target': 'sip.example.com.'}),
]


@pytest.mark.parametrize('record, endpoint, fields', ADDS)
def test_add_params_use_the_fields_of_the_guide(record, endpoint, fields):
    assert sd.add_params(record, ZONE) == (endpoint, dict(fields, domain=ZONE))


# How the API stores each add, read back by dnsGetDomainRecords (values kept as submitted).
STORED = {
    'dnsAddA': lambda p: ('A', {'name': p['name'], 'data': p['ip']}),
    'dnsAddAAAA': lambda p: ('AAAA', {'name': p['name'], 'data': p['ip']}),
    'dnsAddCNAME': lambda p: ('CNAME', {'name': p['alias'], 'data': p['name']}),
    'dnsAddMX': lambda p: ('MX', {'host': p['name'], 'data': p['mxname'], 'pri': int(p['priority'])}),
    'dnsAddNS': lambda p: ('NS', {'name': p['subdomain'], 'data': p['nameserver']}),
    'dnsAddCAA': lambda p: ('CAA', {'name': p['subdomain'], 'flag': int(p['flag']), 'tag': p['tag'], 'caaval': p['value']}),
    'dnsAddTXT': lambda p: ('TXT', {'name': p['name'], 'data': p['txtdata']}),
    'dnsAddSRV': lambda p: ('SRV', {'srvc': p['srvc'], 'prot': p['prot'], 'host': p['host'], 'pri': int(p['pri']),
                                    'weight': int(p['weight']), 'port': int(p['port']), 'target': p['target']}),
}


@pytest.mark.parametrize('record', [a[0] for a in ADDS] + [
    user('TXT', 'dkim._domainkey', 'v=DKIM1; k=rsa; p=' + 'A' * 400),
    user('TXT', '', 'say "hi" \\o/'),
    user('CAA', 'shop', 'mailto:sec@example.com', tag='iodef', flag=128),
    user('MX', 'lists', 'mx.example.org.', priority=0),
])
def test_an_added_record_reads_back_as_the_same_record(record):
    endpoint, params = sd.add_params(record, ZONE)
    rtype, data = STORED[endpoint](params)
    back = sd.record_from_api({'seq': '5010', 'type': rtype, 'data': data}, ZONE)
    # Field by field, not only by record_key: a key that ignored a field would compare equal here whatever that field
    # read back as (test_dns_records.py checks that every field changes the key).
    for field in ('type', 'name', 'value') + dr.ALL_EXTRA:
        assert back[field] == record[field], field
    assert dr.record_key(back) == dr.record_key(record)


@pytest.mark.parametrize('text, txtdata', [
    ('a' * 300, '"%s" "%s"' % ('a' * 255, 'a' * 45)),
    ('a' * 255, '"%s"' % ('a' * 255)),
    ('é' * 200, '"%s" "%s"' % ('é' * 127, 'é' * 73)),  # DNS strings are at most 255 bytes, é is 2
    ('say "hi" \\o/', '"say \\"hi\\" \\\\o/"'),
    ('', '""'),
])
def test_txt_data_is_sent_as_quoted_dns_strings(text, txtdata):
    record = canonical('TXT', '', text)
    assert sd.add_params(record, ZONE)[1]['txtdata'] == txtdata
    assert sd.record_from_api({'seq': '1', 'type': 'TXT', 'data': {'name': '', 'data': txtdata}}, ZONE)['value'] == text


def test_mx_priority_limit_of_the_guide():
    assert sd.RECORD_LIMITS['MX.priority'] == (0, 99)
    assert user('MX', '', 'mail.example.com', priority=99)['priority'] == 99
    with pytest.raises(dr.RecordError, match='between 0 and 99'):
        dr.normalize_user_record(dict(type='MX', name='', value='mail.example.com', priority=100), ZONE,
                                 limits=sd.RECORD_LIMITS)


# -- zone settings -------------------------------------------------------------------------
NEW_DOMAIN_RECORDS = [
    # dnsAddDomain: a default SOA (minTTL one day) and NS records ns1-ns4.securityspace.net, plus the options.
    {'seq': '5001', 'type': 'SOA', 'data': {'priNS': 'ns1.securityspace.net.', 'mail': 'hostmaster.example.com.',
                                            'refresh': 10800, 'retry': 3600, 'exp': 604800, 'min': 86400}},
    {'seq': '5002', 'type': 'NS', 'data': {'name': '', 'data': 'ns1.securityspace.net.'}},
    {'seq': '5006', 'type': 'Options', 'data': {'masters': '', 'allowtransferacl': 'none', 'notify': 'no', 'alsonotify': ''}},
]


def test_current_settings_of_a_new_domain():
    assert sd.current_settings(NEW_DOMAIN_RECORDS) == {
        'admin_email': 'hostmaster@example.com', 'min_ttl': 86400, 'masters': [], 'allow_transfer': ['none'],
        'notify': 'no', 'also_notify': []}
    assert sd.current_settings([]) == dict((k, None) for k in sd.SETTING_KEYS)
    settings = sd.current_settings([{'type': 'SOA', 'data': {}}])
    assert settings['admin_email'] is None and settings['min_ttl'] is None


def test_current_settings_normalises_address_lists():
    records = [
        {'type': 'SOA', 'data': {'mail': 'first\\.last.example.org.', 'min': '3600'}},
        {'type': 'Options', 'data': {'masters': '192.0.2.2,2001:DB8:0::53, 192.0.2.2',
                                     'allowtransferacl': '198.51.100.0/24; 192.0.2.7', 'notify': 'Explicit',
                                     'alsonotify': '203.0.113.9 203.0.113.1'}},
    ]
    assert sd.current_settings(records) == {
        'admin_email': 'first.last@example.org', 'min_ttl': 3600, 'masters': ['192.0.2.2', '2001:db8::53'],
        'allow_transfer': ['192.0.2.7/32', '198.51.100.0/24'], 'notify': 'explicit',
        'also_notify': ['203.0.113.1', '203.0.113.9']}


@pytest.mark.parametrize('acl, expected', [('ANY', ['any']), ('None', ['none']), ('', ['none']), (None, ['none']),
                                           ('192.0.2.77/24', ['192.0.2.0/24'])])
def test_current_settings_allow_transfer_forms(acl, expected):
    records = [{'type': 'Options', 'data': {'allowtransferacl': acl}}]
    settings = sd.current_settings(records)
    assert settings['allow_transfer'] == expected
    assert settings['notify'] == 'no'  # not given: notify is off


@pytest.mark.parametrize('mail, email', [
    ('aaa.bbb.ccc', 'aaa@bbb.ccc'),  # the guide: aaa@bbb.ccc is stored as aaa.bbb.ccc
    ('hostmaster.example.com.', 'hostmaster@example.com'),
    ('Admin.Example.COM.', 'admin@example.com'),
    ('first\\.last.example.org.', 'first.last@example.org'),  # RFC 1035: an escaped dot belongs to the local part
    ('a\\.b\\.c.sub.example.org', 'a.b.c@sub.example.org'),
    ('admin@example.com', 'admin@example.com'),
    ('', None),
    (None, None),
    ('.', None),
])
def test_soa_mail_to_email(mail, email):
    assert sd.soa_mail_to_email(mail) == email


def test_normalize_ip():
    assert sd.normalize_ip(' 2001:DB8:0::1 ', 'masters') == '2001:db8::1'
    assert sd.normalize_ip('192.0.2.77/24', 'allow_transfer', network=True) == '192.0.2.0/24'
    assert sd.normalize_ip('192.0.2.7', 'allow_transfer', network=True) == '192.0.2.7/32'
    with pytest.raises(ValueError, match=r"^also_notify: 'ns1' is not an IP address$"):
        sd.normalize_ip('ns1', 'also_notify')
    with pytest.raises(ValueError, match='allow_transfer: .* is not an IP address or network'):
        sd.normalize_ip('192.0.2.0/33', 'allow_transfer', network=True)


def test_domain_summary_and_needs_publish():
    assert ss.domain_summary({'domain': ZONE, 'seq': 101, 'state': '2', 'stateText': ''}) == dict(
        domain=ZONE, seq=101, state=2, state_text='Waiting for distribution to name servers')
    assert ss.domain_summary({'domain': ZONE, 'seq': 101, 'state': 3, 'stateText': 'Active'})['state_text'] == 'Active'
    assert ss.domain_summary({'domain': ZONE, 'state': 7})['state_text'] == 'Unknown'
    assert [ss.needs_publish(s) for s in (0, 1, 2, 3, '0', '3')] == [True, True, False, False, True, False]


# -- security audits -------------------------------------------------------------------------
@pytest.mark.parametrize('cidr, pattern', [
    ('10.1.1.32/27', '10.1.1.32-63'),  # the guide's own example
    ('10.1.2.32/27', '10.1.2.32-63'),
    ('192.168.1.0/24', '192.168.1.*'),  # "all 256 addresses in the 192.168.1.0/24 range"
    ('10.1.0.0/23', '10.1.0-1.*'),
    ('172.16.0.0/12', '172.16-31.*.*'),
    ('10.0.0.0/8', '10.*.*.*'),
    ('0.0.0.0/0', '*.*.*.*'),
    ('192.0.2.7/32', '192.0.2.7'),
    ('192.0.2.77/30', '192.0.2.76-79'),  # host bits are ignored
    (' 198.51.100.128/25 ', '198.51.100.128-255'),
    # what the API accepts as it is
    (' 192.168.1.* ', '192.168.1.*'),
    ('10.1.1-2.32-63', '10.1.1-2.32-63'),
    ('192.0.2.7', '192.0.2.7'),
    ('*.*.*.*', '*.*.*.*'),
    ('0-255.0.0.1', '0-255.0.0.1'),
])
def test_audit_target_turns_cidr_into_an_api_pattern(cidr, pattern):
    assert sa.audit_target(cidr) == pattern


@pytest.mark.parametrize('bad', ['', None, '192.0.2', '192.0.2.1.5', '192.0.2.256', '192.0.2.9-3', '192.0.2.a',
                                 '192.0.2.1-', '2001:db8::/32', '2001:db8::1', '192.0.2.0/33', 'host.example.com',
                                 '192.168.1.*,10.1.1.1'])
def test_audit_target_rejects_what_is_not_one_ipv4_target(bad):
    with pytest.raises(ValueError, match='^targets: '):
        sa.audit_target(bad)


@pytest.mark.parametrize('pattern, address, inside', [
    ('10.1.1-2.32-63', '10.1.2.40', True),
    ('10.1.1-2.32-63', '10.1.1.63', True),
    ('10.1.1-2.32-63', '10.1.1.31', False),
    ('10.1.1-2.32-63', '10.1.3.40', False),
    ('192.168.1.*', '192.168.1.255', True),
    ('192.168.1.*', '192.168.2.1', False),
    ('192.0.2.7', '192.0.2.7', True),
    ('192.0.2.7', '192.0.2.70', False),
    ('*.*.*.*', '', False),
    ('192.0.2.*', '192.0.2', False),
    ('192.0.2.*', 'not-an-ip', False),
])
def test_pattern_contains(pattern, address, inside):
    assert sa.pattern_contains(pattern, address) is inside


@pytest.mark.parametrize('cidr', ['10.1.1.32/27', '10.1.0.0/23', '172.16.0.0/12', '192.0.2.77/30'])
def test_pattern_of_a_network_covers_exactly_that_network(cidr):
    network = ipaddress.IPv4Network(cidr, strict=False)
    pattern = sa.audit_target(cidr)
    probes = [network.network_address - 1, network.network_address, network.network_address + (network.num_addresses // 2),
              network.broadcast_address, network.broadcast_address + 1, ipaddress.IPv4Address('203.0.113.5')]
    for address in probes:
        assert sa.pattern_contains(pattern, str(address)) is (address in network), str(address)


@pytest.mark.parametrize('time_end, finished', [
    ('2025-01-02 03:04:05', True), ('', False), ('  ', False), (None, False), ('0000-00-00 00:00:00', False)])
def test_scan_finished(time_end, finished):
    assert sa.scan_finished({'scanuid': '1100005104', 'time_end': time_end}) is finished


def test_list_audits_and_get_report():
    client, fake = make_client()
    scan = {'scanuid': '1100005104', 'folder': 'API', 'hostip': '192.0.2.7', 'type': 'standard',
            'time_queued': '2025-01-02 03:00:00', 'time_start': '', 'time_end': ''}
    fake.on('saGetAuditList', {'status': '0', 'scancount': 1, 'scans': [scan]}, {'status': '0', 'scancount': 0})
    fake.on('saGetAuditReport', {'status': '0', 'scaninfo': {'basic': {'scanuid': 1100005104}}}, {'status': '0'})
    assert client.list_audits() == [scan]
    assert client.list_audits() == []
    assert client.get_report('1100005104') == {'basic': {'scanuid': 1100005104}}
    assert client.get_report('1100005104') == {}


def test_report_summary():
    def finding(key, risk, title):
        return {'repid': '1100005104', 'id': '1.3.6.1.4.1.25623.1.0.%s' % key[-1], 'shortid': key[-1], 'ip': '192.0.2.7',
                'port': '443', 'cat': 'Web', 'cve': '', 'entrykey': key, 'risk': risk, 'shortkey': int(key[-1]),
                'static_description': '', 'description': '', 'title': title, 'type': 'HOLE', 'baseline': ''}
    scaninfo = {
        'basic': {'scanuid': 1100005104, 'hostip': '192.0.2.7', 'title': 'Audit', 'scantype': 'standard'},
        'entries': {'high': {'1100005104_2': finding('1100005104_2', 'high', 'B'),
                             '1100005104_1': finding('1100005104_1', 'high', 'A')},
                    'other': {'1100005104_3': finding('1100005104_3', 'other', 'C')}},
        'ports': [{'repid': '1100005104', 'hostip': '192.0.2.7', 'portnum': '443', 'portend': -1, 'portprot': 'TCP',
                   'portservice': 'https'}],
        'risk': {'high': 2, 'other': '1'},
        'riskcatgrid': {'Web:high': 2},
    }
    summary = sa.report_summary(scaninfo)
    assert summary['scanuid'] == '1100005104'
    assert (summary['hostip'], summary['title'], summary['scantype']) == ('192.0.2.7', 'Audit', 'standard')
    assert summary['risk'] == {'high': 2, 'medium': 0, 'low': 0, 'other': 1}
    assert [e['title'] for e in summary['entries']['high']] == ['A', 'B']
    assert summary['entries']['medium'] == [] and summary['entries']['low'] == []
    assert summary['entries']['other'][0] == {'entrykey': '1100005104_3', 'id': '1.3.6.1.4.1.25623.1.0.3', 'title': 'C',
                                              'cat': 'Web', 'cve': '', 'ip': '192.0.2.7', 'port': '443', 'risk': 'other',
                                              'type': 'HOLE'}
    assert summary['ports'] == [{'port': '443', 'port_end': -1, 'protocol': 'TCP', 'service': 'https', 'hostip': '192.0.2.7'}]
    # An empty report, PHP style: empty objects come as [].
    summary = sa.report_summary({'basic': {}, 'entries': [], 'ports': [], 'risk': [], 'riskcatgrid': []})
    assert summary['risk'] == {'high': 0, 'medium': 0, 'low': 0, 'other': 0}
    assert summary['entries'] == {'high': [], 'medium': [], 'low': [], 'other': []}
    assert summary['ports'] == [] and summary['scanuid'] == ''


@pytest.mark.parametrize('level, count', [('high', 1), ('medium', 3), ('low', 6)])
def test_risk_at_or_above_counts_the_level_and_more_severe_ones(level, count):
    # "other" findings are informational: never counted as a risk level.
    assert sa.risk_at_or_above({'high': 1, 'medium': '2', 'low': 3, 'other': 7}, level) == count
    assert sa.risk_at_or_above({'high': None, 'other': 5}, level) == 0  # missing levels count 0


def test_address_count_of_patterns():
    assert sa.address_count(['192.0.2.10']) == 1
    assert sa.address_count(['192.0.2.*', '10.1.1-2.32-63']) == 256 + 2 * 32


def test_masters_the_options_record_does_not_show_are_unknown_and_sent_only_with_other_options():
    """The document's Options record lists no masters: unknown, not empty - so a slave zone's re-run writes nothing,
    while a new zone, or another option being set, still carries them."""
    records = [{'type': 'Options', 'data': {'allowtransferacl': 'none', 'notify': 'yes', 'alsonotify': ''}}]
    have = sd.current_settings(records)
    assert have['masters'] is None and have['notify'] == 'yes'
    wanted = {'masters': ['192.0.2.53'], 'notify': 'yes'}
    assert sd.settings_calls(wanted, have) == ({}, {})
    assert sd.settings_calls(wanted, have, new_zone=True) == ({}, {'masters': '192.0.2.53'})
    assert sd.settings_calls(dict(wanted, notify='explicit'), have) == (
        {}, {'notify': 'explicit', 'masters': '192.0.2.53'})
    shown = sd.current_settings([{'type': 'Options', 'data': dict(records[0]['data'], masters='192.0.2.9')}])
    assert sd.settings_calls(wanted, shown) == ({}, {'masters': '192.0.2.53'})
