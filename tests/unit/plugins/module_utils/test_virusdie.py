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
    assert vd.canonical_or_raw('Bücher.Example.') == 'xn--bcher-kva.example'
    assert vd.canonical_or_raw('straße.de') == 'xn--strae-oqa.de'
    for bad in ('not a domain', 'localhost', '192.0.2.1', 'a\n.example.com'):  # kept as Virusdie sent them
        assert vd.canonical_or_raw(bad) == bad.strip().lower()
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
    c, fake, _sleeps = client(ok({'1': 'Domain is not valid'}), ok([{'host': 'a.example.com'}]))
    assert c.add_sites(['a.example.com', 'bad.example']) == {1: 'Domain is not valid'}
    assert fake.sent[0].json() == ['a.example.com', 'bad.example']
    assert [s.path for s in fake.sent] == ['/api/sites_add/', '/api/sites_list/']  # is the refused one there after all?
    assert c.done == [{'operation': 'add_sites', 'what': 'sites added: a.example.com'}] and c.found == []
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


# -- a scan whose answer is lost (issue 22, defect 7) ------------------------------------------------------------
def test_a_lost_scan_answer_says_the_scan_may_have_started_and_is_noted_not_sent_again(tmp_path):
    notes = vd.ScanNotes('https://vd.test/api', str(tmp_path))
    c, fake, _sleeps = client(dropped(), ok([{'host': 'a.example.com', 'scanreport': {'id': 7, 'date': 100}}]))
    with pytest.raises(H.DomainsecError) as err:
        c.scan_site('a.example.com', before={'id': 7, 'date': 100}, notes=notes)
    assert 'the scan may have started' in str(err.value) and 'It was not sent again' in str(err.value)
    assert notes.path('a.example.com') in str(err.value)
    assert [s.path for s in fake.sent] == ['/api/site_scan/a.example.com/', '/api/sites_list/']
    assert fake.sent[1].query == {'withscanreport': ''} and c.done == []
    note = notes.recall('a.example.com')
    assert note['report'] == {'id': 7, 'date': 100} and note['host'] == 'a.example.com'
    # A later run: no newer report -> the scan may still be running; a newer one -> it ran (the note goes).
    same = {'a.example.com': {'host': 'a.example.com', 'scanreport': {'id': 7, 'date': 100}}}
    assert c.earlier_scans(['a.example.com'], same, notes) == {'a.example.com': (False, note)}
    newer = {'a.example.com': {'host': 'a.example.com', 'scanreport': {'id': 8, 'date': 200}}}
    assert c.earlier_scans(['a.example.com'], newer, notes, forget=False) == {'a.example.com': (True, {'id': 8, 'date': 200})}
    assert notes.recall('a.example.com') is not None  # check mode keeps the note
    assert c.earlier_scans(['a.example.com'], newer, notes)['a.example.com'][0] is True
    assert notes.recall('a.example.com') is None and c.earlier_scans(['a.example.com'], same, notes) == {}


def test_a_lost_scan_answer_whose_report_is_there_already_is_done(tmp_path):
    notes = vd.ScanNotes('https://vd.test/api', str(tmp_path))
    c, fake, _sleeps = client(dropped(), ok([{'host': 'a.example.com', 'scanreport': {'id': 1, 'date': 50}}]))
    assert c.scan_site('a.example.com', before=None, notes=notes) == 'a.example.com'
    assert len(fake.to('site_scan')) == 1 and c.done[0]['operation'] == 'scan_site'
    assert notes.recall('a.example.com') is None


def test_an_expired_scan_note_is_dropped(tmp_path):
    now = [1000.0]
    notes = vd.ScanNotes('https://vd.test/api', str(tmp_path), clock=lambda: now[0])
    notes.remember('a.example.com', 1000.0, None)
    assert notes.recall('a.example.com')['sent_at'] == 1000.0
    now[0] += vd.ScanNotes.TTL + 1
    assert notes.recall('a.example.com') is None and not (tmp_path / notes.path('a.example.com')).exists()


class _SiteModule(object):
    """Just what virusdie_site.run reads of an AnsibleModule."""

    def __init__(self, lock_dir, check_mode=False):
        self.params = dict(state='present', scan=True, lock_dir=lock_dir)
        self.check_mode = check_mode
        self._diff = False
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


def test_virusdie_site_does_not_start_a_second_scan_blindly_after_a_lost_answer(tmp_path):
    """Against the emulator in process: the scan's answer is lost (drop_after: it started); the re-run refuses before
    any write while no newer report is there, and once the report is there it starts no other scan."""
    from emulators.base import parse_fault  # pylint: disable=import-outside-toplevel
    from emulators.virusdie import VirusdieApp  # pylint: disable=import-outside-toplevel
    from ansible_collections.domainsec.onboard.plugins.modules import virusdie_site as mod  # pylint: disable=import-outside-toplevel
    app = VirusdieApp()
    app.configure({'rate_limit_enabled': False, 'scan_duration': 600, 'syncfile_uploaded': ['a.example.com']})
    c = vd.VirusdieClient.from_params(dict(api_url='https://vd.test/api', api_key=app.api_key, mac_key=app.mac_key,
                                           timeout=30, retries=0, rate_limit_wait=0, validate_certs=True, ca_path=None))
    c.http.sleep = lambda seconds: None
    FakeHttp.for_app(app).mount(c.http)
    assert c.add_sites(['a.example.com']) == {}
    app.faults.add(parse_fault({'endpoint': 'site_scan', 'kind': 'drop_after'}, app))

    def scans():
        return app.counter_report()['counts'].get('site_scan', 0)

    def run(check_mode=False):
        module = _SiteModule(str(tmp_path), check_mode)
        return module, mod.run(module, c, ['a.example.com'], {}, None, dict(failed_domains={}))
    with pytest.raises(H.DomainsecError, match='the scan may have started'):
        run()
    assert scans() == 1 and len(app.scans) == 1
    for check_mode in (True, False):
        with pytest.raises(H.DomainsecError, match='A scan may still be running for a.example.com'):
            run(check_mode)
    assert scans() == 1
    app.scans[-1]['finishes'] = 0  # the scan ends: its report is there
    module, result = run(check_mode=True)
    assert result['scanned'] == ['a.example.com'] and not result['changed'] and 'ran' in module.warnings[0]
    module, result = run()
    assert scans() == 1 and result['scanned'] == ['a.example.com'] and not result['changed']
    assert 'No other scan was started' in module.warnings[0]
    module, result = run()  # the note is gone: a new run with scan: true scans again
    assert scans() == 2 and result['changed'] and module.warnings == []


# -- answers that are not what the guide describes (issue 22, defect 8) ------------------------------------------
@pytest.mark.parametrize('result, words', [
    (['title', 'email'], 'an agency record'),
    ('Acme', 'an agency record'),
    ({'title': 'Acme'}, 'an agency record with email'),
    ({'title': ['Acme'], 'email': 'a@example.com'}, 'text in title'),
    ({'title': 'Acme', 'email': {'x': 1}}, 'text in email'),
])
def test_a_malformed_agency_answer_names_the_call(result, words):
    c, _fake, _sleeps = client(ok(result))
    with pytest.raises(H.ApiError) as err:
        c.view_agency()
    assert 'Virusdie answered agency_view with an unexpected result' in str(err.value) and words in str(err.value)


def test_an_agency_answer_that_is_no_json_names_the_call():
    c, fake, _sleeps = client(b'<html>oops</html>', b'<html>oops</html>', b'<html>oops</html>')
    with pytest.raises(H.TransportError, match='agency_view'):
        c.view_agency()
    assert len(fake.sent) == 3  # a read: retried


def test_an_agency_with_numbers_reads_as_text():
    c, _fake, _sleeps = client(ok({'title': 'Acme', 'email': 'a@example.com', 'zipcode': 12345}))
    assert c.view_agency() == {'title': 'Acme', 'email': 'a@example.com', 'zipcode': '12345'}


@pytest.mark.parametrize('result', ['sites', [None], [['a.example.com']], [{'id': 1}], [{'host': 'a.example.com', 'scanreport': 3}],
                                    [{'host': 'a.example.com', 'fwhistory': {'20201201': 5}}]])
def test_a_malformed_sites_list_names_the_call(result):
    c, _fake, _sleeps = client(ok(result))
    with pytest.raises(H.ApiError, match='Virusdie answered sites_list with an unexpected result'):
        c.list_sites(scan_report=True, firewall_history=True)


@pytest.mark.parametrize('result', [{'x': 'bad'}, {'5': 'out of range'}, [{'not': 'a message'}]])
def test_a_malformed_sites_add_answer_names_the_call_and_says_it_may_have_landed(result):
    c, _fake, _sleeps = client(ok(result))
    with pytest.raises(H.ApiError) as err:
        c.add_sites(['a.example.com'])
    assert 'answered sites_add with an unexpected result' in str(err.value) and 'may have been carried out' in str(err.value)
