# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The CyberSSL emulator over real HTTPS, beside the SecuritySpace emulator it reads DNS from."""

import datetime
import hashlib
import json
import re
import threading
import time
import urllib.parse

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from emulators import harness as emulator_harness
from emulators.base import Request
from emulators.cyberssl import CyberSSLApp

ZONE = 'example.org'
ADMIN = {'admin_firstname': 'Ada', 'admin_lastname': 'Lovelace', 'admin_phone': '+44.2000000', 'admin_title': 'CTO',
         'admin_email': 'ada@example.org'}
ORG = {'org_name': 'Example Ltd', 'org_division': 'IT', 'org_addressline': '1 Road', 'org_city': 'London',
       'org_country': 'GB', 'org_phone': '+44.2000000', 'org_postalcode': 'N1 1AA', 'org_region': 'London'}
CSR_FIELDS = {'csr_city': 'London', 'csr_state': 'London', 'csr_country': 'GB', 'csr_organization': 'Example Ltd'}
SECTIGO = re.compile(r'^_([0-9a-f]{32})\.(\S+)\. CNAME ([0-9a-f]{32})\.([0-9a-f]{32})\.sectigo\.com\.$')
COMODO = re.compile(r'^([0-9A-F]{32})\.(\S+)\. CNAME ([0-9a-f]{40})\.comodoca\.com\.$')
STATUS_FIELDS = ['order_id', 'status', 'amount', 'primary_domain', 'period', 'csr', 'certificate', 'certificate_chain',
                 'domains_included', 'software_name', 'dv_method', 'partner_order_id', 'contacts', 'order_link',
                 'valid_from', 'valid_till', 'product_id', 'order_type']
SUMMARY_FIELDS = ['order_id', 'product_id', 'order_type', 'primary_domain', 'domains_included', 'status', 'period',
                  'amount', 'valid_from', 'valid_till', 'created']
PRODUCT_FIELDS = ['product_id', 'name', 'type', 'brand', 'price_for_3year', 'price_for_2year', 'price_for_1year',
                  'validation_type', 'is_trial', 'is_multi_domain', 'is_wildcard', 'warranty', 'www_included',
                  'multidomains_maximum', 'multidomains_included', 'unlimited_server', 'organization_required']


def make_csr(common_name, sans=(), key=None, **subject):
    """(PEM text, key) of a CSR; an EC P-256 key unless one is given (fast)."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    oids = {'O': NameOID.ORGANIZATION_NAME, 'OU': NameOID.ORGANIZATIONAL_UNIT_NAME, 'L': NameOID.LOCALITY_NAME,
            'ST': NameOID.STATE_OR_PROVINCE_NAME, 'C': NameOID.COUNTRY_NAME, 'E': NameOID.EMAIL_ADDRESS}
    attributes = [x509.NameAttribute(oids[k], v) for k, v in subject.items()]
    if common_name:
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attributes))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode('ascii'), key


@pytest.fixture(scope='module')
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Api(object):
    """A CyberSSL API caller plus the admin API; SecuritySpace through ``dns_*``."""

    def __init__(self, running):
        self.running = running
        self.env = running.env()
        self.url = self.env['CYBERSSL_API_URL']
        self.admin_url = self.env['EMULATOR_CYBERSSL_ADMIN']
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = running.ca_path
        self.token = None
        self.ss_token = None

    @property
    def app(self):
        return self.running.emulators['cyberssl']

    def login(self):
        self.token = self.ok('auth', apikey=self.env['CYBERSSL_API_KEY'], token=None)['token']
        return self.token

    def raw(self, method, url=None, http=None, **params):
        """The HTTP response of ``method``: GET with a query, POST with a form (the method's own HTTP method)."""
        http = http or ('POST' if method in ('add_ssl_order', 'reissue_ssl_order', 'validate_csr', 'change_dv_method',
                                             'get_dv_options_csr', 'activate_ssl_order') else 'GET')
        if 'token' not in params:
            params['token'] = self.token or self.login()
        params = dict((k, v) for k, v in params.items() if v is not None)
        url = url or '%s/%s' % (self.url, method)
        if http == 'GET':
            return self.session.get(url, params=params, timeout=15)
        return self.session.request(http, url, data=params, timeout=15)

    def call(self, method, **params):
        response = self.raw(method, **params)
        assert response.status_code == 200, (method, response.status_code, response.text)
        assert response.headers['Content-Type'] == 'application/json'
        answer = response.json()
        assert list(answer)[0] == 'success', answer
        return answer

    def ok(self, method, **params):
        answer = self.call(method, **params)
        assert answer['success'] is True, (method, answer)
        return answer

    def error(self, code, method, fragment='', **params):
        answer = self.call(method, **params)
        assert answer['success'] is False and answer['error_code'] == code, (method, answer)
        assert list(answer) == ['success', 'error_code', 'error_message']
        assert fragment in answer['error_message'], answer
        return answer['error_message']

    def admin(self, path, body=None, method=None, status=200):
        response = self.session.request(method or ('GET' if body is None else 'POST'), '%s/%s' % (self.admin_url, path),
                                        json=body, timeout=15)
        assert response.status_code == status, (path, response.status_code, response.text)
        return response.json()

    def configure(self, **config):
        return self.admin('config', config)

    def order(self, csr=None, product_id=17, period=1, dv_method='dns', domain=ZONE, addons=None, **extra):
        """add_ssl_order with a fresh CSR for ``domain`` (or the one given) and the admin contact."""
        if csr is None and not any(k.startswith('csr_') for k in extra):
            csr = make_csr(domain)[0]
        params = dict(ADMIN, product_id=product_id, order_type='new', period=period, dv_method=dv_method, csr=csr)
        if addons:
            params['addon_domains'] = ','.join(addons)
        params.update(extra)
        return self.ok('add_ssl_order', **params)

    def status(self, order_id):
        return self.ok('order_status', order_id=order_id)['order']

    def balance(self):
        return self.ok('get_balance')['balance']

    # -- SecuritySpace -------------------------------------------------------------------------
    def dns(self, endpoint, **params):
        if self.ss_token is None and endpoint != 'auth':
            self.ss_token = self.dns('auth', userid=self.env['SECURITYSPACE_USERID'],
                                     password=self.env['SECURITYSPACE_PASSWORD'])['sessionToken']
        form = dict(params, apikey=self.env['SECURITYSPACE_API_KEY'])
        if endpoint != 'auth':
            form['sessionToken'] = self.ss_token
        answer = self.session.post('%s/%s.php' % (self.env['SECURITYSPACE_API_URL'], endpoint), data=form,
                                   timeout=15).json()
        assert answer['status'] == '0', (endpoint, params, answer)
        return answer

    def dns_cname(self, record, zone=ZONE):
        """Add the CNAME of a CyberSSL record string ("<name>. CNAME <target>.") to ``zone`` (not published)."""
        name, dummy, target = record.split(' ')
        self.dns('dnsAddCNAME', domain=zone, alias=name, name=target)


@pytest.fixture(scope='module')
def running(tmp_path_factory):
    instance = emulator_harness.start(str(tmp_path_factory.mktemp('emulators')), vendors=['cyberssl', 'securityspace'])
    yield instance
    instance.stop()


@pytest.fixture
def api(running):
    client = Api(running)
    assert client.admin('reset', {}) == {'reset': 'all'}
    running.emulators['securityspace'].reset()
    yield client
    client.session.close()


def leaf_of(order):
    return x509.load_pem_x509_certificate(order['certificate'].encode())


def sans_of(cert):
    return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)


# -- harness, env, wire format ----------------------------------------------------------------
def test_env_and_registration(running, api):
    assert emulator_harness.app_class('cyberssl') is CyberSSLApp
    assert emulator_harness.resolve(['cyberssl']) == ['cyberssl']
    env = api.env
    assert re.match(r'^https://127\.0\.0\.1:\d+/v1$', env['CYBERSSL_API_URL'])
    # base64 with + / = (plus_slash_equals): the client must URL-encode the key, and mask its encoded forms
    assert re.match(r'^[A-Za-z0-9+/]{42}==$', env['CYBERSSL_API_KEY']) and '+' in env['CYBERSSL_API_KEY'] and '/' in env['CYBERSSL_API_KEY']
    assert env['EMULATOR_CYBERSSL_ADMIN'] == running.urls['cyberssl'] + '/_emulator'
    assert set(k for k in env if 'CYBERSSL' in k) == {'CYBERSSL_API_URL', 'CYBERSSL_API_KEY', 'EMULATOR_CYBERSSL_ADMIN'}
    assert api.app.peer('securityspace') is running.emulators['securityspace']
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(api.url + '/auth', verify=True, timeout=5)


def test_preset_credentials_from_environment(monkeypatch):
    monkeypatch.setenv('CYBERSSL_API_KEY', 'K' * 40)
    app = CyberSSLApp()
    app.base_url = 'https://127.0.0.1:1'
    assert app.env() == {'CYBERSSL_API_URL': 'https://127.0.0.1:1/v1', 'CYBERSSL_API_KEY': 'K' * 40}
    assert app.credentials() == {'K' * 40}
    answer = json.loads(app.handle(Request('GET', '/sandbox/v1/auth?apikey=' + 'K' * 40)).body)
    assert answer['success'] is True and answer['token'] in app.secrets()


def test_paths_http_methods_and_json(api):
    # Live and sandbox paths serve the same account; a trailing slash is accepted.
    sandbox = api.url.replace('/v1', '/sandbox/v1')
    assert api.ok('get_balance', url=sandbox + '/get_balance')['balance'] == '500.00'
    assert api.ok('get_balance', url=api.url + '/get_balance/')['balance'] == '500.00'
    api.order()
    assert api.ok('my_orders', url=sandbox + '/my_orders')['ssl_orders'][0]['order_id'] == 1001
    # PHP's json_encode: "/" escaped.
    assert '\\/' in api.raw('order_status', order_id='1001').text
    # An unknown method, or a path outside the API: HTTP 404, the error shape, code 110.
    for url in (api.url + '/no_such_method', api.url + '/Add_ssl_order', api.running.urls['cyberssl'] + '/v2/auth',
                api.running.urls['cyberssl'] + '/'):
        response = api.raw('x', url=url)
        assert response.status_code == 404 and response.json()['error_code'] == 110, url
        assert response.json()['success'] is False
    # The other HTTP method: 405, Allow, code 110 (the route is unknown).
    response = api.raw('add_ssl_order', http='GET')
    assert response.status_code == 405 and response.headers['Allow'] == 'POST'
    assert response.json() == {'success': False, 'error_code': 110,
                               'error_message': 'Unknown method GET add_ssl_order (add_ssl_order takes POST)'}
    response = api.raw('get_balance', http='POST')
    assert response.status_code == 405 and response.headers['Allow'] == 'GET' and response.json()['error_code'] == 110
    # 405 only where the path exists with another method; a method of neither kind: 404 whatever the HTTP method.
    for http in ('GET', 'POST', 'PUT', 'DELETE'):
        response = api.raw('x', url=api.url + '/no_such_method', http=http)
        assert response.status_code == 404 and 'Allow' not in response.headers, http
    for method, allowed in (('get_ssl_web_soft', 'GET'), ('resend_dv_email', 'GET'), ('get_dv_options_csr', 'POST'),
                            ('activate_ssl_order', 'POST'), ('order_extra_domains', 'GET, POST')):
        response = api.raw(method, http='PUT')
        assert response.status_code == 405 and response.headers['Allow'] == allowed, method
    assert api.raw('get_ssl_web_soft', http='POST').status_code == 405
    assert api.raw('activate_ssl_order', http='GET').json()['error_message'] == \
        'Unknown method GET activate_ssl_order (activate_ssl_order takes POST)'
    assert api.raw('order_extra_domains', http='DELETE').json()['error_message'] == \
        'Unknown method DELETE order_extra_domains (order_extra_domains takes GET or POST)'
    # POST methods read the form body only: parameters in the query are not seen, nor a JSON body.
    response = api.session.post(api.url + '/validate_csr?' + urllib.parse.urlencode({'token': api.token}),
                                data={'csr': make_csr(ZONE)[0]}, timeout=15)
    assert response.json()['error_code'] == 102
    response = api.session.post(api.url + '/validate_csr', json={'token': api.token, 'csr': make_csr(ZONE)[0]},
                                timeout=15)
    assert response.json()['error_code'] == 102


def test_counters_and_write_endpoints(api):
    order_id = api.order(product_id=19, dv_method='http')['order_id']
    api.ok('order_status', order_id=order_id)
    api.ok('change_dv_method', order_id=order_id, dv_method='dns')
    api.ok('revalidate', order_id=order_id, domain_name=ZONE)
    api.ok('order_extra_domains', order_id=order_id, extra_domains_nr=1)
    api.ok('reissue_ssl_order', order_id=order_id, dv_method='dns', csr=make_csr(ZONE)[0])
    api.ok('list_products')
    api.raw('nothing_here')
    api.raw('my_orders', url=api.running.urls['cyberssl'] + '/elsewhere')
    report = api.admin('counters')
    assert report['counts'] == {'auth': 1, 'add_ssl_order': 1, 'order_status': 1, 'change_dv_method': 1,
                                'revalidate': 1, 'order_extra_domains': 1, 'reissue_ssl_order': 1, 'list_products': 1,
                                'nothing_here': 1, '/elsewhere': 1}
    assert report['writes'] == 5 and report['total'] == 10
    assert api.app.write_endpoints == {'add_ssl_order', 'reissue_ssl_order', 'change_dv_method', 'revalidate',
                                       'order_extra_domains', 'activate_ssl_order', 'resend_dv_email'}


# -- auth and tokens ------------------------------------------------------------------------------
def test_auth_and_tokens(api):
    assert api.error(101, 'auth', 'Invalid API key', apikey='x' * 40, token=None) == 'Invalid API key'
    api.error(103, 'auth', 'Missing required parameter: apikey', token=None)
    first = api.login()
    second = api.login()
    assert first != second and re.match(r'^[A-Za-z0-9+/]{27}=$', first) and '+' in first and '/' in first
    assert {first, second, api.env['CYBERSSL_API_KEY']} <= api.app.secrets()
    assert api.ok('get_balance', token=first)['balance'] == '500.00'
    for token in (None, '', 'f' * 40):
        response = api.raw('get_balance', token=token) if token is not None else api.session.get(
            api.url + '/get_balance', timeout=15)
        assert response.json() == {'success': False, 'error_code': 102, 'error_message': 'Invalid or expired token'}
    # ssl_certificates: the document lists no parameter, so no token: none, a blank or an unknown one alike.
    products = api.ok('list_products')['ssl_products']
    for token in ('', 'f' * 40):
        assert api.ok('ssl_certificates', token=token)['ssl_products'] == products
    assert api.session.get(api.url + '/ssl_certificates', timeout=15).json() == dict(success=True, ssl_products=products)
    # Expiry after token_ttl seconds, counted from the token's auth (a fresh one: on a loaded machine the steps above
    # can take longer than the lifetime).
    api.configure(token_ttl=2)
    api.login()
    api.ok('get_balance')
    time.sleep(2.05)
    api.error(102, 'get_balance')
    api.configure(token_ttl=3600)
    api.error(102, 'get_balance')  # stays expired
    api.login()
    api.ok('get_balance')
    assert api.admin('state')['tokens'] == 4  # the two logins above, the one before the expiry, the one after


def test_expired_token_fault(api):
    api.login()
    api.admin('faults', {'endpoint': 'add_ssl_order', 'kind': 'expired_token'})
    api.error(102, 'add_ssl_order', 'Invalid or expired token', **dict(ADMIN, product_id=17, order_type='new', period=1,
                                                                       dv_method='dns', csr=make_csr(ZONE)[0]))
    assert api.admin('state')['orders'] == []  # refused: not carried out
    api.error(102, 'get_balance')  # the token stays expired
    api.login()
    assert api.order()['order_id'] == 1001
    assert api.admin('counters')['counts']['add_ssl_order'] == 2
    assert api.admin('faults', {'kind': 'expired_tokens'}, status=400)['error'].startswith('unknown fault kind')


# -- products and prices ---------------------------------------------------------------------------
def test_products(api):
    products = api.ok('list_products')['ssl_products']
    assert api.ok('ssl_certificates')['ssl_products'] == products
    assert [p['product_id'] for p in products] == [17, 18, 19, 20]
    assert all(list(p) == PRODUCT_FIELDS for p in products)
    details = api.ok('get_ssl_product_details', product_id='17')['product']
    assert details == {'product_id': 17, 'name': 'Sectigo PositiveSSL', 'type': 'SSL', 'brand': 'sectigo',
                       'price_for_3year': 20, 'price_for_2year': 10, 'price_for_1year': 5, 'validation_type': 'dv',
                       'is_trial': '', 'is_multi_domain': '', 'is_wildcard': '', 'warranty': 10000, 'www_included': 1,
                       'multidomains_maximum': 1, 'multidomains_included': 0, 'unlimited_server': 1,
                       'organization_required': ''}
    wildcard, multi, ov = (api.ok('get_ssl_product_details', product_id=n)['product'] for n in (18, 19, 20))
    assert (wildcard['name'], wildcard['is_wildcard'], wildcard['price_for_1year'], wildcard['price_for_2year'],
            wildcard['price_for_3year']) == ('Sectigo PositiveSSL Wildcard', 1, 50, 95, '')
    assert (multi['is_multi_domain'], multi['price_for_1year'], multi['price_for_2year'], multi['multidomains_included'],
            multi['multidomains_maximum']) == (1, 20, 38, 2, 100)
    # The emulator's price of a domain beyond those included: shown only with its knob (not from the vendor).
    api.configure(show_price_extra_domain=True)
    assert api.ok('get_ssl_product_details', product_id=19)['product']['price_extra_domain'] == 8
    assert all(list(p) == PRODUCT_FIELDS + ['price_extra_domain'] for p in api.ok('list_products')['ssl_products'])
    api.configure(show_price_extra_domain=False)
    assert (ov['validation_type'], ov['organization_required'], ov['price_for_1year'], ov['price_for_2year']) == (
        'ov', 1, 40, 75)
    api.error(105, 'get_ssl_product_details', 'Product not found', product_id='99')
    api.error(105, 'get_ssl_product_details', product_id='seventeen')
    api.error(103, 'get_ssl_product_details', 'Missing required parameter: product_id')


@pytest.mark.parametrize('product_id, period, nr_domains, amount', [
    (17, 1, None, '5.00'), (17, 2, '1', '10.00'), (17, 3, None, '20.00'), (18, 1, None, '50.00'), (18, 2, None, '95.00'),
    (19, 1, None, '20.00'), (19, 1, '3', '20.00'), (19, 1, '4', '28.00'), (19, 1, '5', '36.00'), (19, 2, '5', '70.00'),
    (19, 2, '100', '1590.00'), (20, 2, None, '75.00'),
])
def test_prices(api, product_id, period, nr_domains, amount):
    assert api.ok('get_ssl_product_price', product_id=product_id, period=period, nr_domains=nr_domains) == {
        'success': True, 'amount': amount}


@pytest.mark.parametrize('params, code, fragment', [
    ({'product_id': 18, 'period': 3}, 109, 'Period 3 is not available for product 18'),
    ({'product_id': 17, 'period': 4}, 109, 'Period 4'),
    ({'product_id': 17, 'period': 'one'}, 109, 'Period one'),
    ({'product_id': 17, 'period': 0}, 109, 'Period 0'),
    ({'product_id': 17, 'period': 1, 'nr_domains': 2}, 112, 'Too many domains: 2, the product allows 1'),
    ({'product_id': 19, 'period': 1, 'nr_domains': 101}, 112, 'Too many domains: 101, the product allows 100'),
    ({'product_id': 19, 'period': 1, 'nr_domains': 0}, 104, 'Invalid parameter nr_domains'),
    ({'product_id': 19, 'period': 1, 'nr_domains': 'x'}, 104, 'Invalid parameter nr_domains'),
    ({'product_id': 99, 'period': 1}, 105, 'Product not found'),
    ({'period': 1}, 103, 'Missing required parameter: product_id'),
    ({'product_id': 17}, 103, 'Missing required parameter: period'),
])
def test_price_errors(api, params, code, fragment):
    api.error(code, 'get_ssl_product_price', fragment, **params)


# -- orders -----------------------------------------------------------------------------------------
def test_add_order_status_and_my_orders(api):
    csr, dummy = make_csr(ZONE)
    answer = api.order(csr=csr, product_id=19, period=2, dv_method='https', addons=['www.example.org', 'Shop.Example.org'],
                       tech_email='tech@example.org')
    assert list(answer) == ['success', 'order_id', 'dv_options'] and answer['order_id'] == 1001
    assert list(answer['dv_options']) == ['http', 'https', 'dns']
    domains = ['example.org', 'www.example.org', 'shop.example.org']
    assert all(list(answer['dv_options'][part]) == domains for part in answer['dv_options'])
    assert api.balance() == '462.00'
    order = api.status(1001)
    assert list(order) == STATUS_FIELDS
    assert order['status'] == 'Awaiting Validation' and order['amount'] == '38.00' and order['period'] == 2
    assert (order['primary_domain'], order['domains_included'], order['dv_method']) == (
        ZONE, ','.join(domains), 'https')
    assert (order['product_id'], order['order_type'], order['csr']) == (19, 'new', csr)
    assert (order['certificate'], order['certificate_chain'], order['valid_from'], order['valid_till']) == ('', '', '', '')
    assert order['order_link'].startswith('https://') and order['order_link'].endswith('/1001')
    contacts = order['contacts']
    assert contacts['admin_email'] == 'ada@example.org' and contacts['tech_email'] == 'tech@example.org'
    assert contacts['tech_firstname'] == 'Ada' and contacts['org_name'] == ''
    assert list(contacts) == list(ADMIN) + ['tech_firstname', 'tech_lastname', 'tech_phone', 'tech_title',
                                            'tech_email'] + list(ORG)
    # A renewal is an order of its own, told apart by order_type.
    second = api.order(order_type='renew', domain='www.example.org')['order_id']
    assert second == 1002 and api.status(second)['order_type'] == 'renew'
    orders = api.ok('my_orders')['ssl_orders']
    assert [o['order_id'] for o in orders] == [1001, 1002] and all(list(o) == SUMMARY_FIELDS for o in orders)
    assert orders[1] == dict(orders[1], product_id=17, order_type='renew', primary_domain='www.example.org',
                             domains_included='www.example.org', status='Awaiting Validation', period=1, amount='5.00',
                             valid_from='', valid_till='')
    assert re.match(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$', orders[0]['created'])
    assert api.balance() == '457.00'
    # The order of an OV product keeps the organization fields.
    ov = api.order(product_id=20, **ORG)['order_id']
    assert api.status(ov)['contacts']['org_postalcode'] == 'N1 1AA'
    api.error(106, 'order_status', 'Order not found', order_id=999)
    api.error(106, 'order_status', order_id='x')
    api.error(103, 'order_status', 'order_id')


def test_order_status_flat_or_nested(api):
    api.order()
    nested = api.ok('order_status', order_id=1001)
    assert list(nested) == ['success', 'order']
    api.configure(order_status_nested=False)
    flat = api.ok('order_status', order_id=1001)
    assert list(flat) == ['success'] + STATUS_FIELDS
    assert dict(flat, success=None) == dict(nested['order'], success=None)


def test_order_status_extras_are_a_knob(api):
    """product_id and order_type are not among the document's order_status fields: the order_status_extras knob (not
    from the vendor; on by default because the collection reads them, docs/cyberssl.md) adds them."""
    api.order()
    assert list(api.status(1001)) == STATUS_FIELDS
    api.configure(order_status_extras=False)
    assert list(api.status(1001)) == STATUS_FIELDS[:-2]
    api.configure(order_status_nested=False)
    assert list(api.ok('order_status', order_id=1001)) == ['success'] + STATUS_FIELDS[:-2]


def test_balance_spent_once_and_insufficient(api):
    api.configure(balance=12.5)
    assert api.balance() == '12.50'
    api.order()
    api.order(period=1, domain='www.example.org')
    assert api.balance() == '2.50'
    message = api.error(107, 'add_ssl_order', **_add_params(csr=make_csr('shop.example.org')[0]))
    assert message == 'Insufficient balance: 2.50 available, 5.00 needed'
    assert [o['order_id'] for o in api.ok('my_orders')['ssl_orders']] == [1001, 1002]  # nothing stored
    assert api.balance() == '2.50'
    api.configure(balance=100)
    assert api.order(domain='shop.example.org')['order_id'] == 1003  # no id was used by the refused order
    # A reset restores the starting balance.
    api.admin('reset', {})
    api.login()
    assert api.balance() == '500.00'


def _add_params(**changes):
    params = dict(ADMIN, product_id='17', order_type='new', period='1', dv_method='dns', csr=make_csr(ZONE)[0])
    params.update(changes)
    return dict((k, v) for k, v in params.items() if v is not None)


@pytest.mark.parametrize('changes, code, fragment', [
    ({'product_id': None}, 103, 'Missing required parameter: product_id'),
    ({'order_type': None}, 103, 'Missing required parameter: order_type'),
    ({'period': None}, 103, 'Missing required parameter: period'),
    ({'dv_method': None}, 103, 'Missing required parameter: dv_method'),
    ({'admin_email': None}, 103, 'Missing required parameter: admin_email'),
    ({'admin_title': ' '}, 103, 'Missing required parameter: admin_title'),
    ({'order_type': 'upgrade'}, 104, 'Invalid parameter order_type'),
    ({'product_id': '99'}, 105, 'Product not found'),
    ({'product_id': '18', 'period': '3'}, 109, 'Period 3 is not available for product 18'),
    ({'product_id': '20'}, 103, 'Missing required parameter: org_name'),
    (dict(ORG, product_id='20', org_region=None), 103, 'Missing required parameter: org_region'),
    ({'csr': None}, 103, 'Missing required parameter: csr'),
    ({'csr': None, 'csr_domain': ZONE, 'csr_city': 'London'}, 103, 'Missing required parameter: csr_state'),
    ({'csr': 'hello'}, 108, 'Invalid CSR: not a PEM certificate request'),
    ({'csr': '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'}, 108,
     'Invalid CSR: cannot parse it'),
    ({'csr': make_csr(None, O='No CN')[0]}, 108, 'Invalid CSR: no common name'),
    ({'csr': make_csr('not a domain')[0]}, 108, 'Invalid CSR: common name'),
    ({'csr_domain': 'www.example.org'}, 108, 'common name example.org differs from csr_domain www.example.org'),
    ({'csr': make_csr('*.example.org')[0]}, 104, 'Invalid parameter csr: *.example.org is a wildcard'),
    ({'addon_domains': 'www.example.org'}, 112, 'Too many domains: 2, the product allows 1'),
    ({'product_id': '19', 'addon_domains': 'www.example.org,*.example.org'}, 104, 'Invalid parameter addon_domains: *.'),
    ({'product_id': '19', 'addon_domains': 'www.example.org,WWW.example.org'}, 104, 'listed twice'),
    ({'product_id': '19', 'addon_domains': 'example.org'}, 104, 'listed twice'),
    ({'product_id': '19', 'addon_domains': 'bad_name.example.org'}, 104, 'Invalid parameter addon_domains'),
    ({'product_id': '19', 'addon_domains': ','.join('d%d.example.org' % i for i in range(100))}, 112,
     'Too many domains: 101, the product allows 100'),
    ({'dv_method': 'ftp'}, 104, 'Invalid parameter dv_method'),
    ({'dv_method': 'email'}, 104, 'Invalid parameter dv_method'),
    ({'dv_method': 'email:'}, 104, '0 address(es) for 1 domain(s)'),
    ({'dv_method': 'email:admin@example.org,admin@example.org'}, 104, '2 address(es) for 1 domain(s)'),
    ({'dv_method': 'email:admin@example.com'}, 104, 'admin@example.com is not an address in example.org'),
    ({'dv_method': 'email:admin@org'}, 104, 'not an address in example.org'),
    ({'dv_method': 'email:not-an-address'}, 104, 'Invalid parameter dv_method'),
    ({'product_id': '19', 'addon_domains': 'www.example.org', 'dv_method': 'email:admin@www.example.org,admin@example.org'},
     104, 'admin@www.example.org is not an address in example.org'),
])
def test_add_order_errors(api, changes, code, fragment):
    api.error(code, 'add_ssl_order', fragment, **_add_params(**changes))
    assert api.admin('state')['orders'] == [] and api.balance() == '500.00'


def test_add_order_csr_key_checks(api):
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    api.error(108, 'add_ssl_order', 'RSA key of 1024 bits', **_add_params(csr=make_csr(ZONE, key=small)[0]))
    other_curve = ec.generate_private_key(ec.SECP256K1())
    api.error(108, 'add_ssl_order', 'EC curve secp256k1', **_add_params(csr=make_csr(ZONE, key=other_curve)[0]))
    fields = dict(CSR_FIELDS, csr=None, csr_domain=ZONE)
    fields['csr_country'] = 'GBR'
    api.error(104, 'add_ssl_order', 'Invalid parameter csr_country', **_add_params(**fields))
    # The email method: one address per domain, at the domain or a parent of it.
    answer = api.order(product_id=19, addons=['www.shop.example.org'],
                       dv_method='email:hostmaster@example.org,Admin@shop.example.org')
    assert 'dv_options' not in answer
    assert api.status(answer['order_id'])['dv_method'] == 'email'


def test_vendor_generated_csr_and_key(api):
    answer = api.order(csr=None, product_id=19, addons=['www.example.org'], csr_domain=ZONE, csr_department='Web',
                       csr_email='web@example.org', **CSR_FIELDS)
    assert list(answer) == ['success', 'order_id', 'dv_options', 'csr_code', 'private_key']
    key = serialization.load_pem_private_key(answer['private_key'].encode(), None)
    assert answer['private_key'].startswith('-----BEGIN PRIVATE KEY-----')
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    csr = x509.load_pem_x509_csr(answer['csr_code'].encode())
    assert csr.public_key().public_numbers() == key.public_key().public_numbers() and csr.is_signature_valid
    assert csr.subject.rfc4514_string() == \
        '1.2.840.113549.1.9.1=web@example.org,CN=example.org,OU=Web,O=Example Ltd,L=London,ST=London,C=GB'
    assert sans_of(csr) == ['example.org', 'www.example.org']
    assert api.status(answer['order_id'])['csr'] == answer['csr_code']
    # The key is a secret, and not kept in the state.
    assert answer['private_key'] in api.app.secrets()
    assert 'PRIVATE KEY' not in json.dumps(api.admin('state'))
    info = api.ok('validate_csr', csr=answer['csr_code'])['csr']
    assert (info['common_name'], info['department'], info['email'], info['type'], info['keysize'],
            info['total_domains']) == (ZONE, 'Web', 'web@example.org', 'RSA', 2048, 2)


def test_validate_csr(api, rsa_key):
    csr, dummy = make_csr(ZONE, ['example.org', 'www.example.org'], key=rsa_key, O='Example Ltd', OU='IT', L='London',
                          ST='Greater London', C='GB', E='it@example.org')
    info = api.ok('validate_csr', csr=csr)['csr']
    assert info == {'common_name': ZONE, 'organization': 'Example Ltd', 'department': 'IT', 'city': 'London',
                    'state': 'Greater London', 'country': 'GB', 'email': 'it@example.org',
                    'san': 'example.org,www.example.org', 'type': 'RSA', 'keysize': 2048, 'total_domains': 2}
    assert list(info) == ['common_name', 'organization', 'department', 'city', 'state', 'country', 'email', 'san',
                          'type', 'keysize', 'total_domains']
    ec_info = api.ok('validate_csr', csr=make_csr('Example.ORG')[0])['csr']
    assert (ec_info['common_name'], ec_info['type'], ec_info['keysize'], ec_info['san'], ec_info['organization'],
            ec_info['total_domains']) == (ZONE, 'EC', 256, '', '', 1)
    # Against a product: its domain count and wildcard rule; addon_domains replaces the CSR's SANs.
    api.ok('validate_csr', csr=csr, product_id=19)
    api.error(112, 'validate_csr', 'Too many domains: 2, the product allows 1', csr=csr, product_id=17)
    assert api.ok('validate_csr', csr=csr, addon_domains='a.example.org,b.example.org')['csr']['total_domains'] == 3
    api.error(104, 'validate_csr', 'Invalid parameter addon_domains', csr=csr, product_id=19,
              addon_domains='*.example.org')
    api.error(104, 'validate_csr', 'Invalid parameter csr', csr=make_csr('*.example.org')[0], product_id=17)
    assert api.ok('validate_csr', csr=make_csr('*.example.org')[0], product_id=18)['csr']['common_name'] == '*.example.org'
    api.error(105, 'validate_csr', 'Product not found', csr=csr, product_id=77)
    api.error(108, 'validate_csr', 'Invalid CSR', csr='-----BEGIN CERTIFICATE REQUEST-----\n')
    api.error(103, 'validate_csr', 'Missing required parameter: csr')
    # CRLF line ends are fine.
    assert api.ok('validate_csr', csr=csr.replace('\n', '\r\n'))['csr']['common_name'] == ZONE


# -- domain validation and issue -----------------------------------------------------------------------
def test_dns_validation_through_securityspace(api):
    csr, key = make_csr(ZONE)
    answer = api.order(csr=csr, product_id=19, addons=['www.example.org'], period=2)
    records = [answer['dv_options']['dns'][d]['record'] for d in (ZONE, 'www.example.org')]
    assert all(COMODO.match(r) for r in records)  # the document's form, the default
    api.dns('dnsAddDomain', domain=ZONE, domaintype='master', aup='YES')
    api.dns_cname(records[0])
    api.dns('dnsPublish', domain=ZONE)
    assert api.status(1001)['status'] == 'Awaiting Validation'  # one of two published
    api.dns_cname(records[1])
    assert api.status(1001)['status'] == 'Awaiting Validation'  # added, not published
    assert api.ok('revalidate', order_id=1001, domain_name='www.example.org') == {'success': True}
    assert api.ok('my_orders')['ssl_orders'][0]['status'] == 'Awaiting Validation'
    api.dns('dnsPublish', domain=ZONE)
    before = datetime.datetime.now(datetime.timezone.utc)
    order = api.status(1001)
    assert order['status'] == 'Activated'
    # A real certificate from the emulator's CA, for the CSR's key and every domain, for the period.
    cert = leaf_of(order)
    chain = x509.load_pem_x509_certificate(order['certificate_chain'].encode())
    cert.verify_directly_issued_by(chain)
    chain.verify_directly_issued_by(chain)
    assert cert.issuer == chain.subject and chain.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == ZONE
    assert sans_of(cert) == [ZONE, 'www.example.org']
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()
    assert abs((cert.not_valid_before_utc - before).total_seconds()) < 60
    assert cert.not_valid_after_utc.year == cert.not_valid_before_utc.year + 2
    assert order['valid_from'] == cert.not_valid_before_utc.strftime('%Y-%m-%d')
    assert order['valid_till'] == cert.not_valid_after_utc.strftime('%Y-%m-%d')
    assert api.ok('my_orders')['ssl_orders'][0]['valid_till'] == order['valid_till']


def test_dns_record_of_a_wildcard_and_case_insensitive_match(api):
    answer = api.order(product_id=18, domain='*.example.org')
    record = answer['dv_options']['dns']['*.example.org']['record']
    match = COMODO.match(record)
    assert match and match.group(2) == ZONE  # at example.org's name, not under "*."
    api.dns('dnsAddDomain', domain=ZONE, domaintype='master', aup='YES')
    name, dummy, target = record.split(' ')
    api.dns('dnsAddCNAME', domain=ZONE, alias=name.split('.')[0].lower(), name=target.upper().rstrip('.') + '.')
    api.dns('dnsPublish', domain=ZONE)
    order = api.status(answer['order_id'])
    assert order['status'] == 'Activated' and sans_of(leaf_of(order)) == ['*.example.org']


def test_dns_order_without_securityspace(rsa_key):
    """No SecuritySpace in the world (in process): a dns order is never validated; approve still works."""
    world = emulator_harness.World()
    app = CyberSSLApp()
    app.world = world
    world.add('cyberssl', app)

    def call(method, http='GET', **params):
        if http == 'GET':
            request = Request('GET', '/v1/%s?%s' % (method, urllib.parse.urlencode(params)))
        else:
            request = Request('POST', '/v1/' + method, [('Content-Type', 'application/x-www-form-urlencoded')],
                              urllib.parse.urlencode(params).encode())
        return json.loads(app.handle(request).body)

    token = call('auth', apikey=app.api_key)['token']
    answer = call('add_ssl_order', 'POST', token=token, product_id=17, order_type='new', period=1, dv_method='dns',
                  csr=make_csr(ZONE, key=rsa_key)[0], **ADMIN)
    assert call('order_status', token=token, order_id=answer['order_id'])['order']['status'] == 'Awaiting Validation'
    app.orders[answer['order_id']]['approved'] = True
    order = call('order_status', token=token, order_id=answer['order_id'])['order']
    assert order['status'] == 'Activated'
    assert leaf_of(order).extensions.get_extension_for_class(x509.KeyUsage).value.key_encipherment  # an RSA key


def test_http_and_email_orders_need_approval(api):
    http = api.order(dv_method='http')['order_id']
    email = api.order(domain='www.example.org', dv_method='email:webmaster@example.org')['order_id']
    for dummy in range(2):
        assert [o['status'] for o in api.ok('my_orders')['ssl_orders']] == ['Awaiting Validation'] * 2
    assert api.admin('approve', {'order_id': http})['order']['order_id'] == http
    assert api.status(http)['status'] == 'Activated'
    assert api.status(email)['status'] == 'Awaiting Validation'
    api.admin('approve', {'order_id': email})
    assert [o['status'] for o in api.ok('my_orders')['ssl_orders']] == ['Activated'] * 2
    assert api.admin('counters')['counts'].get('approve') is None  # the admin API is not counted


def test_processing_seconds(api):
    api.configure(processing_seconds=0.4)
    order_id = api.order(dv_method='https')['order_id']
    api.admin('approve', {'order_id': order_id})
    assert api.status(order_id)['status'] == 'Processing'
    assert api.status(order_id)['certificate'] == ''
    time.sleep(0.45)
    assert api.status(order_id)['status'] == 'Activated'


def test_the_documents_dv_form_is_the_default(api):
    """The add_ssl_order example of the document: <MD5>.test.com. CNAME <40 hex>.comodoca.com., the file <MD5>.txt
    holding the same 40 hex, at http(s)://test.com/<file>."""
    assert api.admin('config')['dv_record_form'] == 'comodo'
    csr = make_csr(ZONE)[0]
    options = api.order(csr=csr, dv_method='http')['dv_options']
    match = COMODO.match(options['dns'][ZONE]['record'])
    assert match and match.group(2) == ZONE
    for scheme in ('http', 'https'):
        entry = options[scheme][ZONE]
        assert list(entry) == ['filename', 'content', 'link']
        assert entry == {'filename': match.group(1) + '.txt', 'content': match.group(3),
                         'link': '%s://%s/%s.txt' % (scheme, ZONE, match.group(1))}


@pytest.mark.parametrize('form, pattern, folder', [('comodo', COMODO, ''),
                                                   ('sectigo', SECTIGO, '.well-known/pki-validation/')])
def test_dv_record_forms(api, form, pattern, folder):
    api.configure(dv_record_form=form)
    csr = make_csr(ZONE)[0]
    first = api.order(csr=csr, dv_method='http')
    record = first['dv_options']['dns'][ZONE]['record']
    match = pattern.match(record)
    assert match and match.group(2) == ZONE
    assert match.group(1).lower() == hashlib.md5((csr + ZONE).encode()).hexdigest()
    http = first['dv_options']['http'][ZONE]
    assert http['filename'] == match.group(1).upper() + '.txt'
    assert http['link'] == 'http://example.org/' + folder + http['filename']
    assert first['dv_options']['https'][ZONE]['link'] == 'https://example.org/' + folder + http['filename']
    # Fixed when the order is placed: read again it is the same. Another order with the same CSR has the same record
    # in the document's form (derived from the CSR and the domain) and another target in the sectigo form (the
    # order's unique value).
    again = api.ok('get_dv_options', order_id=first['order_id'], dv_method='dns')['dv_options']['dns'][ZONE]['record']
    assert again == record
    other = api.order(csr=csr)['dv_options']['dns'][ZONE]['record']
    assert other.split(' ')[0] == record.split(' ')[0]
    assert (other.split(' ')[2] == record.split(' ')[2]) == (form == 'comodo')
    # The form is the one of the time of the order.
    api.configure(dv_record_form='comodo' if form == 'sectigo' else 'sectigo')
    assert api.ok('get_dv_options', order_id=first['order_id'], dv_method='dns')['dv_options']['dns'][ZONE]['record'] == \
        record


def test_get_dv_options(api):
    order_id = api.order(product_id=19, addons=['www.example.org'])['order_id']
    everything = api.ok('get_dv_options', order_id=order_id, dv_method='all')
    assert list(everything) == ['success', 'order_id', 'dv_options'] and everything['order_id'] == order_id
    options = everything['dv_options']
    assert list(options) == ['http', 'https', 'dns', 'email']
    assert options['email']['www.example.org'] == [
        'admin@www.example.org', 'administrator@www.example.org', 'hostmaster@www.example.org',
        'postmaster@www.example.org', 'webmaster@www.example.org']
    assert list(options['http'][ZONE]) == ['filename', 'content', 'link']
    for part in ('http', 'https', 'dns', 'email'):
        assert api.ok('get_dv_options', order_id=order_id, dv_method=part)['dv_options'] == {part: options[part]}
    api.error(104, 'get_dv_options', 'Invalid parameter dv_method', order_id=order_id, dv_method='ftp')
    api.error(103, 'get_dv_options', 'Missing required parameter: dv_method', order_id=order_id)
    api.error(106, 'get_dv_options', 'Order not found', order_id=5, dv_method='all')


def test_change_dv_method(api):
    order_id = api.order(product_id=19, addons=['www.example.org'], dv_method='http')['order_id']
    records = api.ok('get_dv_options', order_id=order_id, dv_method='dns')['dv_options']
    answer = api.ok('change_dv_method', order_id=order_id, dv_method='dns', domain='www.example.org')
    assert list(answer) == ['success', 'dv_options'] and answer['dv_options']['dns'] == records['dns']
    assert api.status(order_id)['dv_method'] == 'dns'
    # email: one address per domain of the order (the order has one method).
    api.error(103, 'change_dv_method', 'Missing required parameter: email', order_id=order_id, dv_method='email')
    api.error(104, 'change_dv_method', 'Invalid parameter email', order_id=order_id, dv_method='email',
              email='admin@example.org')
    api.error(104, 'change_dv_method', 'admin@example.net is not an address in www.example.org', order_id=order_id,
              dv_method='email', email='admin@example.org,admin@example.net')
    assert api.ok('change_dv_method', order_id=order_id, dv_method='email',
                  email='admin@example.org,admin@example.org') == {'success': True}
    assert api.status(order_id)['dv_method'] == 'email'
    api.error(104, 'change_dv_method', 'Invalid parameter dv_method', order_id=order_id, dv_method='fax')
    api.error(104, 'change_dv_method', 'Invalid parameter domain', order_id=order_id, dv_method='dns',
              domain='shop.example.org')
    api.error(103, 'change_dv_method', 'Missing required parameter: dv_method', order_id=order_id)
    api.error(106, 'change_dv_method', 'Order not found', order_id=1, dv_method='dns')
    # A change withdraws an approval; past validation it is refused.
    api.ok('change_dv_method', order_id=order_id, dv_method='http')
    api.admin('approve', {'order_id': order_id})
    assert api.status(order_id)['status'] == 'Activated'
    api.error(111, 'change_dv_method', 'Not allowed while the order is Activated', order_id=order_id, dv_method='dns')


def test_revalidate(api):
    order_id = api.order(dv_method='dns')['order_id']
    api.error(103, 'revalidate', 'Missing required parameter: domain_name', order_id=order_id)
    api.error(104, 'revalidate', 'Invalid parameter domain_name', order_id=order_id, domain_name='example.com')
    api.error(106, 'revalidate', order_id=4242, domain_name=ZONE)
    record = api.ok('get_dv_options', order_id=order_id, dv_method='dns')['dv_options']['dns'][ZONE]['record']
    api.dns('dnsAddDomain', domain=ZONE, domaintype='master', aup='YES')
    api.dns_cname(record)
    api.dns('dnsPublish', domain=ZONE)
    assert api.ok('revalidate', order_id=order_id, domain_name='Example.org') == {'success': True}
    assert api.admin('state')['orders'][0]['status'] == 'Activated'  # the revalidation moved it on
    api.ok('revalidate', order_id=order_id, domain_name=ZONE)  # past validation: a no-op
    api.admin('set_status', {'order_id': order_id, 'status': 'Cancelled'})
    api.error(111, 'revalidate', 'Not allowed while the order is Cancelled', order_id=order_id, domain_name=ZONE)


def test_reissue(api):
    first_csr, first_key = make_csr(ZONE)
    order_id = api.order(csr=first_csr, product_id=19, dv_method='http')['order_id']
    api.admin('approve', {'order_id': order_id})
    issued = api.status(order_id)
    assert issued['status'] == 'Activated' and issued['amount'] == '20.00'
    balance = api.balance()
    old_record = api.ok('get_dv_options', order_id=order_id, dv_method='dns')['dv_options']['dns'][ZONE]['record']
    # More domains than paid (1 + 2 included): 112, naming the call that buys more.
    new_csr, new_key = make_csr(ZONE)
    addons = ['a.example.org', 'b.example.org', 'c.example.org']
    message = api.error(112, 'reissue_ssl_order', order_id=order_id, dv_method='dns', csr=new_csr,
                        addon_domains=','.join(addons))
    assert message == 'Too many domains: 4, the order allows 3 (order_extra_domains buys more)'
    answer = api.ok('reissue_ssl_order', order_id=order_id, dv_method='dns', csr=new_csr,
                    addon_domains=','.join(addons[:2]))
    assert list(answer) == ['success', 'order_id', 'dv_options'] and answer['order_id'] == order_id
    assert api.balance() == balance  # free
    pending = api.status(order_id)
    assert pending['status'] == 'Awaiting Validation' and pending['csr'] == new_csr and pending['dv_method'] == 'dns'
    assert pending['domains_included'] == 'example.org,a.example.org,b.example.org'
    # The old certificate stays until the new one is issued.
    assert (pending['certificate'], pending['valid_till']) == (issued['certificate'], issued['valid_till'])
    assert leaf_of(pending).public_key().public_numbers() == first_key.public_key().public_numbers()
    # New CSR, new records.
    new_record = answer['dv_options']['dns'][ZONE]['record']
    assert new_record != old_record and new_record.split(' ')[0] != old_record.split(' ')[0]
    assert api.admin('state')['orders'][0]['dv'][ZONE]['dns']['record'] == new_record
    api.admin('approve', {'order_id': order_id})
    reissued = api.status(order_id)
    assert reissued['status'] == 'Activated' and reissued['certificate'] != issued['certificate']
    assert leaf_of(reissued).public_key().public_numbers() == new_key.public_key().public_numbers()
    assert sans_of(leaf_of(reissued)) == ['example.org', 'a.example.org', 'b.example.org']
    # With the csr_* fields the vendor makes the key; on a reissue the document also requires department and email.
    api.error(103, 'reissue_ssl_order', 'Missing required parameter: csr_department', order_id=order_id,
              dv_method='http', csr_domain=ZONE, **CSR_FIELDS)
    generated = api.ok('reissue_ssl_order', order_id=order_id, dv_method='http', csr_domain=ZONE,
                       csr_department='IT', csr_email='it@example.org', **CSR_FIELDS)
    assert set(generated) == {'success', 'order_id', 'dv_options', 'csr_code', 'private_key'}
    assert generated['private_key'] in api.app.secrets()
    assert api.status(order_id)['domains_included'] == ZONE
    # Errors.
    api.error(103, 'reissue_ssl_order', 'Missing required parameter: dv_method', order_id=order_id, csr=new_csr)
    api.error(103, 'reissue_ssl_order', 'Missing required parameter: csr', order_id=order_id, dv_method='dns')
    api.error(106, 'reissue_ssl_order', 'Order not found', order_id=77, dv_method='dns', csr=new_csr)
    api.error(104, 'reissue_ssl_order', 'Invalid parameter csr', order_id=order_id, dv_method='dns',
              csr=make_csr('*.example.org')[0])
    api.error(108, 'reissue_ssl_order', 'Invalid CSR', order_id=order_id, dv_method='dns', csr='x')
    for status in ('Rejected', 'Cancelled', 'Duplicate Certificate', 'Expired'):
        api.admin('set_status', {'order_id': order_id, 'status': status})
        api.error(111, 'reissue_ssl_order', 'Not allowed while the order is %s' % status, order_id=order_id,
                  dv_method='dns', csr=new_csr)
    assert api.balance() == balance


def test_order_extra_domains(api):
    order_id = api.order(product_id=19, period=2)['order_id']
    assert api.balance() == '462.00'
    answer = api.ok('order_extra_domains', order_id=order_id, extra_domains_nr=2)
    assert answer == {'success': True, 'amount': '32.00', 'order_id': order_id}  # 8 x 2 years x 2
    assert api.balance() == '430.00' and api.status(order_id)['amount'] == '70.00'
    addons = ['d%d.example.org' % i for i in range(4)]  # 5 domains: 3 included + 2 bought
    api.ok('reissue_ssl_order', order_id=order_id, dv_method='dns', csr=make_csr(ZONE)[0], addon_domains=','.join(addons))
    api.error(112, 'order_extra_domains', 'Too many domains: 101, the product allows 100', order_id=order_id,
              extra_domains_nr=96)
    api.error(104, 'order_extra_domains', 'Invalid parameter extra_domains_nr', order_id=order_id, extra_domains_nr=0)
    api.error(103, 'order_extra_domains', 'Missing required parameter: extra_domains_nr', order_id=order_id)
    api.error(106, 'order_extra_domains', 'Order not found', order_id=99, extra_domains_nr=1)
    api.configure(balance=10)
    api.error(107, 'order_extra_domains', 'Insufficient balance: 10.00 available, 16.00 needed', order_id=order_id,
              extra_domains_nr=1)
    single = api.order()['order_id']
    api.error(112, 'order_extra_domains', 'the product allows 1', order_id=single, extra_domains_nr=1)
    api.admin('set_status', {'order_id': order_id, 'status': 'Rejected'})
    api.error(111, 'order_extra_domains', order_id=order_id, extra_domains_nr=1)
    assert api.balance() == '5.00'


def test_order_extra_domains_by_post_as_the_php_class_sends_it(api):
    """The document lists order_extra_domains as a GET; the vendor's PHP class sends it as a POST: both are taken."""
    order_id = api.order(product_id=19)['order_id']
    response = api.raw('order_extra_domains', http='POST', order_id=order_id, extra_domains_nr=1)
    assert response.status_code == 200
    assert response.json() == {'success': True, 'amount': '8.00', 'order_id': order_id}
    assert api.status(order_id)['amount'] == '28.00' and api.balance() == '472.00'
    # A POST reads the form, like every POST method: parameters in the query are not seen.
    query = urllib.parse.urlencode({'token': api.token, 'order_id': order_id, 'extra_domains_nr': 1})
    assert api.session.post(api.url + '/order_extra_domains?' + query, timeout=15).json()['error_code'] == 102
    assert api.admin('counters')['counts']['order_extra_domains'] == 2 and api.balance() == '472.00'


# -- methods of the PHP class the document does not list ----------------------------------------------------
def test_web_software_and_the_orders_software_id(api):
    soft = api.ok('get_ssl_web_soft')
    assert list(soft) == ['success', 'webservers']
    assert soft['webservers'] and all(list(w) == ['software_id', 'name'] for w in soft['webservers'])
    names = dict((w['software_id'], w['name']) for w in soft['webservers'])
    assert {2, 3} <= set(names)  # the ids the PHP class's examples send
    api.error(102, 'get_ssl_web_soft', token='')
    plain = api.order()['order_id']
    assert api.status(plain)['software_name'] == ''
    served = api.order(domain='www.example.org', software_id='2')['order_id']
    assert api.status(served)['software_name'] == names[2]
    for bad in ('99', '0', '-1', 'apache'):
        api.error(104, 'add_ssl_order', 'Invalid parameter software_id: %r is not a software_id of get_ssl_web_soft'
                  % bad, **_add_params(csr=make_csr('shop.example.org')[0], software_id=bad))
    assert [o['order_id'] for o in api.ok('my_orders')['ssl_orders']] == [plain, served]  # nothing stored
    assert api.balance() == '490.00'
    # A reissue takes one too (the PHP class's reissue example sends it) and keeps the order's when it sends none.
    api.ok('reissue_ssl_order', order_id=served, dv_method='dns', csr=make_csr('www.example.org')[0], software_id=3)
    assert api.status(served)['software_name'] == names[3]
    api.ok('reissue_ssl_order', order_id=served, dv_method='dns', csr=make_csr('www.example.org')[0])
    assert api.status(served)['software_name'] == names[3]
    api.error(104, 'reissue_ssl_order', 'Invalid parameter software_id', order_id=served, dv_method='dns',
              csr=make_csr('www.example.org')[0], software_id=77)


def test_get_dv_options_csr_tells_an_orders_validation_data_before_the_order(api):
    csr = make_csr(ZONE)[0]
    preview = api.ok('get_dv_options_csr', csr=csr, product_id=19, addon_domains='www.example.org', dv_method='all')
    assert list(preview) == ['success', 'dv_options'] and list(preview['dv_options']) == ['http', 'https', 'dns', 'email']
    assert list(preview['dv_options']['dns']) == [ZONE, 'www.example.org']
    order_id = api.order(csr=csr, product_id=19, addons=['www.example.org'])['order_id']
    assert api.ok('get_dv_options', order_id=order_id, dv_method='all')['dv_options'] == preview['dv_options']
    assert api.ok('get_dv_options_csr', csr=csr.replace('\n', '\r\n'), dv_method='DNS')['dv_options'] == \
        {'dns': {ZONE: preview['dv_options']['dns'][ZONE]}}
    assert not api.app.is_write('get_dv_options_csr')
    api.error(103, 'get_dv_options_csr', 'Missing required parameter: csr', dv_method='all')
    api.error(103, 'get_dv_options_csr', 'Missing required parameter: dv_method', csr=csr)
    api.error(104, 'get_dv_options_csr', 'Invalid parameter dv_method', csr=csr, dv_method='ftp')
    api.error(108, 'get_dv_options_csr', 'Invalid CSR', csr='-----BEGIN CERTIFICATE REQUEST-----\n', dv_method='all')
    api.error(105, 'get_dv_options_csr', 'Product not found', csr=csr, product_id=77, dv_method='all')
    api.error(104, 'get_dv_options_csr', 'Invalid parameter csr', csr=make_csr('*.example.org')[0], product_id=17,
              dv_method='all')
    api.error(112, 'get_dv_options_csr', 'Too many domains: 2, the product allows 1', csr=csr, product_id=17,
              addon_domains='www.example.org', dv_method='all')
    # The sectigo form (not from the vendor): the record's name is the CSR's, its target holds the order's own value.
    api.configure(dv_record_form='sectigo')
    before = api.ok('get_dv_options_csr', csr=csr, dv_method='dns')['dv_options']['dns'][ZONE]['record'].split(' ')
    ordered = api.order(csr=csr)['dv_options']['dns'][ZONE]['record'].split(' ')
    assert before[0] == ordered[0] and before[2] != ordered[2]


def test_activate_ssl_order(api):
    names = dict((w['software_id'], w['name']) for w in api.ok('get_ssl_web_soft')['webservers'])
    order_id = api.order(product_id=19, dv_method='http')['order_id']
    csr = make_csr('shop.example.org')[0]
    activation = dict(order_id=order_id, dv_method='dns', csr=csr, addon_domains='www.shop.example.org', software_id=4,
                      admin_phone='+44.3000000')
    api.error(111, 'activate_ssl_order', 'Not allowed while the order is Awaiting Validation', **activation)
    api.admin('set_status', {'order_id': order_id, 'status': 'Awaiting Activation'})
    assert api.status(order_id)['status'] == 'Awaiting Activation'  # nothing to validate until it is activated
    balance = api.balance()
    answer = api.ok('activate_ssl_order', **activation)
    assert list(answer) == ['success', 'order_id', 'dv_options'] and answer['order_id'] == order_id
    assert list(answer['dv_options']['dns']) == ['shop.example.org', 'www.shop.example.org']
    order = api.status(order_id)
    assert (order['status'], order['primary_domain'], order['domains_included'], order['dv_method'], order['csr'],
            order['software_name']) == ('Awaiting Validation', 'shop.example.org',
                                        'shop.example.org,www.shop.example.org', 'dns', csr, names[4])
    assert order['contacts']['admin_phone'] == '+44.3000000' and order['contacts']['admin_firstname'] == 'Ada'
    assert api.balance() == balance  # the order was paid for when it was placed
    api.error(111, 'activate_ssl_order', 'Not allowed while the order is Awaiting Validation', **activation)
    # Without a CSR, the csr_* fields make one, as for add_ssl_order; email validation answers no dv_options.
    single = api.order(domain='www.example.org')['order_id']
    api.admin('set_status', {'order_id': single, 'status': 'Awaiting Activation'})
    api.error(112, 'activate_ssl_order', 'Too many domains: 2, the product allows 1', order_id=single,
              dv_method='dns', csr=make_csr('www.example.org')[0], addon_domains='api.example.org')
    api.error(104, 'activate_ssl_order', 'Invalid parameter software_id', order_id=single, dv_method='dns',
              csr=make_csr('www.example.org')[0], software_id=0)
    api.error(103, 'activate_ssl_order', 'Missing required parameter: csr', order_id=single, dv_method='dns')
    api.error(103, 'activate_ssl_order', 'Missing required parameter: dv_method', order_id=single)
    api.error(106, 'activate_ssl_order', 'Order not found', order_id=4242, dv_method='dns')
    answer = api.ok('activate_ssl_order', order_id=single, dv_method='email:admin@example.org',
                    csr_domain='www.example.org', **CSR_FIELDS)
    assert list(answer) == ['success', 'order_id', 'csr_code', 'private_key']
    assert 'BEGIN CERTIFICATE REQUEST' in answer['csr_code'] and answer['private_key'] in api.app.secrets()
    assert api.status(single)['dv_method'] == 'email' and api.status(single)['status'] == 'Awaiting Validation'
    assert api.admin('counters')['counts']['activate_ssl_order'] == 9


def test_resend_dv_email(api):
    mail = api.order(dv_method='email:admin@example.org')['order_id']
    assert api.ok('resend_dv_email', order_id=mail) == {'success': True}
    api.ok('resend_dv_email', order_id=mail)
    assert api.admin('state')['orders'][0]['emails_resent'] == 2
    dns = api.order(domain='www.example.org')['order_id']
    api.error(104, 'resend_dv_email', 'order %d is validated by dns, not by email' % dns, order_id=dns)
    api.admin('approve', {'order_id': mail})
    api.error(111, 'resend_dv_email', 'Not allowed while the order is Activated', order_id=mail)
    api.error(106, 'resend_dv_email', 'Order not found', order_id=5)
    api.error(103, 'resend_dv_email', 'Missing required parameter: order_id')
    assert api.admin('state')['orders'][0]['emails_resent'] == 2


# -- control calls ---------------------------------------------------------------------------------------------
def test_expire_control_call(api):
    order_id = api.order(dv_method='http', period=3)['order_id']
    assert api.admin('expire', {'order_id': order_id, 'days': 10}, status=409)['error'] == \
        'order %d has no certificate yet' % order_id
    api.admin('approve', {'order_id': order_id})
    first = api.status(order_id)
    now = datetime.datetime.now(datetime.timezone.utc)
    answer = api.admin('expire', {'order_id': order_id, 'days': 10})
    assert answer['order']['status'] == 'Activated'
    order = api.status(order_id)
    cert = leaf_of(order)
    assert abs((cert.not_valid_after_utc - (now + datetime.timedelta(days=10))).total_seconds()) < 60
    assert order['valid_till'] == cert.not_valid_after_utc.strftime('%Y-%m-%d') == answer['order']['valid_till']
    assert order['valid_from'] == first['valid_from'] and cert.serial_number != leaf_of(first).serial_number
    cert.verify_directly_issued_by(x509.load_pem_x509_certificate(order['certificate_chain'].encode()))
    assert sans_of(cert) == [ZONE]
    # In the past: Expired (reported and kept); a renewal is a new order.
    api.admin('expire', {'order_id': order_id, 'days': -1})
    expired = api.status(order_id)
    assert expired['status'] == 'Expired' and leaf_of(expired).not_valid_after_utc < now
    assert leaf_of(expired).not_valid_before_utc < leaf_of(expired).not_valid_after_utc
    assert api.ok('my_orders')['ssl_orders'][0]['status'] == 'Expired'
    api.error(111, 'reissue_ssl_order', 'Not allowed while the order is Expired', order_id=order_id, dv_method='dns',
              csr=make_csr(ZONE)[0])
    # Back in the future: Activated again.
    assert api.admin('expire', {'order_id': order_id, 'days': 30})['order']['status'] == 'Activated'


def test_set_status_and_admin_errors(api):
    order_id = api.order(dv_method='http')['order_id']
    assert api.admin('set_status', {'order_id': order_id, 'status': 'Rejected'})['order']['status'] == 'Rejected'
    assert api.status(order_id)['status'] == 'Rejected'
    api.admin('approve', {'order_id': order_id})
    assert api.status(order_id)['status'] == 'Rejected'  # terminal
    api.admin('set_status', {'order_id': order_id, 'status': 'Awaiting Activation'})
    assert api.status(order_id)['status'] == 'Awaiting Activation'
    api.admin('set_status', {'order_id': order_id, 'status': 'Activated'})  # issues the certificate
    order = api.status(order_id)
    assert order['status'] == 'Activated' and order['certificate'].startswith('-----BEGIN CERTIFICATE-----')
    api.admin('set_status', {'order_id': order_id, 'status': 'Awaiting Validation'})
    assert api.status(order_id)['status'] == 'Awaiting Validation'  # approval withdrawn
    assert api.admin('set_status', {'order_id': order_id, 'status': 'Done'}, status=400)['error'].startswith('status must')
    assert api.admin('approve', {'order_id': 999}, status=404) == {'error': 'no order 999'}
    assert 'order_id' in api.admin('approve', {'order_id': '1001'}, status=400)['error']
    assert 'days' in api.admin('expire', {'order_id': order_id, 'days': 'soon'}, status=400)['error']
    assert api.admin('approve', [order_id], status=400) == {'error': 'the body must be a JSON object'}
    api.admin('approve', {'order_id': order_id}, method='GET', status=404)
    api.admin('no_such_route', {}, status=404)


# -- faults, concurrency, state, config -------------------------------------------------------------------------
def test_generic_faults_on_add(api):
    params = _add_params()
    api.login()
    api.admin('faults', {'endpoint': 'add_ssl_order', 'kind': 'http_502_after'})
    assert api.raw('add_ssl_order', **params).status_code == 502
    assert [o['order_id'] for o in api.ok('my_orders')['ssl_orders']] == [1001]  # carried out, spent once
    assert api.balance() == '495.00'
    api.admin('faults', {'endpoint': 'add_ssl_order', 'kind': 'drop'})
    with pytest.raises(requests.exceptions.ConnectionError):
        api.raw('add_ssl_order', **params)
    api.admin('faults', {'endpoint': 'add_ssl_order', 'kind': 'http_503'})
    response = api.raw('add_ssl_order', **params)
    assert response.status_code == 503 and response.headers['Content-Type'].startswith('text/plain')
    assert len(api.ok('my_orders')['ssl_orders']) == 1 and api.balance() == '495.00'


def test_concurrent_orders(api):
    api.configure(balance=25)
    token = api.login()
    params = [_add_params(csr=make_csr('n%d.example.org' % i)[0], token=token) for i in range(10)]
    results = [None] * 10

    def run(index):
        with requests.Session() as session:
            session.trust_env = False
            results[index] = session.post(api.url + '/add_ssl_order', data=params[index], verify=api.running.ca_path,
                                          timeout=30).json()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = sorted(r['order_id'] for r in results if r['success'])
    assert won == [1001, 1002, 1003, 1004, 1005]
    assert sorted(r.get('error_code') for r in results if not r['success']) == [107] * 5
    assert api.balance() == '0.00' and len(api.ok('my_orders')['ssl_orders']) == 5


def test_state_and_secrets(api):
    api.order(csr=None, csr_domain=ZONE, **CSR_FIELDS)
    state = api.admin('state')
    assert set(state) == {'orders', 'balance', 'tokens', 'next_order_id'}
    assert state['balance'] == '495.00' and state['tokens'] == 1 and state['next_order_id'] == 1002
    order = state['orders'][0]
    assert order['order_id'] == 1001 and order['amount'] == '5.00' and order['paid_domains'] == 1
    assert set(order['dv'][ZONE]) >= {'dns', 'http', 'https', 'email', 'dns_name', 'dns_target'}
    assert 'PRIVATE KEY' not in json.dumps(state)
    secrets_before = api.app.secrets()
    api.admin('reset', {})
    state = api.admin('state')
    assert state == {'orders': [], 'balance': '500.00', 'tokens': 0, 'next_order_id': 1001}
    assert secrets_before <= api.app.secrets()
    assert set(api.admin('secrets')['secrets']) == api.app.secrets()


def test_config(api):
    config = api.admin('config')
    assert {k: config[k] for k in ('token_ttl', 'balance', 'processing_seconds', 'dv_record_form',
                                   'order_status_nested', 'order_status_extras', 'show_price_extra_domain')} == {
        'token_ttl': 3600.0, 'balance': 500.0, 'processing_seconds': 0.0, 'dv_record_form': 'comodo',
        'order_status_nested': True, 'order_status_extras': True, 'show_price_extra_domain': False}
    for bad in ({'dv_record_form': 'digicert'}, {'dv_record_form': 5}, {'token_ttl': -1}, {'balance': -5},
                {'order_status_extras': 'yes'}, {'show_price_extra_domain': 1},
                {'processing_seconds': 'later'}, {'order_status_nested': 1}, {'no_such_knob': 1}):
        assert 'error' in api.admin('config', bad, status=400), bad
    assert api.admin('config') == config
    assert api.configure(balance=7.129)['balance'] == 7.129
    assert api.balance() == '7.13'
