# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cyberssl_order_info, cyberssl_product_info and cyberssl_csr_info run whole (main()), FakeHttp answering."""

import datetime
import json

import pytest

from unit.fake_http import FakeHttp
from ansible.module_utils import basic
from ansible_collections.domainsec.onboard.plugins.module_utils import cyberssl as cs
from ansible_collections.domainsec.onboard.plugins.modules import cyberssl_csr_info
from ansible_collections.domainsec.onboard.plugins.modules import cyberssl_order_info
from ansible_collections.domainsec.onboard.plugins.modules import cyberssl_product_info

API_KEY = 'cs-key-0123456789abcdef'
TOKEN = 'tok-AAAA-1111'
FROM_PARAMS = cs.CyberSSLClient.from_params.__func__  # the real one, before any test patches it
CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIICvDCCAaQCAQAwdzELMAkGA1UEBhMC\n-----END CERTIFICATE REQUEST-----\n'


@pytest.fixture
def run(monkeypatch, capsys):
    """``run(module, args, **scripts)``: the module's result (a dict with ``failed`` on failure) and the FakeHttp."""
    def runner(module, args, **scripts):
        fake = FakeHttp(key_of=lambda sent: sent.path.rsplit('/', 1)[-1], default=lambda sent: {'success': True})
        fake.on('auth', {'success': True, 'token': TOKEN})
        for method, outcomes in scripts.items():
            fake.on(method, *outcomes)

        def from_params(cls, params):
            client = FROM_PARAMS(cls, params)
            client.http.sleep = lambda seconds: None
            fake.mount(client.http)
            return client
        monkeypatch.setattr(cs.CyberSSLClient, 'from_params', classmethod(from_params))
        full = dict(api_key=API_KEY, api_url='https://cs.test/v1')
        full.update(args)
        monkeypatch.setattr(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': full}).encode())
        monkeypatch.setattr(basic, '_ANSIBLE_PROFILE', 'legacy')
        with pytest.raises(SystemExit):
            module.main()
        out = capsys.readouterr().out
        assert TOKEN not in out and API_KEY not in out
        return json.loads(out), fake
    return runner


def ok(**fields):
    return dict(fields, success=True)


def refused(code, message):
    return {'success': False, 'error_code': code, 'error_message': message}


SOON = (datetime.date.today() + datetime.timedelta(days=20)).isoformat()
ORDERS = [
    dict(order_id=1003, product_id=17, order_type='renew', primary_domain='www.example.com',
         domains_included='www.example.com,example.com', status='Awaiting Validation', period='1', amount='12.00',
         valid_from='', valid_till='', created='2026-01-02'),
    dict(order_id=1001, product_id=17, order_type='new', primary_domain='www.example.com',
         domains_included='www.example.com,example.com', status='Activated', period=1, amount='12.00',
         valid_from='2025-01-01', valid_till=SOON, created='2025-01-01'),
    dict(order_id=1002, product_id=20, order_type='new', primary_domain='shop.example.org',
         domains_included='', status='Cancelled', period=2, amount='30.00', valid_from='', valid_till=''),
]


# -- cyberssl_order_info ------------------------------------------------------------------------
def test_all_orders_are_listed_in_order_id_order_with_typed_fields(run):
    result, fake = run(cyberssl_order_info, {}, my_orders=[ok(ssl_orders=ORDERS)])
    assert result['changed'] is False and 'failed' not in result
    assert [o['order_id'] for o in result['orders']] == [1001, 1002, 1003]
    first = result['orders'][0]
    assert first == dict(order_id=1001, product_id=17, order_type='new', primary_domain='www.example.com',
                         domains=['www.example.com', 'example.com'], status='Activated', period=1, amount=12.0,
                         valid_from='2025-01-01', valid_till=SOON, days_left=20, dv_method=None)
    assert result['orders'][1]['domains'] == ['shop.example.org']
    assert result['orders'][2]['valid_till'] is None and result['orders'][2]['days_left'] is None
    assert fake.keys() == ['auth', 'my_orders']


@pytest.mark.parametrize('args, ids', [
    (dict(domain='EXAMPLE.com.'), [1001, 1003]),
    (dict(domain='shop.example.org'), [1002]),
    (dict(domain='example.net'), []),
    (dict(status=['Activated', 'Awaiting Validation']), [1001, 1003]),
    (dict(domain='www.example.com', status=['Cancelled']), []),
])
def test_orders_are_filtered_by_domain_and_status(run, args, ids):
    result, _fake = run(cyberssl_order_info, args, my_orders=[ok(ssl_orders=ORDERS)])
    assert [o['order_id'] for o in result['orders']] == ids


def test_one_waiting_order_with_its_dns_records(run):
    order = dict(ORDERS[0], dv_method='dns', csr=CSR, certificate='', certificate_chain='')
    dv = {'dns': {'www.example.com': {'record': '_abc123.www.example.com. CNAME 1234.5678.sectigo.com.'},
                  'example.com': {'record': '_def456.example.com. CNAME 9999.8888.sectigo.com.'}},
          'http': {'www.example.com': {'filename': 'a.txt', 'content': 'x', 'link': 'http://www.example.com/a.txt'}}}
    result, fake = run(cyberssl_order_info, dict(order_id=1003), order_status=[ok(order=order)],
                       get_dv_options=[ok(order_id=1003, dv_options=dv)])
    assert fake.keys() == ['auth', 'order_status', 'get_dv_options']
    assert fake.to('get_dv_options')[0].query['dv_method'] == 'all'
    view = result['orders'][0]
    assert view['order_id'] == 1003 and view['dv_method'] == 'dns' and view['certificate'] is None
    assert view['chain'] is None and 'csr' not in view
    records = [(r['zone'], r['name']) for r in view['dv']['dv_records']]
    assert records == [('example.com', '_def456'), ('example.com', '_abc123.www')]
    assert view['dv']['dv_files'] == [] and view['dv']['dv_emails'] == {}


def test_an_activated_order_returns_its_certificate_and_reads_no_dv_options(run):
    order = dict(ORDERS[1], dv_method='email:admin@example.com', certificate='CERT', certificate_chain='CHAIN')
    result, fake = run(cyberssl_order_info, dict(order_id=1001), order_status=[ok(**order)])  # the flat form
    assert fake.keys() == ['auth', 'order_status']
    view = result['orders'][0]
    assert view['certificate'] == 'CERT' and view['chain'] == 'CHAIN' and view['dv_method'] == 'email'
    assert view['days_left'] == 20 and view['dv'] == dict(dv_records=[], dv_files=[], dv_emails={})


def test_a_closed_order_whose_dv_options_are_refused_still_reads(run):
    order = dict(ORDERS[2], dv_method='http')
    result, _fake = run(cyberssl_order_info, dict(order_id=1002), order_status=[ok(order=order)],
                        get_dv_options=[refused(111, 'Not allowed while the order is Cancelled')])
    assert result['orders'][0]['status'] == 'Cancelled' and result['orders'][0]['dv']['dv_files'] == []


def test_an_unknown_order_id_fails_naming_it(run):
    result, _fake = run(cyberssl_order_info, dict(order_id=4242), order_status=[refused(106, 'Order not found')])
    assert result['failed'] is True and 'order_id 4242' in result['msg'] and 'no such order' in result['msg']


@pytest.mark.parametrize('args, words', [
    (dict(domain='not a domain'), 'domain must be a domain name'),
    (dict(order_id=0), 'order_id must be a positive'),
    (dict(order_id=1001, domain='example.com'), 'mutually exclusive'),
    (dict(status=['Active']), 'status'),
])
def test_order_info_input_is_checked_before_any_request(run, args, words):
    result, fake = run(cyberssl_order_info, args)
    assert result['failed'] is True and words in result['msg'] and fake.sent == []


# -- cyberssl_product_info ------------------------------------------------------------------------
PRODUCT = {'product_id': 17, 'name': 'Sectigo PositiveSSL', 'type': 'SSL', 'brand': 'sectigo', 'price_for_1year': 5,
           'price_for_2year': 10, 'price_for_3year': '', 'validation_type': 'dv', 'is_trial': '',
           'is_multi_domain': 1, 'is_wildcard': '', 'warranty': 10000, 'www_included': 1,
           'multidomains_maximum': 3, 'multidomains_included': 0, 'unlimited_server': 1, 'organization_required': ''}


def test_products_are_listed_with_boolean_flags(run):
    result, fake = run(cyberssl_product_info, {}, list_products=[ok(ssl_products=[PRODUCT])])
    assert fake.keys() == ['auth', 'list_products']
    product = result['products'][0]
    assert product['is_wildcard'] is False and product['is_multi_domain'] is True and product['www_included'] is True
    assert product['periods'] == [1, 2] and product['max_domains'] == 3 and 'balance' not in result


def test_one_product_its_price_and_the_balance(run):
    result, fake = run(cyberssl_product_info, dict(product_id=17, period=2, nr_domains=3, balance=True),
                       get_ssl_product_details=[ok(product=PRODUCT)], get_ssl_product_price=[ok(amount='16.00')],
                       get_balance=[ok(balance='500.00')])
    assert fake.keys() == ['auth', 'get_ssl_product_details', 'get_ssl_product_price', 'get_balance']
    assert fake.to('get_ssl_product_price')[0].query == {'product_id': '17', 'period': '2', 'nr_domains': '3',
                                                         'token': TOKEN}
    assert result['price'] == 16.0 and result['balance'] == 500.0
    product = result['product']
    assert product['organization_required'] is False and product['unlimited_server'] is True
    assert product['periods'] == [1, 2] and product['name'] == 'Sectigo PositiveSSL'
    assert 'products' not in result


def test_a_period_the_product_does_not_offer_fails_before_the_price_is_asked(run):
    result, fake = run(cyberssl_product_info, dict(product_id=17, period=3),
                       get_ssl_product_details=[ok(product=PRODUCT)])
    assert result['failed'] is True and 'period 3' in result['msg'] and 'offered for 1, 2' in result['msg']
    assert 'get_ssl_product_price' not in fake.keys()


def test_too_many_domains_fails_before_the_price_is_asked(run):
    result, fake = run(cyberssl_product_info, dict(product_id=17, period=1, nr_domains=4),
                       get_ssl_product_details=[ok(product=PRODUCT)])
    assert result['failed'] is True and 'nr_domains 4' in result['msg'] and 'at most 3' in result['msg']
    assert 'get_ssl_product_price' not in fake.keys()


def test_an_unknown_product_fails_naming_product_id(run):
    result, _fake = run(cyberssl_product_info, dict(product_id=99),
                        get_ssl_product_details=[refused(105, 'Product not found')])
    assert result['failed'] is True and 'product_id 99' in result['msg'] and '105' in result['msg']


@pytest.mark.parametrize('args, words', [
    (dict(product_id=17, period=0), 'period must be between 1 and 10'),
    (dict(product_id=17, period=11), 'period must be between 1 and 10'),
    (dict(period=1), 'period requires product_id'),
    (dict(product_id=17, nr_domains=0), 'nr_domains must be at least 1'),
    (dict(product_id=-1), 'product_id must be a positive'),
])
def test_product_info_input_is_checked_before_any_request(run, args, words):
    result, fake = run(cyberssl_product_info, args)
    assert result['failed'] is True and words in result['msg'] and fake.sent == []


# -- cyberssl_csr_info ------------------------------------------------------------------------------
def test_a_csr_is_read_by_the_vendor(run):
    answer = dict(common_name='www.example.com', organization='', department='', city='', state='', country='GB',
                  email='', san='www.example.com, example.com', type='RSA', keysize='2048', total_domains='3')
    result, fake = run(cyberssl_csr_info, dict(csr=CSR, product_id=17, addon_domains=['Shop.Example.com.']),
                       validate_csr=[ok(csr=answer)])
    assert result['valid'] is True and result['changed'] is False
    assert result['csr']['san'] == ['www.example.com', 'example.com']
    assert result['csr']['keysize'] == 2048 and result['csr']['total_domains'] == 3
    sent = fake.to('validate_csr')[0]
    assert sent.method == 'POST' and sent.form['csr'] == CSR and sent.form['addon_domains'] == 'shop.example.com'


def test_an_empty_san_is_an_empty_list(run):
    answer = dict(common_name='a.example.com', san='', keysize=4096)
    result, _fake = run(cyberssl_csr_info, dict(csr=CSR), validate_csr=[ok(csr=answer)])
    assert result['csr']['san'] == [] and result['csr']['keysize'] == 4096


def test_a_refused_csr_fails_with_the_vendors_message(run):
    result, _fake = run(cyberssl_csr_info, dict(csr=CSR), validate_csr=[refused(108, 'Invalid CSR: bad signature')])
    assert result['failed'] is True
    assert result['msg'] == 'CyberSSL refused validate_csr (108): Invalid CSR: bad signature'


@pytest.mark.parametrize('csr, words', [
    ('hello', 'csr must be a certificate signing request'),
    ('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', 'csr must be a certificate signing request'),
    (CSR + '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n',
     'csr holds a private key'),
])
def test_csr_info_input_is_checked_before_any_request(run, csr, words):
    result, fake = run(cyberssl_csr_info, dict(csr=csr))
    assert result['failed'] is True and words in result['msg'] and fake.sent == []
    assert 'c2VjcmV0LWtleS1tYXRlcmlhbA' not in json.dumps(result)


def test_new_certificate_request_header_is_accepted_and_addons_are_checked(run):
    new = CSR.replace('CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST')
    result, _fake = run(cyberssl_csr_info, dict(csr=new), validate_csr=[ok(csr=dict(common_name='a.example.com'))])
    assert result['valid'] is True
    result, fake = run(cyberssl_csr_info, dict(csr=CSR, addon_domains=['ok.example.com', 'bad name']))
    assert result['failed'] is True and 'addon_domains[1]' in result['msg'] and fake.sent == []
