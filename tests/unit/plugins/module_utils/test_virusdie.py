# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Virusdie client (plugins/module_utils/virusdie.py) through FakeHttp."""

import hashlib
import hmac

import pytest

from unit.fake_http import FakeHttp, dropped
from ansible_collections.domainsec.onboard.plugins.module_utils import http_transport as H
from ansible_collections.domainsec.onboard.plugins.module_utils import virusdie as vd

API_KEY = 'a' * 32
MAC_KEY = 'mac-key-0123456789abcdef012345'


def ok(result):
    return {'version': '1', 'keyid': 'k1', 'method': 'm', 'timewait': 2, 'error': 0, 'message': '', 'errorinfo': '',
            'result': result}


def err(code, message, timewait=0):
    return {'version': '1', 'keyid': 'k1', 'method': 'm', 'timewait': timewait, 'error': code, 'message': message,
            'errorinfo': '', 'result': None}


def client(*outcomes, **kwargs):
    params = dict(api_key=API_KEY, mac_key=kwargs.get('mac_key', MAC_KEY), api_url='https://vd.test/api',
                  validate_certs=True, ca_path=None, timeout=30, retries=2, rate_limit_wait=kwargs.get('budget', 30))
    c = vd.VirusdieClient.from_params(params)
    sleeps = []
    c.http.sleep = sleeps.append
    fake = FakeHttp(key_of=lambda sent: sent.path.split('/')[2]).on('*', *outcomes).mount(c.http)
    return c, fake, sleeps


def test_cookies_sign_the_path_and_query_exactly_as_sent():
    c, fake, _sleeps = client(ok([]))
    c.list_sites(unit='owner+1@example.com', scan_report=True)
    sent = fake.sent[0]
    assert sent.path_url == '/api/sites_list/?unit=owner%2B1%40example.com&withscanreport='
    mac = hmac.new(MAC_KEY.encode(), sent.path_url.encode(), hashlib.md5).hexdigest()
    assert sent.headers['Cookie'] == 'apikey=%s; apimac=%s' % (API_KEY, mac)
    trace = '\n'.join(c.http.trace)
    assert API_KEY not in trace and mac not in trace and MAC_KEY not in trace


def test_without_a_mac_key_no_apimac_is_sent():
    c, fake, _sleeps = client(ok([]), mac_key=None)
    c.list_sites()
    assert fake.sent[0].headers['Cookie'] == 'apikey=%s' % API_KEY


def test_path_parameters_are_encoded_and_domains_are_idna_2008():
    assert vd.canonical_domain('Bücher.Example.') == 'xn--bcher-kva.example'
    assert vd.canonical_domain('straße.de') == 'xn--strae-oqa.de'
    for bad in ('not a domain', 'localhost', '192.0.2.1', 'a\n.example.com'):
        with pytest.raises(ValueError):
            vd.canonical_domain(bad)
    c, fake, _sleeps = client(ok(['shop.example.com', 'scanperiod', '86400']))
    c.set_option('shop.example.com', 'scan_period', 86400)
    assert fake.sent[0].path == '/api/site_setoption/shop.example.com/scanperiod/86400/'


def test_an_error_names_the_method_code_and_message():
    c, _fake, _sleeps = client(err(123901, 'Site not found'))
    with pytest.raises(vd.VirusdieError, match=r'Virusdie refused site_scan \(123901\): Site not found'):
        c.scan_site('nope.example.com')


def test_permission_denied_names_the_option():
    c, _fake, _sleeps = client(err(vd.PERMISSION_DENIED, 'Permission denied'))
    with pytest.raises(vd.VirusdieError) as exc:
        c.set_option('shop.example.com', 'firewall', True)
    assert '145904' in str(exc.value) and 'may not change firewall' in str(exc.value)


def test_a_rate_limited_answer_is_waited_out_and_sent_again():
    c, fake, sleeps = client(err(100905, 'Too many requests', timewait=1500), ok([]))
    assert c.list_sites() == {}
    assert len(fake.sent) == 2 and 1.5 <= sleeps[0] <= 1.5 + 0.5


def test_an_ordinary_error_with_an_execution_time_is_not_a_wait():
    c, fake, sleeps = client(err(123901, 'Site not found', timewait=3))
    with pytest.raises(vd.VirusdieError):
        c.scan_site('nope.example.com')
    assert len(fake.sent) == 1 and sleeps == []


def test_a_reply_without_error_or_result_is_a_failed_read_or_an_unknown_write():
    c, fake, _sleeps = client({'version': '1'}, {'version': '1'}, {'version': '1'})
    with pytest.raises(H.TransportError):
        c.list_sites()
    c, fake, _sleeps = client({'version': '1'})
    with pytest.raises(H.WriteOutcomeUnknown):
        c.write('scan_site', 'site_scan', ['x.example.com'])


def test_sites_add_reports_per_site_failures_and_a_lost_answer_is_re_read():
    c, fake, _sleeps = client(ok({'1': 'Domain is not valid'}))
    assert c.add_sites(['a.example.com', 'bad.example']) == {1: 'Domain is not valid'}
    assert fake.sent[0].json() == ['a.example.com', 'bad.example']
    c, fake, _sleeps = client(dropped(), ok([{'host': 'a.example.com'}, {'host': 'b.example.com'}]))
    assert c.add_sites(['a.example.com', {'name': 'b.example.com', 'share': 'o@example.com'}]) == {}
    assert [s.path for s in fake.sent] == ['/api/sites_add/', '/api/sites_list/']


def test_the_sync_file_is_never_traced():
    content = b'<?php // key material 0123456789abcdef'
    c, _fake, _sleeps = client((200, content, {'Content-Type': 'application/octet-stream',
                                               'Content-Disposition': 'attachment; filename="vdconnect-12345678.php"'}))
    assert c.syncfile() == ('vdconnect-12345678.php', content)
    assert 'key material' not in '\n'.join(c.http.trace)


def test_firewall_history_becomes_named_days():
    days = vd.firewall_days({'20201202': None, '20201201': [20201201, 100, 18, 6, 5, 4, 3, 2]})
    assert days == [dict(date='20201201', allowed=100, blocked=18, dos=6, injections=5, uploads=4, other=3,
                         blocked_ips=2), dict(date='20201202')]
