# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The CyberSSL client (plugins/module_utils/cyberssl.py) through FakeHttp, and its pure helpers."""

import datetime
import threading
import time

import pytest

from unit.fake_http import FakeHttp, dropped
from ansible_collections.domainsec.onboard.plugins.module_utils import cyberssl as cs
from ansible_collections.domainsec.onboard.plugins.module_utils import http_transport as H
from ansible_collections.domainsec.onboard.plugins.module_utils import locks

API_KEY = 'cs-key-0123456789abcdef'
BASE = 'https://cs.test/v1'


def params(**overrides):
    base = dict(api_key=API_KEY, sandbox=False, api_url=BASE, validate_certs=True, ca_path=None, timeout=30,
                retries=2, rate_limit_wait=30)
    base.update(overrides)
    return base


def client(tokens=('tok-AAAA-1111',), **overrides):
    """A client whose requests FakeHttp answers, keyed by the API method (last path segment).

    ``auth`` hands out ``tokens`` in turn; anything not scripted answers ``{"success": true}``.
    """
    c = cs.CyberSSLClient.from_params(params(**overrides))
    sleeps = []
    c.http.sleep = sleeps.append
    fake = FakeHttp(key_of=lambda sent: sent.path.rsplit('/', 1)[-1], default=lambda sent: {'success': True})
    fake.on('auth', *[{'success': True, 'token': t} for t in tokens])
    fake.mount(c.http)
    return c, fake, sleeps


def ok(**fields):
    return dict(fields, success=True)


def refused(code, message):
    return {'success': False, 'error_code': code, 'error_message': message}


def trace(c):
    return '\n'.join(c.http.trace)


# -- token ----------------------------------------------------------------------------
def test_one_token_per_run_sent_in_the_query_of_a_get_and_the_form_of_a_post():
    c, fake, _sleeps = client()
    fake.on('list_products', ok(ssl_products=[{'product_id': 17}]))
    fake.on('get_balance', ok(balance='500.00'))
    fake.on('validate_csr', ok(csr={'common_name': 'www.example.com'}))
    assert c.products() == [{'product_id': 17}]
    assert c.balance() == 500.0
    assert c.validate_csr('CSR', product_id=17, addon_domains=['a.example.com', 'b.example.com']) == {
        'common_name': 'www.example.com'}
    assert fake.keys() == ['auth', 'list_products', 'get_balance', 'validate_csr']
    assert c.token_count == 1
    auth = fake.sent[0]
    assert auth.method == 'GET' and auth.url.startswith(BASE + '/auth?') and auth.query == {'apikey': API_KEY}
    for sent in fake.sent[1:3]:
        assert sent.method == 'GET' and sent.query['token'] == 'tok-AAAA-1111' and sent.form == {}
    post = fake.sent[3]
    assert post.method == 'POST' and post.query == {}
    assert post.form == {'csr': 'CSR', 'product_id': '17', 'addon_domains': 'a.example.com,b.example.com',
                         'token': 'tok-AAAA-1111'}


def test_the_token_and_the_api_key_never_appear_in_the_trace():
    c, fake, _sleeps = client()
    fake.on('validate_csr', refused(108, 'Invalid CSR: no public key'))
    c.products()
    with pytest.raises(cs.CyberSSLError):
        c.validate_csr('CSR')
    text = trace(c)
    assert len(c.http.trace) == 3
    assert 'tok-AAAA-1111' not in text and API_KEY not in text
    assert '/auth' in text and '/validate_csr' in text  # the trace is there, only the secrets are masked
    assert 'tok-AAAA-1111' in c.http.redactor._secrets  # pylint: disable=protected-access


def test_an_expired_token_is_fetched_again_once_and_the_call_repeated():
    c, fake, _sleeps = client(tokens=('tok-old-1111', 'tok-new-2222'))
    fake.on('get_balance', refused(102, 'Invalid or expired token'), ok(balance='12.50'))
    assert c.balance() == 12.5
    assert fake.keys() == ['auth', 'get_balance', 'auth', 'get_balance']
    assert [s.query['token'] for s in fake.to('get_balance')] == ['tok-old-1111', 'tok-new-2222']
    assert c.token_count == 2
    assert 'tok-old-1111' not in trace(c) and 'tok-new-2222' not in trace(c)


def test_a_token_refused_twice_fails_without_a_third_try():
    c, fake, _sleeps = client(tokens=('tok-old-1111', 'tok-new-2222', 'tok-3333-3333'))
    fake.on('get_balance', refused(102, 'Invalid or expired token'), refused(102, 'Invalid or expired token'))
    with pytest.raises(cs.CyberSSLError, match=r'CyberSSL refused get_balance \(102\): Invalid or expired token'):
        c.balance()
    assert fake.keys() == ['auth', 'get_balance', 'auth', 'get_balance']


def test_a_refused_api_key_names_the_option():
    c, fake, _sleeps = client(tokens=())
    fake.on('auth', refused(101, 'Invalid API key'))
    with pytest.raises(cs.CyberSSLError) as exc:
        c.products()
    assert 'CyberSSL refused auth (101): Invalid API key' in str(exc.value)
    assert 'api_key' in str(exc.value) and 'CYBERSSL_API_KEY' in str(exc.value)
    assert fake.keys() == ['auth']  # the method itself is never sent without a token


def test_a_vendor_error_names_the_method_code_and_message():
    c, fake, _sleeps = client()
    fake.on('get_ssl_product_price', refused(109, 'Period 4 is not available for product 17'))
    with pytest.raises(cs.CyberSSLError) as exc:
        c.price(17, 4)
    assert str(exc.value) == 'CyberSSL refused get_ssl_product_price (109): Period 4 is not available for product 17'
    assert exc.value.error_code == 109 and 'api_key' not in str(exc.value)
    assert fake.to('get_ssl_product_price')[0].query == {'product_id': '17', 'period': '4', 'nr_domains': '1',
                                                         'token': 'tok-AAAA-1111'}


def test_an_unknown_order_reads_as_none():
    c, fake, _sleeps = client()
    fake.on('order_status', refused(106, 'Order not found'), refused(111, 'Not allowed while the order is Cancelled'))
    assert c.order(99) is None
    with pytest.raises(cs.CyberSSLError, match=r'\(111\)'):
        c.order(98)


# -- replies that are not the API's -----------------------------------------------------
def test_a_read_answered_without_json_fails_after_the_transport_retried():
    c, fake, sleeps = client()
    fake.on('list_products', *[(200, b'<html>busy</html>', {'Content-Type': 'text/html'})] * 3)
    with pytest.raises(H.TransportError) as exc:
        c.products()
    assert not isinstance(exc.value, H.WriteOutcomeUnknown)
    assert len(fake.to('list_products')) == 3 and len(sleeps) == 2


def test_a_read_answered_with_json_but_no_success_field_is_a_transport_error():
    c, fake, _sleeps = client()
    fake.on('my_orders', {'ssl_orders': []})
    with pytest.raises(H.TransportError, match='answered my_orders with no envelope of its API') as exc:
        c.orders()
    assert not isinstance(exc.value, H.WriteOutcomeUnknown)


ORDER_FIELDS = dict(product_id=17, order_type='new', period=1, csr='CSR', primary_domain='www.example.com',
                    csr_domain='www.example.com', dv_method='dns')
OLD = dict(order_id=1001, product_id=17, order_type='new', primary_domain='old.example.com',
           domains_included='old.example.com', status='Activated')
NEW = dict(order_id=1002, product_id=17, order_type='new', primary_domain='www.example.com',
           domains_included='www.example.com,example.com', status='Awaiting Validation')


def same_order(order):
    return order.get('primary_domain') == 'www.example.com' and str(order.get('product_id')) == '17'


def test_a_lost_order_reply_is_found_in_my_orders_and_never_sent_twice():
    c, fake, sleeps = client()
    fake.on('add_ssl_order', (200, b'<html>gateway</html>', {'Content-Type': 'text/html'}))
    fake.on('my_orders', ok(ssl_orders=[OLD, NEW]))
    answer = c.add_order(ORDER_FIELDS, 'www.example.com', known_ids={'1001'}, matches=same_order)
    assert answer == {'order_id': 1002, 'reply_lost': True}
    assert len(fake.to('add_ssl_order')) == 1
    assert fake.keys() == ['auth', 'add_ssl_order', 'my_orders']
    assert fake.to('add_ssl_order')[0].method == 'POST' and fake.to('add_ssl_order')[0].form['product_id'] == '17'
    assert len(sleeps) == 1  # settles once before the re-read
    assert c.done_count('add_ssl_order') == 1


def test_my_orders_entries_without_product_domain_or_status_are_completed_from_order_status():
    """The document does not say what a my_orders entry holds: a bare one is read in full, so that a lost reply is
    still found (and never bought twice); full entries cost no read."""
    c, fake, _sleeps = client()
    fake.on('add_ssl_order', (200, b'<html>gateway</html>', {'Content-Type': 'text/html'}))
    fake.on('my_orders', ok(ssl_orders=[{'order_id': 1001}, {'order_id': '1002'}, {'status': 'Activated'}]))
    fake.on('order_status', ok(order=OLD), ok(order=NEW))
    answer = c.add_order(ORDER_FIELDS, 'www.example.com', known_ids={'1001'}, matches=same_order)
    assert answer == {'order_id': '1002', 'reply_lost': True}
    assert len(fake.to('add_ssl_order')) == 1 and len(fake.to('order_status')) == 2
    c, fake, _sleeps = client()
    fake.on('my_orders', ok(ssl_orders=[OLD, NEW]))
    assert [o['order_id'] for o in c.orders()] == [1001, 1002] and fake.to('order_status') == []


def test_a_reply_without_success_to_an_order_is_an_unknown_outcome_too():
    c, fake, _sleeps = client()
    fake.on('add_ssl_order', {'order_id': 1002})
    fake.on('my_orders', ok(ssl_orders=[OLD, NEW]))
    assert c.add_order(ORDER_FIELDS, 'www.example.com', known_ids={'1001'}, matches=same_order) == {'order_id': 1002, 'reply_lost': True}
    assert len(fake.to('add_ssl_order')) == 1


def test_an_order_that_did_not_land_is_sent_again_exactly_once_more():
    c, fake, _sleeps = client()
    fake.on('add_ssl_order', (200, b'not json'), ok(order_id=1003, dv_options={}))
    fake.on('my_orders', ok(ssl_orders=[OLD, dict(NEW, primary_domain='other.example.com')]))
    answer = c.add_order(ORDER_FIELDS, 'www.example.com', known_ids={'1001'}, matches=same_order)
    assert answer['order_id'] == 1003 and 'reply_lost' not in answer
    assert fake.keys() == ['auth', 'add_ssl_order', 'my_orders', 'add_ssl_order']
    assert len(fake.to('add_ssl_order')) == 2


def test_a_dropped_connection_to_an_order_is_re_read_before_anything_else():
    c, fake, _sleeps = client()
    fake.on('add_ssl_order', dropped())
    fake.on('my_orders', ok(ssl_orders=[OLD, NEW]))
    assert c.add_order(ORDER_FIELDS, 'www.example.com', known_ids={'1001'}, matches=same_order)['reply_lost'] is True
    assert len(fake.to('add_ssl_order')) == 1


class Clock(object):
    def __init__(self, c, sleeps):
        self.now = 0.0
        c.http.clock = lambda: self.now
        c.http.sleep = self.sleep
        self.sleeps = sleeps

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_an_order_without_an_answer_that_never_shows_is_not_bought_again_and_the_message_names_it():
    c, fake, sleeps = client()
    Clock(c, sleeps)
    fake.on('add_ssl_order', dropped())
    fake.on('my_orders', *[ok(ssl_orders=[OLD])] * 40)
    with pytest.raises(cs.PurchaseUnknown) as caught:
        c.add_order(ORDER_FIELDS, 'www.example.com', known_ids={'1001'}, matches=same_order, prove_within=120,
                    what='new order for www.example.com (product 17, 1 year(s), price 5.00)')
    assert len(fake.to('add_ssl_order')) == 1
    message = caught.value.msg
    assert message.startswith('CyberSSL: the new order for www.example.com (product 17, 1 year(s), price 5.00) may '
                              'have been placed')
    assert 'Nothing was sent again' in message and 'cyberssl_order_info with domain=www.example.com' in message
    assert c.done_count('add_ssl_order') == 0


def test_a_slow_order_that_shows_within_the_settle_time_is_taken_up_once():
    c, fake, sleeps = client()
    Clock(c, sleeps)
    fake.on('add_ssl_order', dropped())
    fake.on('my_orders', ok(ssl_orders=[OLD]), ok(ssl_orders=[OLD]), ok(ssl_orders=[OLD, NEW]))
    assert c.add_order(ORDER_FIELDS, 'www.example.com', known_ids={'1001'}, matches=same_order,
                       prove_within=120) == {'order_id': 1002, 'reply_lost': True}
    assert len(fake.to('add_ssl_order')) == 1 and len(fake.to('my_orders')) == 3


def test_a_reissue_without_an_answer_is_guarded_like_an_order():
    c, fake, sleeps = client()
    Clock(c, sleeps)
    fake.on('reissue_ssl_order', dropped())
    fake.on('order_status', *[ok(order=dict(NEW, csr='OLD CSR'))] * 40)
    with pytest.raises(cs.PurchaseUnknown, match='reissue of order 1002 may have been placed'):
        c.reissue_order(1002, {'csr': 'NEW CSR', 'dv_method': 'dns'}, matches=lambda o: o.get('csr') == 'NEW CSR',
                        prove_within=30)
    assert len(fake.to('reissue_ssl_order')) == 1


# -- pure helpers ------------------------------------------------------------------------
def test_parse_dv_record_in_the_documents_comodo_form():
    record = ('F50E098C713586FE9A363B33BACDD249.test.com. CNAME '
              'b056c5e3252182a844b80e1eb5de04736c09c9d9.comodoca.com.')
    assert cs.parse_dv_record(record, ['test.com']) == dict(
        zone='test.com', name='f50e098c713586fe9a363b33bacdd249', type='CNAME',
        value='b056c5e3252182a844b80e1eb5de04736c09c9d9.comodoca.com.',
        fqdn='f50e098c713586fe9a363b33bacdd249.test.com.')


def test_parse_dv_record_in_the_sectigo_form_picks_the_shortest_zone():
    record = '_abc123.www.example.com. CNAME 1234.5678.sectigo.com.'
    parsed = cs.parse_dv_record(record, ['example.com', 'www.example.com', '*.example.com'])
    assert parsed == dict(zone='example.com', name='_abc123.www', type='CNAME', value='1234.5678.sectigo.com.',
                          fqdn='_abc123.www.example.com.')
    # without the apex among the order's domains the record's zone is the name that holds it
    assert cs.parse_dv_record(record, ['www.example.com'])['zone'] == 'www.example.com'
    assert cs.parse_dv_record(record, ['www.example.com'])['name'] == '_abc123'


def test_parse_dv_record_refuses_what_is_not_a_record():
    for bad in ('', 'just-a-name.example.com.', 'a.example.com. A 192.0.2.1'):
        with pytest.raises(H.DomainsecError, match='DNS validation record'):
            cs.parse_dv_record(bad, ['example.com'])


def test_dv_view_of_each_method():
    options = {
        'dns': {'www.example.com': {'record': '_abc123.www.example.com. CNAME 1234.5678.sectigo.com.'}},
        'http': {'www.example.com': {'filename': 'F50E.txt', 'content': 'b056', 'link': 'http://www.example.com/F50E.txt'}},
        'email': {'www.example.com': ['admin@example.com', 'hostmaster@example.com']},
    }
    domains = ['www.example.com', 'example.com']
    dns = cs.dv_view(options, 'dns', domains)
    assert dns['dv_records'][0]['zone'] == 'example.com' and dns['dv_records'][0]['domain'] == 'www.example.com'
    assert dns['dv_files'] == [] and dns['dv_emails'] == {}
    assert cs.dv_view(options, 'http', domains)['dv_files'] == [dict(
        domain='www.example.com', filename='F50E.txt', content='b056', url='http://www.example.com/F50E.txt')]
    assert cs.dv_view(options, 'email', domains)['dv_emails'] == {
        'www.example.com': ['admin@example.com', 'hostmaster@example.com']}
    assert cs.dv_view(options, 'https', domains) == dict(dv_records=[], dv_files=[], dv_emails={})


def test_dv_view_of_the_documents_example():
    """The document's get_dv_options example (its print_r dump as JSON), the form the emulator answers by default: every
    method reads, records and files as given (the file at the web root, as the document's link is)."""
    options = {
        'http': {'mysite.com': {'filename': '38ED81977C297795C94A10272D791CD4.txt',
                                'content': 'b354ed749af42a09f09edf4b21ff516a698', 'link': 'http://mysite.com/38ED81977C2.txt'}},
        'https': {'mysite.com': {'filename': '38ED81977C297795C94A10272D791CD4.txt',
                                 'content': 'b354ed749af42a09f09edf4b21ff516a698cf0',
                                 'link': 'https://mysite.com/38ED81977C297.txt'}},
        'dns': {'mysite.com': {'record': '38ED81977C297795C94A10272D791CD4.mysite.com. CNAME '
                                         'b354ed749af42a09f09ed.comodoca.com.'}},
        'email': {'mysite.com': {'0': 'test@mysite.com', '1': 'admin@mysite.com', '2': 'administrator@mysite.com',
                                 '3': 'hostmaster@mysite.com', '4': 'postmaster@mysite.com', '5': 'webmaster@mysite.com'}},
    }
    assert cs.dv_view(options, 'dns', ['mysite.com'])['dv_records'] == [dict(
        zone='mysite.com', name='38ed81977c297795c94a10272d791cd4', type='CNAME',
        value='b354ed749af42a09f09ed.comodoca.com.', fqdn='38ed81977c297795c94a10272d791cd4.mysite.com.',
        domain='mysite.com')]
    assert cs.dv_view(options, 'https', ['mysite.com'])['dv_files'] == [dict(
        domain='mysite.com', filename='38ED81977C297795C94A10272D791CD4.txt',
        content='b354ed749af42a09f09edf4b21ff516a698cf0', url='https://mysite.com/38ED81977C297.txt')]
    emails = cs.dv_view(options, 'email', ['mysite.com'])['dv_emails']['mysite.com']
    assert emails[:2] == ['test@mysite.com', 'admin@mysite.com'] and len(emails) == 6


def test_order_from_reply_nested_and_flat_read_the_same():
    fields = dict(order_id=1002, status='Awaiting Validation', primary_domain='WWW.Example.com',
                  domains_included='www.example.com, Example.COM.', dv_method='dns')
    nested = cs.order_from_reply({'success': True, 'order': dict(fields)})
    flat = cs.order_from_reply(dict(fields, success=True))
    assert nested == flat
    assert 'success' not in flat and flat['order_id'] == 1002
    assert flat['domains'] == ['www.example.com', 'example.com']


def test_order_from_reply_domains_from_a_list_or_from_the_primary_domain():
    assert cs.order_from_reply({'order': {'domains_included': ['A.example.com', ' b.example.com ']}})['domains'] == [
        'a.example.com', 'b.example.com']
    assert cs.order_from_reply({'primary_domain': 'WWW.example.com', 'domains_included': ''})['domains'] == [
        'www.example.com']
    assert cs.order_from_reply({'order_id': 1})['domains'] == []


def test_dv_method_of_drops_the_email_list():
    assert cs.dv_method_of({'dv_method': 'email:a@example.com,b@example.com'}) == 'email'
    assert cs.dv_method_of({'dv_method': 'DNS'}) == 'dns'
    assert cs.dv_method_of({}) == ''


def test_periods_are_the_prices_present_and_not_empty():
    product = dict(product_id=17, price_for_1year=5, price_for_2year='10.00', price_for_3year='',
                   price_for_4year=None, price_for_10year=40, price_extra_domain=3)
    assert cs.periods(product) == [1, 2, 10]
    assert cs.periods({}) == [] and cs.periods(None) == []


def test_max_domains_is_at_least_one():
    assert cs.max_domains({'multidomains_maximum': 250}) == 250
    assert cs.max_domains({'multidomains_maximum': 0}) == 1
    assert cs.max_domains({'multidomains_maximum': ''}) == 1
    assert cs.max_domains({}) == 1


@pytest.mark.parametrize('value', [1, '1', True, 'true', 'True', ' yes '])
def test_truthy(value):
    assert cs.truthy(value) is True


@pytest.mark.parametrize('value', ['', 0, '0', None, False, 'false', 'no'])
def test_not_truthy(value):
    assert cs.truthy(value) is False


def test_money():
    assert cs.money('12.00') == 12.0 and cs.money(5) == 5.0 and cs.money('0.005') == 0.01
    assert cs.money('') is None and cs.money(None) is None
    with pytest.raises(H.DomainsecError, match='not a number'):
        cs.money('twelve')


def test_days_left():
    today = datetime.date(2026, 2, 1)
    assert cs.days_left({'valid_till': '2026-03-01'}, today=today) == 28
    assert cs.days_left({'valid_till': '2026-01-31'}, today=today) == -1
    assert cs.days_left({'valid_till': '2026-03-01 12:00:00'}, today=today) == 28
    assert cs.days_left({'valid_till': ''}, today=today) is None
    assert cs.days_left({}, today=today) is None
    assert cs.days_left({'valid_till': 'soon'}, today=today) is None
    future = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    assert cs.days_left({'valid_till': future}) == 10


# -- base URL ------------------------------------------------------------------------------
def test_base_url_api_url_wins_then_sandbox_then_live():
    assert cs.CyberSSLClient.base_url(dict(api_url='https://emu.test/v1', sandbox=True)) == 'https://emu.test/v1'
    assert cs.CyberSSLClient.base_url(dict(api_url=None, sandbox=True)) == cs.SANDBOX_URL
    assert cs.CyberSSLClient.base_url(dict(api_url=None, sandbox=False)) == cs.LIVE_URL
    assert cs.CyberSSLClient.base_url({}) == cs.LIVE_URL == 'https://api.cyberssl.com/v1'
    assert cs.SANDBOX_URL == 'https://api.cyberssl.com/sandbox/v1'


@pytest.mark.parametrize('overrides, base', [
    (dict(api_url='https://emu.test/cs/v1/', sandbox=True), 'https://emu.test/cs/v1'),
    (dict(api_url=None, sandbox=True), cs.SANDBOX_URL),
    (dict(api_url=None), cs.LIVE_URL),
])
def test_requests_go_to_the_base_plus_the_method(overrides, base):
    c, fake, _sleeps = client(**overrides)
    c.balance()
    assert c.base == base
    assert [s.url.split('?')[0] for s in fake.sent] == [base + '/auth', base + '/get_balance']


def test_an_api_url_that_is_not_https_is_refused():
    with pytest.raises(H.DomainsecError, match='api_url must be an https:// URL'):
        cs.CyberSSLClient.from_params(params(api_url='http://cs.test/v1'))


# -- controller lock --------------------------------------------------------------------------
def test_controller_lock_makes_a_second_run_wait_until_the_first_releases(tmp_path):
    events = []
    first_holds = threading.Event()
    release = threading.Event()

    def first():
        with locks.controller_lock('order www.example.com 17', directory=str(tmp_path)):
            events.append('first in')
            first_holds.set()
            release.wait(10)
            events.append('first out')

    def waiting(seconds):
        events.append('second waits')
        release.set()  # the second run is provably blocked: let the first finish
        time.sleep(min(seconds, 0.05))

    def second():
        first_holds.wait(10)
        with locks.controller_lock('order www.example.com 17', directory=str(tmp_path), sleep=waiting):
            events.append('second in')

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not any(thread.is_alive() for thread in threads)
    assert events[0] == 'first in' and events[1] == 'second waits'
    assert events.index('second in') > events.index('first out')
    assert events[-1] == 'second in'


def test_controller_lock_times_out_with_a_message_and_other_keys_do_not_wait(tmp_path):
    with locks.controller_lock('key one', directory=str(tmp_path)) as path:
        assert path.startswith(str(tmp_path))
        with pytest.raises(H.DomainsecError, match='another run on this controller has held the lock'):
            with locks.controller_lock('key one', timeout=0, directory=str(tmp_path), sleep=lambda s: None):
                pass  # pragma: no cover
        with locks.controller_lock('key two', timeout=0, directory=str(tmp_path)) as other:
            assert other != path
    with locks.controller_lock('key one', timeout=0, directory=str(tmp_path)):
        pass  # released when the first block ended
