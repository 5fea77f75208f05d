# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Virusdie API emulator, over real HTTPS."""

import datetime
import hashlib
import hmac
import json
import re
import time
import urllib.parse

import pytest
import requests

from emulators import harness as emulator_harness
from emulators.base import Request
from emulators.virusdie import VirusdieApp, domain_forms

HEX32 = re.compile(r'^[0-9a-f]{32}$')
ENVELOPE = ['version', 'keyid', 'method', 'timewait', 'error', 'message', 'errorinfo', 'result']
SITE_FIELDS = ['id', 'host', 'domain', 'adddate', 'scanperiod', 'nextscan', 'firewallstatus', 'autotreatment',
               'permissions']  # as the guide lists them: no owner field (the setting site_unit_field adds "unit")
REPORT_FIELDS = ['id', 'date', 'cure', 'threats', 'incurable', 'doubt', 'treated', 'detectedfiles', 'incurablefiles',
                 'malicious', 'suspicious', 'checkeddirs', 'checkedfiles', 'treatedfiles', 'deletedfiles', 'totalbytes',
                 'checkedbytes', 'errors']


def mac_of(key, target):
    return hmac.new(key.encode('utf-8'), target.encode('utf-8'), hashlib.md5).hexdigest()


class Vd(object):
    """Virusdie API caller (cookie auth, apimac over the prepared request's path and query) plus the admin API."""

    def __init__(self, running):
        self.running = running
        self.env = running.env()
        self.api_url = self.env['VIRUSDIE_API_URL']
        self.keys = {'main': (self.env['VIRUSDIE_API_KEY'], self.env['VIRUSDIE_MAC_KEY']),
                     'nomac': (self.env['VIRUSDIE_NOMAC_API_KEY'], None),
                     'limited': (self.env['VIRUSDIE_LIMITED_API_KEY'], None)}
        self.admin_url = self.env['EMULATOR_VIRUSDIE_ADMIN']
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = running.ca_path
        self.last_target = None

    @property
    def app(self):
        return self.running.emulators['virusdie']

    def url(self, method, *params, query=None):
        url = '%s/%s/' % (self.api_url, method) + ''.join(urllib.parse.quote(str(p), safe='') + '/' for p in params)
        if query:
            url += '?' + (query if isinstance(query, str) else urllib.parse.urlencode(query, quote_via=urllib.parse.quote))
        return url

    def call(self, method, *params, query=None, body=None, key='main', mac=True, http=None, url=None, cookie=None,
             **kwargs):
        """``key``: main/nomac/limited or (api key, mac key); ``mac``: True (sign when the key has a MAC key),
        False (no apimac), a string (sent as apimac), or a callable(target) -> apimac."""
        api_key, mac_key = self.keys[key] if isinstance(key, str) else key
        if body is not None:
            kwargs['data'] = json.dumps(body)
            kwargs.setdefault('headers', {})['Content-Type'] = 'application/json; charset=UTF-8'
        request = requests.Request(http or ('GET' if body is None and 'data' not in kwargs else 'POST'),
                                   url or self.url(method, *params, query=query), **kwargs)
        prepared = self.session.prepare_request(request)
        target = prepared.path_url
        self.last_target = target
        if cookie is None:
            cookie = 'apikey=%s' % api_key
            if callable(mac):
                cookie += '; apimac=%s' % mac(target)
            elif isinstance(mac, str):
                cookie += '; apimac=%s' % mac
            elif mac and mac_key:
                cookie += '; apimac=%s' % mac_of(mac_key, target)
        prepared.headers['Cookie'] = cookie
        return self.session.send(prepared, timeout=15)

    def answer(self, *args, **kwargs):
        response = self.call(*args, **kwargs)
        assert response.status_code == 200, (args, response.status_code, response.text)
        assert response.headers['Content-Type'] == 'application/json; charset=utf-8'
        answer = response.json()
        assert list(answer) == ENVELOPE, answer
        return answer

    def ok(self, *args, **kwargs):
        answer = self.answer(*args, **kwargs)
        assert answer['error'] == 0 and answer['message'] == '' and answer['errorinfo'] == '', answer
        assert answer['method'] == args[0]
        return answer['result']

    def error(self, code, *args, **kwargs):
        answer = self.answer(*args, **kwargs)
        assert answer['error'] == code, answer
        assert answer['result'] is None and answer['message'], answer
        return answer

    def admin(self, path, body=None, method=None, status=200):
        response = self.session.request(method or ('GET' if body is None else 'POST'), '%s/%s' % (self.admin_url, path),
                                        json=body, timeout=15)
        assert response.status_code == status, response.text
        return response.json()

    def configure(self, **config):
        return self.admin('config', config)

    def add(self, *entries):
        return self.ok('sites_add', body=list(entries))

    def sites(self, **query):
        return dict((s['host'], s) for s in self.ok('sites_list', query=query or None))

    def state(self):
        return self.admin('state')

    def unit_of(self, host):
        """The unit a site is shared with, from the emulator's state (sites_list sends no owner field)."""
        return next(site['unit'] for site in self.state()['sites'] if site['host'] == host)


@pytest.fixture(scope='module')
def running(tmp_path_factory):
    instance = emulator_harness.start(str(tmp_path_factory.mktemp('emulators')), vendors=['virusdie'])
    yield instance
    instance.stop()


@pytest.fixture
def vd(running):
    client = Vd(running)
    assert client.admin('reset', {}) == {'reset': 'all'}
    yield client
    client.session.close()


# -- harness, env, envelope ---------------------------------------------------------------
def test_env_and_tls(running, vd):
    env = vd.env
    assert re.match(r'^https://127\.0\.0\.1:\d+/api$', env['VIRUSDIE_API_URL'])
    for name in ('VIRUSDIE_API_KEY', 'VIRUSDIE_NOMAC_API_KEY', 'VIRUSDIE_LIMITED_API_KEY'):
        assert HEX32.match(env[name]), name
    assert re.match(r'^[A-Za-z0-9]{32}$', env['VIRUSDIE_MAC_KEY'])
    assert len({env['VIRUSDIE_API_KEY'], env['VIRUSDIE_NOMAC_API_KEY'], env['VIRUSDIE_LIMITED_API_KEY']}) == 3
    assert env['EMULATOR_VIRUSDIE_ADMIN'] == running.urls['virusdie'] + '/_emulator'
    assert env['DOMAINSEC_CA_PATH'] == running.ca_path
    assert set(k for k in env if k.startswith('VIRUSDIE_')) == {
        'VIRUSDIE_API_URL', 'VIRUSDIE_API_KEY', 'VIRUSDIE_MAC_KEY', 'VIRUSDIE_NOMAC_API_KEY', 'VIRUSDIE_LIMITED_API_KEY'}
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(vd.url('api_keyinfo'), verify=True, timeout=5)


def test_preset_credentials_from_environment(monkeypatch):
    monkeypatch.setenv('VIRUSDIE_API_KEY', 'a' * 32)
    monkeypatch.setenv('VIRUSDIE_MAC_KEY', 'M' * 32)
    monkeypatch.setenv('VIRUSDIE_NOMAC_API_KEY', 'b' * 32)
    monkeypatch.setenv('VIRUSDIE_LIMITED_API_KEY', 'c' * 32)
    app = VirusdieApp()
    app.base_url = 'https://127.0.0.1:1'
    assert app.env() == {'VIRUSDIE_API_URL': 'https://127.0.0.1:1/api', 'VIRUSDIE_API_KEY': 'a' * 32,
                         'VIRUSDIE_MAC_KEY': 'M' * 32, 'VIRUSDIE_NOMAC_API_KEY': 'b' * 32,
                         'VIRUSDIE_LIMITED_API_KEY': 'c' * 32}
    target = '/api/api_keyinfo/'
    answer = app.handle(Request('GET', target, [('Cookie', 'apikey=%s; apimac=%s' % ('a' * 32, mac_of('M' * 32, target)))]))
    assert answer.status == 200 and json.loads(answer.body)['error'] == 0
    assert {'a' * 32, 'M' * 32, 'b' * 32, 'c' * 32} <= app.credentials()


def test_envelope_shape(vd):
    answer = vd.answer('api_keyinfo')
    assert answer['version'] and answer['method'] == 'api_keyinfo' and answer['error'] == 0
    assert answer['keyid'] == answer['result']['id'] and re.match(r'^[0-9a-f]{8}$', answer['keyid'])
    assert isinstance(answer['timewait'], int) and 0 <= answer['timewait'] < 1000
    # Errors are HTTP 200 too, with result null; "/" is written "\/" like PHP's json_encode.
    response = vd.call('dashboard')
    assert '\\/' in response.text and '://' in response.json()['result']
    answer = vd.error(145903, 'no_such_method')
    assert answer['method'] == 'no_such_method' and answer['message'] == 'Unknown method'
    assert answer['keyid'] == vd.answer('api_keyinfo')['keyid']


# -- authorization ---------------------------------------------------------------------------
def test_cookie_auth_and_apimac(vd):
    assert vd.ok('api_keyinfo')['dscheck'] == 1
    api_key, mac_key = vd.keys['main']
    # Missing apikey: 145900; unknown key: 145901 (keyid ""); before routing, so an unknown method says the same.
    for method in ('api_keyinfo', 'sites_list', 'no_such_method'):
        answer = vd.error(145900, method, cookie='')
        assert answer['message'] == 'Authorization required' and answer['keyid'] == ''
        vd.error(145900, method, cookie='other=1; apimac=abc')
        answer = vd.error(145901, method, key=('f' * 32, mac_key))
        assert answer['message'] == 'Invalid API key' and answer['keyid'] == ''
    # Missing, wrong, or over another string: 145902 "Invalid signature".
    for mac in (False, '', 'f' * 32, lambda target: mac_of(mac_key, target + 'x'),
                lambda target: mac_of(mac_key, target.rstrip('/')), lambda target: mac_of(api_key, target),
                lambda target: mac_of(mac_key, 'https://example.com' + target),
                lambda target: hmac.new(mac_key.encode(), target.encode(), hashlib.sha256).hexdigest()):
        answer = vd.error(145902, 'sites_list', mac=mac)
        assert answer['message'] == 'Invalid signature' and answer['errorinfo']
    # Case of the hex digest does not matter; other cookies and spacing do not either.
    vd.ok('sites_list', mac=lambda target: mac_of(mac_key, target).upper())
    target = '/api/sites_list/'
    vd.ok('sites_list', cookie='session=x;apimac=%s ;  apikey=%s' % (mac_of(mac_key, target), api_key))
    # Nothing was created by refused requests; they took no rate-limit token either.
    assert vd.state()['sites'] == []
    assert vd.state()['rate']['tokens'] > 55


def test_apimac_is_over_the_target_as_sent(vd):
    api_key, mac_key = vd.keys['main']
    vd.add({'name': 'example.com', 'share': 'a+b@example.com'}, 'bücher.de')
    # A query with characters that need encoding: signed exactly as it goes on the wire.
    query = 'unit=a%2Bb%40example.com&withscanreport'
    assert [s['host'] for s in vd.ok('sites_list', query=query)] == ['example.com']
    assert vd.last_target == '/api/sites_list/?' + query
    # The same query decoded, or encoded differently, is another string: refused.
    decoded = '/api/sites_list/?unit=a+b@example.com&withscanreport'
    vd.error(145902, 'sites_list', query=query, mac=lambda target: mac_of(mac_key, decoded))
    vd.error(145902, 'sites_list', query='unit=a%2Bb@example.com&withscanreport',
             mac=lambda target: mac_of(mac_key, '/api/sites_list/?' + query))
    # "+" in a query is a space (PHP's $_GET): "a+b@example.com" unencoded is no email address.
    assert 'a b@example.com' in vd.error(131900, 'sites_list', query='unit=a+b@example.com')['errorinfo']
    # A percent-encoded Unicode path parameter: signed as sent, matched decoded.
    result = vd.ok('site_setoption', 'bücher.de', 'firewall', '1')
    assert result == ['bücher.de', 'firewall', '1']
    assert vd.last_target == '/api/site_setoption/b%C3%BCcher.de/firewall/1/'
    vd.error(145902, 'site_setoption', 'bücher.de', 'firewall', '1',
             mac=lambda target: mac_of(mac_key, urllib.parse.unquote(target)))
    # Directly on the app: the raw target is what counts.
    app = vd.app
    for target in ('/api/sites_list/?unit=%C3%BC%40example.com', '/api/sites_list/?x=%7e&y=~'):
        answer = app.handle(Request('GET', target, [('Cookie', 'apikey=%s; apimac=%s' % (api_key, mac_of(mac_key, target)))]))
        assert json.loads(answer.body)['error'] == 0
        other = target.replace('%7e', '%7E').replace('%C3%BC', '%c3%bc')
        answer = app.handle(Request('GET', other, [('Cookie', 'apikey=%s; apimac=%s' % (api_key, mac_of(mac_key, target)))]))
        assert json.loads(answer.body)['error'] == 145902


def test_nomac_key(vd):
    info = vd.ok('api_keyinfo', key='nomac')
    assert info['dscheck'] == 0 and info['permissions'] == 15
    vd.add('example.com')
    assert list(vd.ok('sites_list', key='nomac')[0]) == SITE_FIELDS
    # apimac with a key whose DS check is disabled: ignored (the guide only says not to send it); refused with
    # 145908 only under the setting reject_unexpected_mac (not from the vendor).
    mac_key = vd.keys['main'][1]
    for mac in ('', 'f' * 32, lambda target: mac_of(mac_key, target)):
        assert vd.ok('sites_list', key='nomac', mac=mac)[0]['host'] == 'example.com'
    vd.configure(reject_unexpected_mac=True)
    for mac in ('', 'f' * 32, lambda target: mac_of(mac_key, target)):
        answer = vd.error(145908, 'sites_list', key='nomac', mac=mac)
        assert answer['message'] == 'Signature not expected' and 'apimac' in answer['errorinfo']
    vd.configure(reject_unexpected_mac=False)
    vd.ok('site_setoption', 'example.com', 'firewall', '1', key='nomac')
    assert vd.sites()['example.com']['firewallstatus'] == 1


def test_limited_key_permission_denied(vd):
    vd.add('example.com')
    vd.configure(syncfile_uploaded=['example.com'])
    info = vd.ok('api_keyinfo', key='limited')
    assert info['dscheck'] == 0 and info['permissions'] == 2
    for option in ('firewall', 'autotreatment'):
        for value in ('0', '1'):
            answer = vd.error(145904, 'site_setoption', 'example.com', option, value, key='limited')
            assert answer['message'] == 'Permission denied' and option in answer['errorinfo']
    answer = vd.error(145904, 'site_scan', 'example.com', key='limited')
    assert answer['message'] == 'Permission denied'
    # Bad option names and values are reported before permissions; a missing site after them.
    vd.error(150902, 'site_setoption', 'example.com', 'colour', '1', key='limited')
    vd.error(150903, 'site_setoption', 'example.com', 'firewall', '2', key='limited')
    vd.error(145904, 'site_setoption', 'missing.example', 'firewall', '1', key='limited')
    # What the key may do, it does.
    assert vd.ok('site_setoption', 'example.com', 'scanperiod', '3600', key='limited') == ['example.com', 'scanperiod', '3600']
    site = vd.ok('sites_list', key='limited')[0]
    assert site['permissions'] == 2 and site['scanperiod'] == 3600 and site['firewallstatus'] == 0
    assert vd.sites()['example.com']['permissions'] == 15
    assert vd.state()['scans'] == []
    assert vd.ok('api_userinfo', key='limited') is None


# -- sites -------------------------------------------------------------------------------------
def test_sites_add_ten_domains(vd):
    domains = ['one.example', 'two.example', 'not a domain', 'three.example', {'name': 'four.example'},
               'one.example', 'five.example', {'name': 'six.example', 'share': 'owner@six.example'}, 'seven.example',
               'eight.example']
    result = vd.ok('sites_add', body=domains)
    assert result == {'2': 'Invalid domain name', '5': 'Site already exists'}
    sites = vd.ok('sites_list')
    assert [s['host'] for s in sites] == ['one.example', 'two.example', 'three.example', 'four.example', 'five.example',
                                          'six.example', 'seven.example', 'eight.example']
    assert len(set(s['id'] for s in sites)) == 8
    now = time.time()
    for site in sites:
        assert list(site) == SITE_FIELDS
        assert site['domain'] == site['host'] and abs(site['adddate'] - now) < 60
        assert (site['scanperiod'], site['firewallstatus'], site['autotreatment'], site['permissions']) == (86400, 0, 0, 15)
        assert site['nextscan'] == site['adddate'] + 86400
        assert vd.unit_of(site['host']) == ('owner@six.example' if site['host'] == 'six.example' else None)
    assert list(vd.sites(unit='owner@six.example')) == ['six.example']
    assert vd.state()['units'][0]['email'] == 'owner@six.example'
    # Adding them again: every one is a per-site error, error stays 0.
    again = vd.ok('sites_add', body=['one.example', 'eight.example'])
    assert again == {'0': 'Site already exists', '1': 'Site already exists'}


def test_the_unit_field_is_only_a_setting(vd):
    """The guide's site object has no owner field; site_unit_field (not from the vendor) adds "unit"."""
    vd.add({'name': 'owned.example', 'share': 'o@example.com'})
    assert 'unit' not in vd.sites()['owned.example']
    vd.configure(site_unit_field=True)
    assert vd.sites()['owned.example']['unit'] == 'o@example.com'


def test_foreign_sites(vd):
    """Domains another Virusdie account holds: refused per site (either form), the others are added."""
    vd.configure(foreign_sites=['taken.example', 'xn--bcher-kva.de'])
    result = vd.add('free.example', 'taken.example', {'name': 'bücher.de', 'share': 'u@example.com'}, 'TAKEN.example')
    assert result == {'1': 'Site is registered in another account', '2': 'Site is registered in another account',
                      '3': 'Site is registered in another account'}
    assert sorted(vd.sites()) == ['free.example'] and vd.state()['units'] == []
    vd.error(150901, 'site_setoption', 'taken.example', 'firewall', '1')
    response = vd.session.post(vd.admin_url + '/config', json={'foreign_sites': ['not a domain']}, timeout=5)
    assert response.status_code == 400
    vd.configure(foreign_sites=[])
    assert vd.add('taken.example') == {}


def test_sites_add_forms_and_bad_bodies(vd):
    result = vd.add({'name': 'a.example', 'share': 'Owner@A.example'}, {'name': 'b.example', 'share': 'nope'},
                    {'name': 'c.example', 'color': 'red'}, {'share': 'x@example.com'}, 42, None, ['d.example'],
                    {'name': 'e.example', 'share': ''}, {'name': 'f.example', 'share': None})
    assert result == {'1': 'Invalid share email address', '2': 'Unknown option: color',
                      '3': 'Invalid site entry: a domain name or {"name": ..., "share": ...} expected',
                      '4': 'Invalid site entry: a domain name or {"name": ..., "share": ...} expected',
                      '5': 'Invalid site entry: a domain name or {"name": ..., "share": ...} expected',
                      '6': 'Invalid site entry: a domain name or {"name": ..., "share": ...} expected'}
    sites = vd.sites()
    assert sorted(sites) == ['a.example', 'e.example', 'f.example']
    assert vd.unit_of('a.example') == 'owner@a.example' and vd.unit_of('e.example') is None
    assert vd.ok('sites_add', body=[]) == {}
    # Not an array, not JSON, GET instead of POST.
    vd.error(130900, 'sites_add', body={'name': 'x.example'})
    vd.error(130900, 'sites_add', body='x.example')
    vd.error(145907, 'sites_add', data='[x.example', http='POST')
    answer = vd.error(145906, 'sites_add')
    assert answer['message'] == 'HTTP method not allowed'
    vd.error(145906, 'sites_list', http='POST', data='')
    # PHP's json_encode quirk, on request: [] when empty, a list when the failed indexes are 0..n-1.
    vd.configure(php_arrays=True)
    assert vd.ok('sites_add', body=['g.example']) == []
    assert vd.ok('sites_add', body=['g.example', 'bad domain']) == ['Site already exists', 'Invalid domain name']
    assert vd.ok('sites_add', body=['h.example', 'g.example']) == {'1': 'Site already exists'}


def test_unicode_and_punycode_domains(vd):
    assert domain_forms('Straße.DE') == ('xn--strae-oqa.de', 'straße.de')  # IDNA 2008: ß kept
    assert domain_forms('ＥＸＡＭＰＬＥ。com') == ('example.com', 'example.com')
    assert domain_forms('xn--p1ai.xn--p1ai') == ('xn--p1ai.xn--p1ai', 'рф.рф')
    for bad in ('', 'localhost', 'example.com.', '.example.com', 'a..b', 'ex ample.com', 'exa_mple.com', '1.2.3.4',
                '-a.com', 'a-.com', 'x' * 64 + '.com', 'xn--zz.com', 'xn--example.com', 'http://example.com',
                'example.com/x', 'exam\u200bple.com', 'a.b\n'):
        with pytest.raises(ValueError):
            domain_forms(bad)
    assert vd.add('bücher.de', 'XN--STRAE-OQA.DE', 'xn--bcher-kva.de', 'ЯНДЕКС.рф') == {'2': 'Site already exists'}
    sites = vd.sites()
    assert sites['xn--bcher-kva.de']['domain'] == 'bücher.de'
    assert sites['xn--strae-oqa.de']['domain'] == 'straße.de'
    assert sites['xn--d1acpjx3f.xn--p1ai']['domain'] == 'яндекс.рф'
    # Either form names the site in a path parameter.
    assert vd.ok('site_setoption', 'xn--bcher-kva.de', 'autotreatment', '1') == ['xn--bcher-kva.de', 'autotreatment', '1']
    assert vd.ok('site_setoption', 'BÜCHER.de', 'firewall', '1') == ['BÜCHER.de', 'firewall', '1']
    site = vd.sites()['xn--bcher-kva.de']
    assert (site['autotreatment'], site['firewallstatus']) == (1, 1)
    vd.error(150900, 'site_setoption', 'bad_name.de', 'firewall', '1')
    assert vd.ok('site_delete', 'яндекс.рф') == 'яндекс.рф'
    assert vd.ok('site_delete', 'xn--strae-oqa.de') == 'xn--strae-oqa.de'
    assert sorted(vd.sites()) == ['xn--bcher-kva.de']


def test_sites_list_shapes(vd):
    vd.add('plain.example', {'name': 'shared.example', 'share': 'unit@example.com'},
           {'name': 'other.example', 'share': 'other@example.com'})
    vd.ok('site_setoption', 'shared.example', 'firewall', '1')
    plain = vd.ok('sites_list')
    assert [list(s) for s in plain] == [SITE_FIELDS] * 3
    with_report = vd.ok('sites_list', query='withscanreport')
    assert [list(s) for s in with_report] == [SITE_FIELDS + ['scanreport']] * 3
    assert all(s['scanreport'] is None for s in with_report)
    with_history = vd.ok('sites_list', query='withfwhistory=1')
    assert [list(s) for s in with_history] == [SITE_FIELDS + ['fwhistory']] * 3
    both = vd.ok('sites_list', query='withscanreport=&withfwhistory')
    assert [list(s) for s in both] == [SITE_FIELDS + ['scanreport', 'fwhistory']] * 3
    assert vd.ok('sites_list', query='withscanreport=0&withfwhistory=0') == plain
    # The firewall history: null while the firewall is off.
    history = dict((s['host'], s['fwhistory']) for s in both)
    assert history['plain.example'] is None and history['other.example'] is None
    # Unit filter: an email (any case, percent-encoded); an unknown unit: []; an empty one: no filter.
    assert [s['host'] for s in vd.ok('sites_list', query={'unit': 'UNIT@example.com'})] == ['shared.example']
    assert [s['host'] for s in vd.ok('sites_list', query={'unit': 'other@example.com', 'withfwhistory': ''})] == [
        'other.example']
    assert vd.ok('sites_list', query={'unit': 'nobody@example.com'}) == []
    assert len(vd.ok('sites_list', query='unit=')) == 3
    vd.error(131900, 'sites_list', query={'unit': 'not-an-email'})


def test_fwhistory_shape(vd):
    vd.add('fw.example', 'fw2.example')
    vd.ok('site_setoption', 'fw.example', 'firewall', '1')
    vd.ok('site_setoption', 'fw2.example', 'firewall', '1')
    sites = dict((s['host'], s) for s in vd.ok('sites_list', query='withfwhistory'))
    history = sites['fw.example']['fwhistory']
    today = datetime.datetime.now(datetime.timezone.utc).date()
    days = [(today - datetime.timedelta(days=n)).strftime('%Y%m%d') for n in range(29, -1, -1)]
    assert list(history) == days
    assert history[days[-1]] is None  # today is not over
    for day in days[:-1]:
        entry = history[day]
        assert len(entry) == 8 and entry[0] == int(day) and all(isinstance(v, int) and v >= 0 for v in entry)
        assert entry[2] == sum(entry[3:7]) and entry[7] <= entry[2]
    # Deterministic per site; another site has other numbers.
    again = dict((s['host'], s) for s in vd.ok('sites_list', query='withfwhistory'))
    assert again['fw.example']['fwhistory'] == history
    assert sites['fw2.example']['fwhistory'] != history
    # Off: null again.
    vd.ok('site_setoption', 'fw.example', 'firewall', '0')
    assert vd.ok('sites_list', query='withfwhistory')[0]['fwhistory'] is None


def test_setoption(vd):
    vd.add('opt.example')
    for period in ('0', '3600', '21600', '43200', '86400', '604800', '2592000'):
        assert vd.ok('site_setoption', 'opt.example', 'scanperiod', period) == ['opt.example', 'scanperiod', period]
        site = vd.sites()['opt.example']
        assert site['scanperiod'] == int(period)
        now = time.time()
        assert site['nextscan'] == 0 if period == '0' else now < site['nextscan'] <= now + int(period) + 1
    for option, field in (('firewall', 'firewallstatus'), ('autotreatment', 'autotreatment')):
        for value in ('1', '1', '0'):
            assert vd.ok('site_setoption', 'opt.example', option, value) == ['opt.example', option, value]
            assert vd.sites()['opt.example'][field] == int(value)
    before = vd.sites()['opt.example']
    for option, value, code in (('scanperiod', '1800', 150903), ('scanperiod', '86401', 150903),
                                ('scanperiod', '086400', 150903), ('scanperiod', '-1', 150903),
                                ('firewall', '2', 150903), ('firewall', 'on', 150903), ('autotreatment', 'true', 150903),
                                ('FIREWALL', '1', 150902), ('antivirus', '1', 150902)):
        answer = vd.error(code, 'site_setoption', 'opt.example', option, value)
        assert answer['errorinfo']
    assert vd.error(150903, 'site_setoption', 'opt.example', 'firewall', '2')['message'] == 'Invalid option value'
    assert vd.error(150902, 'site_setoption', 'opt.example', 'x', '1')['message'] == 'Unknown option'
    vd.error(150901, 'site_setoption', 'missing.example', 'firewall', '1')
    vd.error(150900, 'site_setoption', 'not_a_domain', 'firewall', '1')
    vd.error(145907, 'site_setoption', 'opt.example', 'firewall')
    vd.error(145907, 'site_setoption', 'opt.example', 'firewall', '1', 'extra')
    vd.error(145907, 'site_setoption', url=vd.api_url + '/site_setoption/opt.example//1/')
    assert vd.sites()['opt.example'] == before


def test_unshare_and_readd_with_share(vd):
    vd.add({'name': 'share.example', 'share': 'first@example.com'}, 'loose.example')
    assert vd.ok('site_unshare', 'first@example.com', 'share.example') == 'share.example'
    assert vd.unit_of('share.example') is None and vd.sites(unit='first@example.com') == {}
    assert [u['email'] for u in vd.state()['units']] == ['first@example.com']  # the unit stays
    vd.error(141903, 'site_unshare', 'first@example.com', 'share.example')
    vd.error(141903, 'site_unshare', 'first@example.com', 'loose.example')
    vd.error(141902, 'site_unshare', 'first@example.com', 'missing.example')
    vd.error(141901, 'site_unshare', 'first@example.com', 'bad_domain')
    vd.error(141900, 'site_unshare', 'not-an-email', 'share.example')
    # Re-adding the unshared site with a share links it to the new unit (same site, same id); re-adding a shared site,
    # or an unshared one without a share, is a duplicate.
    old_id = vd.sites()['share.example']['id']
    assert vd.add('share.example') == {'0': 'Site already exists'}
    assert vd.add({'name': 'share.example', 'share': 'Second@Example.com'}) == {}
    site = vd.sites(unit='second@example.com')['share.example']
    assert vd.unit_of('share.example') == 'second@example.com' and site['id'] == old_id
    assert vd.add({'name': 'share.example', 'share': 'third@example.com'}) == {'0': 'Site already exists'}
    assert vd.unit_of('share.example') == 'second@example.com'
    assert [u['email'] for u in vd.state()['units']] == ['first@example.com', 'second@example.com']
    assert vd.ok('site_unshare', 'SECOND@example.com', 'share.example') == 'share.example'


def test_site_delete(vd):
    vd.add({'name': 'del.example', 'share': 'u@example.com'})
    assert vd.ok('site_delete', 'del.example') == 'del.example'
    assert vd.sites() == {}
    answer = vd.error(140901, 'site_delete', 'del.example')
    assert answer['message'] == 'Site not found'
    assert vd.ok('site_delete', 'del.example', query='ignore') is None
    assert vd.ok('site_delete', 'del.example', query='ignore=1') is None
    vd.error(140901, 'site_delete', 'del.example', query='ignore=0')
    vd.error(140900, 'site_delete', 'bad_domain', query='ignore')
    vd.error(145907, 'site_delete')
    assert vd.state()['units'][0]['email'] == 'u@example.com'


def test_site_scan(vd):
    vd.configure(scan_duration=1.5, scan_threats={'infected.example': 3, 'xn--bcher-kva.de': {'doubt': 2, 'errors': 1}})
    vd.add('clean.example', 'infected.example', 'bücher.de')
    answer = vd.error(151902, 'site_scan', 'clean.example')
    assert answer['message'] == 'Synchronization file not found on the site'
    filename = vd.state()['syncfiles'][vd.state()['account']]
    assert filename in answer['errorinfo']
    vd.error(151901, 'site_scan', 'missing.example')
    vd.error(151900, 'site_scan', 'bad_domain')
    vd.configure(syncfile_uploaded=['clean.example', 'infected.example', 'BÜCHER.de', 'not-added.example'])
    vd.error(151901, 'site_scan', 'not-added.example')
    vd.ok('site_setoption', 'infected.example', 'autotreatment', '1')
    for name in ('clean.example', 'infected.example', 'xn--bcher-kva.de'):
        assert vd.ok('site_scan', name) == name
    assert vd.ok('site_scan', 'clean.example') == 'clean.example'  # running already: the same scan goes on
    assert [s['status'] for s in vd.state()['scans']] == ['running'] * 3
    assert all(s['scanreport'] is None for s in vd.ok('sites_list', query='withscanreport'))
    time.sleep(max(0.0, max(s['finishes'] for s in vd.state()['scans']) - time.time()) + 0.1)
    reports = dict((s['host'], s['scanreport']) for s in vd.ok('sites_list', query='withscanreport'))
    for report in reports.values():
        assert list(report) == REPORT_FIELDS and abs(report['date'] - time.time()) < 5
        assert report['checkedfiles'] > 0 and report['checkedbytes'] == report['totalbytes'] > 0
    clean, infected, buecher = reports['clean.example'], reports['infected.example'], reports['xn--bcher-kva.de']
    assert (clean['cure'], clean['threats'], clean['detectedfiles'], clean['treated']) == (0, 0, 0, 0)
    # autotreatment on: a cleanup; the threats found are treated, none remain.
    assert (infected['cure'], infected['threats'], infected['treated'], infected['detectedfiles'],
            infected['treatedfiles']) == (1, 0, 3, 3, 3)
    assert (buecher['threats'], buecher['doubt'], buecher['errors']) == (0, 2, 1)
    assert [s['status'] for s in vd.state()['scans']] == ['done'] * 3
    # A new scan of a site: a new report replaces the old one once it is done.
    vd.configure(scan_threats={'clean.example': 5}, scan_duration=0.0)
    vd.ok('site_scan', 'clean.example')
    report = vd.ok('sites_list', query='withscanreport')[0]['scanreport']
    assert report['id'] > clean['id'] and report['threats'] == 5 and report['malicious'] == 5 and report['cure'] == 0
    # A deleted and re-added site has no report.
    vd.ok('site_delete', 'clean.example')
    vd.add('clean.example')
    assert vd.sites(withscanreport='')['clean.example']['scanreport'] is None


def test_syncfile_get(running, vd):
    response = vd.call('syncfile_get')
    assert response.status_code == 200
    filename = response.headers['X-Filename']
    assert re.match(r'^vdconnect-\d{8}\.php$', filename)
    assert response.headers['Content-Disposition'] == 'attachment; filename="%s"' % filename
    content = response.text
    assert content.startswith('<?php') and filename in content
    assert content in vd.app.secrets() and content in vd.admin('secrets')['secrets']
    assert filename not in vd.app.secrets()
    # Stable per account: the same for every key of the account, after a reset too.
    assert vd.call('syncfile_get', key='nomac').content == response.content
    assert vd.call('syncfile_get', key='limited').headers['X-Filename'] == filename
    vd.admin('reset', {})
    assert vd.call('syncfile_get').content == response.content
    assert vd.state()['syncfiles'][vd.state()['account']] == filename
    # Errors are raw: HTTP 4xx with a short text.
    for kwargs, status, text in ((dict(cookie=''), 401, 'Authorization required'),
                                 (dict(key=('f' * 32, None)), 401, 'Invalid API key'),
                                 (dict(mac='0' * 32), 403, 'Invalid signature'),
                                 (dict(http='POST', data=''), 405, 'HTTP method not allowed')):
        failed = vd.call('syncfile_get', **kwargs)
        assert failed.status_code == status and failed.text.strip() == text, kwargs
        assert failed.headers['Content-Type'].startswith('text/plain') and 'X-Filename' not in failed.headers
    assert vd.call('syncfile_get', 'extra').status_code == 400
    data = vd.ok('api_methoddata', 'syncfile_get')
    assert data['alwaysRaw'] == 1 and data['errprefix'] == 170


def test_units(vd):
    vd.add({'name': 'u1.example', 'share': 'unit@example.com'}, {'name': 'u2.example', 'share': 'unit@example.com'},
           {'name': 'u3.example', 'share': 'keep@example.com'}, 'u4.example')
    assert vd.ok('unit_update', 'unit@example.com', 'New.Unit@example.com') == 'New.Unit@example.com'
    assert [vd.unit_of('u%d.example' % i) for i in (1, 2, 3, 4)] == ['new.unit@example.com'] * 2 + ['keep@example.com', None]
    assert sorted(vd.sites(unit='new.unit@example.com')) == ['u1.example', 'u2.example']
    assert [u['email'] for u in vd.state()['units']] == ['new.unit@example.com', 'keep@example.com']
    assert vd.ok('unit_update', 'new.unit@example.com', 'new.unit@example.com') == 'new.unit@example.com'
    vd.error(160902, 'unit_update', 'unit@example.com', 'x@example.com')
    vd.error(160903, 'unit_update', 'new.unit@example.com', 'KEEP@example.com')
    vd.error(160900, 'unit_update', 'nope', 'x@example.com')
    vd.error(160901, 'unit_update', 'keep@example.com', 'nope')
    # unit_delete without withsites: the sites stay, unshared.
    assert vd.ok('unit_delete', 'keep@example.com') == 'keep@example.com'
    assert vd.unit_of('u3.example') is None
    vd.error(161901, 'unit_delete', 'keep@example.com')
    assert vd.ok('unit_delete', 'keep@example.com', query='ignore') is None
    vd.error(161900, 'unit_delete', 'nope')
    # withsites: the unit's sites go too.
    assert vd.ok('unit_delete', 'new.unit@example.com', query='withsites&ignore') == 'new.unit@example.com'
    assert sorted(vd.sites()) == ['u3.example', 'u4.example']
    assert vd.state()['units'] == []
    # withsites=0 keeps them.
    vd.add({'name': 'u5.example', 'share': 'last@example.com'})
    vd.ok('unit_delete', 'last@example.com', query='withsites=0')
    assert vd.unit_of('u5.example') is None


def test_agency(vd):
    vd.error(122900, 'agency_view')
    vd.error(121900, 'agency_delete')
    assert vd.ok('agency_delete', query='ignore') is None
    agency = {'title': 'Hoster Ltd', 'email': 'ops@hoster.example', 'website': 'hoster.example',
              'logourl': 'https://hoster.example/logo.png', 'phone': '+1 555 0100', 'country': 'GB', 'zipcode': 'N1 9GU',
              'address': '1 Street', 'bank_currency': 'GBP', 'bank_swift': 'ABCDGB2L', 'bank_account': '12345678',
              'bank_routing': '000000', 'bank_country': 'GB', 'bank_invoicemail': 'invoices@hoster.example'}
    assert vd.ok('agency_update', body=agency) == agency
    assert vd.ok('agency_view') == agency
    assert vd.state()['agency'] == agency
    # An update replaces the whole object: fields not sent are gone.
    assert vd.ok('agency_update', body={'title': 'Hoster 2', 'email': 'ops@hoster.example'}) == {
        'title': 'Hoster 2', 'email': 'ops@hoster.example'}
    assert vd.ok('agency_view') == {'title': 'Hoster 2', 'email': 'ops@hoster.example'}
    for body, code in (({'email': 'a@b.example'}, 120901), ({'title': 'T'}, 120901), ({'title': ' ', 'email': 'a@b.example'}, 120901),
                       ({'title': 'T', 'email': 'nope'}, 120902), ({'title': 'T', 'email': 'a@b.example', 'phone': 5}, 120902),
                       ({'title': 'T', 'email': 'a@b.example', 'logourl': 'ftp://x'}, 120902),
                       ({'title': 'T', 'email': 'a@b.example', 'bank_currency': 'POUND'}, 120902),
                       ({'title': 'T', 'email': 'a@b.example', 'bank_invoicemail': 'x'}, 120902),
                       ({'title': 'T', 'email': 'a@b.example', 'vat': '1'}, 120903), ([], 120900), ('x', 120900)):
        answer = vd.error(code, 'agency_update', body=body)
        assert answer['errorinfo'], body
    vd.error(145907, 'agency_update', data='{"title": ', http='POST')
    vd.error(145906, 'agency_update')
    assert vd.ok('agency_view') == {'title': 'Hoster 2', 'email': 'ops@hoster.example'}
    assert vd.ok('agency_delete') == {'title': 'Hoster 2', 'email': 'ops@hoster.example'}
    vd.error(122900, 'agency_view')
    assert vd.state()['agency'] is None


# -- users, keys, metadata -----------------------------------------------------------------------
def test_signup_signin_signout(vd):
    account = vd.state()['account']
    signup = vd.ok('signup', account)
    assert signup['user']['email'] == account and isinstance(signup['user']['regdate'], int)
    assert signup['otp']['length'] == 6 and signup['otp']['expires_in'] == 600
    otp = [o for o in vd.state()['otps'] if o['email'] == account][0]['otp']
    vd.error(111902, 'signin', account, '000000' if otp != '000000' else '111111')
    vd.error(111901, 'signin', 'nobody@example.com', '123456')
    vd.error(111900, 'signin', 'nope', '123456')
    signin = vd.ok('signin', account, otp)
    assert list(signin) == ['user', 'syncfile', 'publickey', 'privatekey', 'keydata']
    private = signin['privatekey']
    assert HEX32.match(private['key']) and private['id'] == signin['publickey']['id']
    assert signin['syncfile']['filename'] == vd.state()['syncfiles'][account]
    assert signin['keydata']['uid'] == account and signin['keydata']['pid'] == vd.ok('api_keyinfo')['id']
    assert {private['key'], private['hmac'], signin['publickey']['key']} <= vd.app.secrets()
    vd.error(111901, 'signin', account, otp)  # one time
    # The new key works (with its own MAC key), sees the same account, and can sign out once.
    new = (private['key'], private['hmac'])
    vd.add('acct.example')
    assert [s['host'] for s in vd.ok('sites_list', key=new)] == ['acct.example']
    assert vd.answer('api_keyinfo', key=new)['keyid'] == private['id']
    # As the vendor's WordPress plugin uses it: without apimac (its DS check is off unless signin_key_dscheck).
    assert vd.answer('api_keyinfo', key=(private['key'], None))['keyid'] == private['id']
    info = vd.ok('signout', key=new)
    assert info['id'] == private['id'] and info['uid'] == account
    vd.error(145901, 'api_keyinfo', key=new)
    vd.error(112900, 'signout')  # the initial keys are not signin keys
    vd.ok('api_keyinfo')
    # A new e-mail: a new user with an account of its own.
    signup = vd.ok('signup', 'New@Example.com')
    assert signup['user'] == {'login': 'new@example.com', 'email': 'new@example.com'}
    otp = [o for o in vd.state()['otps'] if o['email'] == 'new@example.com'][0]['otp']
    signin = vd.ok('signin', 'new@example.com', otp)
    other = (signin['privatekey']['key'], signin['privatekey']['hmac'])
    assert vd.ok('sites_list', key=other) == []
    assert vd.ok('api_userinfo', key=other)['email'] == 'new@example.com'
    assert vd.call('syncfile_get', key=other).headers['X-Filename'] == signin['syncfile']['filename'] != \
        vd.state()['syncfiles'][account]
    # An expired one-time password.
    vd.configure(otp_ttl=1)
    vd.ok('signup', account)
    otp = [o for o in vd.state()['otps'] if o['email'] == account][0]['otp']
    time.sleep(1.1)
    vd.error(111903, 'signin', account, otp)


def test_dashboard_keyinfo_userinfo_methodlist(vd):
    url = vd.ok('dashboard')
    assert url.startswith(vd.running.urls['virusdie'] + '/dashboard/login/?token=')
    assert url.split('=')[1] in vd.app.secrets()
    info = vd.ok('api_keyinfo')
    assert list(info) == ['id', 'owner', 'created', 'modified', 'expires', 'uid', 'ip', 'pid', 'dscheck', 'permissions']
    assert info['owner'] == vd.state()['account'] and info['expires'] == 0
    assert vd.keys['main'][0] not in json.dumps(info) and vd.keys['main'][1] not in json.dumps(info)
    user = vd.ok('api_userinfo')
    assert user['email'] == vd.state()['account'] and user['login'] == user['email']
    # The fields the vendor's WordPress plugin reads; clientfile is the sync file's name.
    assert {'id', 'billtype', 'free', 'clientfile', 'avatar', 'regdate'} <= set(user)
    assert user['clientfile'] == vd.state()['syncfiles'][vd.state()['account']]
    methods = vd.ok('api_methodlist')
    assert methods == ['signup', 'signin', 'signout', 'dashboard', 'agency_update', 'agency_delete', 'agency_view',
                       'sites_add', 'sites_list', 'site_delete', 'site_unshare', 'site_setoption', 'site_scan',
                       'unit_update', 'unit_delete', 'syncfile_get', 'api_methodlist', 'api_methoddata', 'api_keyinfo',
                       'api_userinfo', 'api_test']
    assert vd.ok('api_methodlist', key='limited') == methods
    prefixes = []
    for method in methods:
        data = vd.ok('api_methoddata', method)
        assert 100 <= data['errprefix'] <= 999 and isinstance(data['errors'], list), method
        assert set(data) >= {'description', 'alwaysRaw', 'httpMethods', 'path', 'argv', 'post', 'errprefix', 'errors'}
        prefixes.append(data['errprefix'])
    assert len(set(prefixes)) == len(prefixes) and 145 not in prefixes  # 145: the system errors
    assert vd.ok('api_methoddata', 'sites_add')['httpMethods'] == 'POST'
    assert vd.ok('api_methoddata', 'unit_delete')['argv'] == {'withsites': '^(|0|1)$', 'ignore': '^(|0|1)$'}
    vd.error(181900, 'api_methoddata', 'no_such_method')


def test_methoddata_option_table(vd):
    data = vd.ok('api_methoddata', 'site_setoption')
    assert data['errprefix'] == 150 and data['errors'] == ['Invalid domain name', 'Site not found', 'Unknown option',
                                                           'Invalid option value']
    assert data['httpMethods'] == 'GET' and len(data['path']) == 3
    options = data['options']
    assert list(options) == ['scanperiod', 'firewall', 'autotreatment']
    assert options['scanperiod']['value'] == '^(0|3600|21600|43200|86400|604800|2592000)$'
    assert options['firewall']['value'] == options['autotreatment']['value'] == '^[01]$'
    assert [options[o]['field'] for o in options] == ['scanperiod', 'firewallstatus', 'autotreatment']
    assert [options[o]['restricted'] for o in options] == [0, 1, 1]
    assert [options[o]['available'] for o in options] == [1, 1, 1]
    assert data['permissions'] == {'1': 'site_scan', '2': 'scanperiod', '4': 'firewall', '8': 'autotreatment'}
    limited = vd.ok('api_methoddata', 'site_setoption', key='limited')['options']
    assert [limited[o]['available'] for o in limited] == [1, 0, 0]
    # The regexes are the ones the emulator applies.
    for name, option in options.items():
        assert re.match(option['value'], '1' if name != 'scanperiod' else '3600')
        assert not re.match(option['value'], '2')


def test_api_test(vd):
    result = vd.ok('api_test', 'a', 'b c', 'd', query='str=hello&int=42&nullint=&extra=x')
    assert result['REQUEST_URI'] == '/api/api_test/a/b%20c/d/?str=hello&int=42&nullint=&extra=x'
    assert result['PATH'] == ['a', 'b c', 'd']
    assert result['QUERY'] == {'str': 'hello', 'int': 42, 'nullint': None, 'extra': 'x'}
    assert result['HEADERS']['cookie'].startswith('apikey=')  # echoed like the rest of the request
    assert result['POST'] == {'TYPE': '', 'LENGTH': 0, 'DATA': ''} and result['FILES'] == []
    posted = vd.ok('api_test', query='str=s&int=-1&nullint=7', body={'k': 'v'})
    assert posted['POST'] == {'TYPE': 'application/json; charset=UTF-8', 'LENGTH': 10, 'DATA': '{"k": "v"}'}
    assert posted['PATH'] == [] and posted['QUERY']['nullint'] == 7
    vd.error(190900, 'api_test', query='int=1')
    vd.error(190900, 'api_test', query='str=x')
    vd.error(190901, 'api_test', query='str=x&int=one')
    vd.error(145907, 'api_test', 'a', 'b', 'c', 'd', query='str=x&int=1')
    answer = vd.error(123456, 'api_test', query='str=x&int=1&err=123456')
    assert answer['message'] == 'Test error 123456'
    raw = vd.call('api_test', 'x', query='str=x&int=1&raw=1')
    assert raw.status_code == 200 and raw.headers['Content-Type'].startswith('text/plain')
    assert json.loads(raw.text)['PATH'] == ['x']


# -- rate limit, faults, counters ------------------------------------------------------------------
def test_rate_limit_timewait(vd):
    config = vd.admin('config')
    assert (config['rate_limit_enabled'], config['rate_capacity'], config['rate_refill_per_second']) == (True, 60, 5.0)
    # A bucket that refills slowly (one token per 100 s): the fourth request is refused, whatever the machine's speed.
    vd.configure(rate_capacity=3, rate_refill_per_second=0.01)
    for dummy in range(3):
        assert vd.answer('sites_list')['timewait'] < 1000  # ordinary answers: execution time in ms
    vd.error(145902, 'sites_list', mac='0' * 32)  # refused before the bucket: takes no token
    answer = vd.error(145905, 'sites_list')
    assert answer['message'] == 'Too many requests' and 90000 <= answer['timewait'] <= 100000
    assert answer['errorinfo'] == 'retry in %d ms' % answer['timewait']
    answer = vd.error(145905, 'sites_add', body=['limited.example'])
    assert answer['method'] == 'sites_add' and answer['timewait'] > 0
    assert vd.state()['sites'] == []
    raw = vd.call('syncfile_get')
    assert raw.status_code == 429 and raw.text.strip() == 'Too many requests' and int(raw.headers['Retry-After']) >= 90
    counters = vd.admin('counters')
    assert counters['statuses'] == {'200': 6, '429': 1} and counters['counts']['sites_list'] == 5
    # Waiting timewait is enough: one token per 0.5 s.
    vd.configure(rate_capacity=1, rate_refill_per_second=2.0)
    vd.ok('sites_list')
    answer = vd.answer('sites_list')
    if answer['error']:  # (a very slow machine may already have earned the next token)
        assert answer['error'] == 145905 and 1 <= answer['timewait'] <= 500
        time.sleep(answer['timewait'] / 1000.0 + 0.05)
    vd.ok('sites_list')
    vd.configure(rate_limit_enabled=False)
    for dummy in range(5):
        vd.ok('sites_list')


def test_faults(vd):
    # The vendor answers 200 for JSON methods: injected HTTP faults model a gateway in front (generic text).
    for status in (429, 500, 502, 503, 504):
        vd.admin('faults', {'endpoint': 'sites_list', 'kind': 'http_%d' % status})
        response = vd.call('sites_list')
        assert response.status_code == status and response.headers['Content-Type'].startswith('text/plain')
    # The API's own rate-limit answer on one endpoint, with timewait from the fault's delay.
    vd.admin('faults', {'endpoint': 'site_scan', 'kind': 'too_many_requests', 'delay': 1.5})
    answer = vd.error(145905, 'site_scan', 'x.example')
    assert answer['timewait'] == 1500 and answer['method'] == 'site_scan'
    vd.admin('faults', {'endpoint': 'syncfile_get', 'kind': 'too_many_requests', 'delay': 0.2})
    raw = vd.call('syncfile_get')
    assert raw.status_code == 429 and raw.headers['Retry-After'] == '1'
    # *_after: the write lands, its answer is lost.
    vd.admin('faults', {'endpoint': 'sites_add', 'kind': 'http_502_after'})
    assert vd.call('sites_add', body=['landed.example']).status_code == 502
    assert vd.add('landed.example') == {'0': 'Site already exists'}
    vd.admin('faults', {'endpoint': 'site_setoption', 'kind': 'invalid_json'})
    with pytest.raises(ValueError):
        vd.call('site_setoption', 'landed.example', 'firewall', '1').json()
    assert vd.sites()['landed.example']['firewallstatus'] == 0


def test_counters_and_writes(vd):
    vd.add({'name': 'c.example', 'share': 'u@example.com'})
    vd.ok('sites_list')
    vd.ok('site_setoption', 'c.example', 'firewall', '1')
    vd.configure(syncfile_uploaded=['c.example'])
    vd.ok('site_scan', 'c.example')
    vd.ok('site_unshare', 'u@example.com', 'c.example')
    vd.add({'name': 'd.example', 'share': 'u@example.com'})
    vd.ok('unit_update', 'u@example.com', 'v@example.com')
    vd.ok('unit_delete', 'v@example.com')
    vd.ok('site_delete', 'c.example')
    vd.ok('agency_update', body={'title': 'T', 'email': 't@example.com'})
    vd.ok('agency_view')
    vd.ok('agency_delete')
    vd.call('syncfile_get')
    vd.ok('api_methoddata', 'sites_add')
    vd.error(145903, 'nothing')
    report = vd.admin('counters')
    assert report['counts'] == {
        'sites_add': 2, 'sites_list': 1, 'site_setoption': 1, 'site_scan': 1, 'site_unshare': 1, 'unit_update': 1,
        'unit_delete': 1, 'site_delete': 1, 'agency_update': 1, 'agency_view': 1, 'agency_delete': 1,
        'syncfile_get': 1, 'api_methoddata': 1, 'nothing': 1}
    assert report['writes'] == 10 and report['total'] == 15


def test_unknown_methods_and_paths(vd):
    vd.error(145903, 'Sites_list')
    answer = vd.error(145903, '', url=vd.api_url + '/')
    assert answer['method'] == ''
    response = vd.session.get(vd.running.urls['virusdie'] + '/elsewhere', timeout=5)
    assert response.status_code == 404
    vd.error(145907, 'sites_list', 'extra')
    vd.error(145906, 'sites_list', http='DELETE')
    # Without the trailing slash the method is found too.
    assert vd.ok('sites_list', url=vd.api_url + '/sites_list') == []
    assert vd.admin('counters')['counts']['/elsewhere'] == 1


# -- state, secrets, config ---------------------------------------------------------------------------
def test_state_and_secrets(running, vd):
    app = vd.app
    main, mac = vd.keys['main']
    assert {main, mac, vd.keys['nomac'][0], vd.keys['limited'][0]} <= app.secrets()
    vd.add({'name': 's.example', 'share': 'u@example.com'})
    vd.ok('agency_update', body={'title': 'T', 'email': 't@example.com'})
    state = vd.state()
    assert set(state) == {'account', 'keys', 'users', 'sites', 'units', 'agency', 'agencies', 'scans', 'otps', 'syncfiles',
                          'rate'}
    assert [k['source'] for k in state['keys']] == ['main', 'nomac', 'limited']
    assert [k['dscheck'] for k in state['keys']] == [1, 0, 0]
    assert state['keys'][0]['key'] == main and state['keys'][0]['hmac'] == mac
    site = state['sites'][0]
    assert site['host'] == 's.example' and site['account'] == state['account'] and site['syncfile'] is False
    assert site['scanreport'] is None and site['unit'] == 'u@example.com'
    assert state['units'] == [{'email': 'u@example.com', 'account': state['account'], 'created': state['units'][0]['created'],
                               'sites': ['s.example']}]
    assert state['agency'] == {'title': 'T', 'email': 't@example.com'}
    assert state['agencies'] == {state['account']: state['agency']}
    assert state['account'] not in app.secrets()
    # Reset: the initial keys stay; signin keys go, but stay in secrets().
    vd.ok('signup', state['account'])
    otp = vd.state()['otps'][0]['otp']
    private = vd.ok('signin', state['account'], otp)['privatekey']
    assert len(vd.state()['keys']) == 4
    vd.admin('reset', {})
    state = vd.state()
    assert len(state['keys']) == 3 and state['sites'] == [] and state['agency'] is None and state['otps'] == []
    assert {private['key'], private['hmac'], main, mac} <= app.secrets()
    assert set(vd.admin('secrets')['secrets']) == app.secrets()
    vd.error(145901, 'api_keyinfo', key=(private['key'], private['hmac']))


def test_bad_config(vd):
    for bad in ({'rate_capacity': 0}, {'rate_refill_per_second': 0}, {'scan_duration': -1}, {'otp_ttl': 0},
                {'unknown_knob': 1}, {'syncfile_uploaded': 'example.com'}, {'syncfile_uploaded': ['not a domain']},
                {'syncfile_uploaded': [1]}, {'scan_threats': {'example.com': -1}}, {'scan_threats': {'bad domain': 1}},
                {'scan_threats': {'example.com': {'viruses': 1}}}, {'scan_threats': {'example.com': {'threats': 'x'}}},
                {'scan_threats': {'example.com': True}}, {'php_arrays': 1}):
        response = vd.session.post(vd.admin_url + '/config', json=bad, timeout=5)
        assert response.status_code == 400, bad
    config = vd.admin('config')
    assert (config['rate_capacity'], config['scan_duration'], config['syncfile_uploaded'], config['scan_threats']) == (
        60, 0.5, [], {})
