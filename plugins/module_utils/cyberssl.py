# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""CyberSSL client: certificate products, orders, domain validation.

Every method is ``<base>/<method>``: GET with the parameters in the query
string, or POST form-encoded. ``auth?apikey=`` yields a token sent as the
``token`` parameter of every later call (added by the client's
:class:`FieldAuth` as the request goes out, and registered as a secret the
moment it arrives). Every reply is a JSON object with ``success``; the HTTP
status is ignored like the vendor's own client does. A refused or expired
token (102) fetches a new one once and sends the call again: the vendor
refused it before doing anything. Orders cost money, so ``add_ssl_order``
and ``reissue_ssl_order`` whose outcome is unknown are never sent again
before ``my_orders``/``order_status`` shows that they did not land.
See docs/cyberssl.md for the wire format and the decisions taken.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import (
    ApiError,
    DomainsecError,
    FieldAuth,
    WriteNotProven,
    env_fallback_set,
)
from ansible_collections.domainsec.onboard.plugins.module_utils.vendor_client import RpcClient, as_int  # the modules call it as cs.as_int

VENDOR = 'CyberSSL'
LIVE_URL = 'https://api.cyberssl.com/v1'
SANDBOX_URL = 'https://api.cyberssl.com/sandbox/v1'

GET_METHODS = frozenset(['auth', 'list_products', 'get_dv_options', 'order_status', 'get_ssl_product_price',
                         'get_balance', 'my_orders', 'ssl_certificates', 'order_extra_domains',
                         'get_ssl_product_details', 'revalidate'])

# What finds an order again in my_orders (see CyberSSLClient.orders).
ORDER_KEYS = ('product_id', 'primary_domain', 'status')
LIVE_STATUSES = ('Awaiting Validation', 'Awaiting Activation', 'Processing', 'Activated')
TERMINAL_STATUSES = ('Rejected', 'Cancelled', 'Duplicate Certificate', 'Expired')
DV_METHODS = ('dns', 'http', 'https', 'email')

INVALID_API_KEY = 101
INVALID_TOKEN = 102
ORDER_NOT_FOUND = 106


# Seconds after an order or reissue without a usable answer during which the account's orders are read again before
# the task gives up (see cyberssl_order's settle_timeout).
SETTLE_TIMEOUT = 180


class PurchaseUnknown(DomainsecError):
    """An order or reissue got no usable answer and did not show in the account within the settle time: it may still
    land, and it was not sent again."""


class CyberSSLError(ApiError):
    """CyberSSL answered ``success: false``."""

    def __init__(self, method, code, message):
        shown = code if code not in (None, '') else 'no code'
        msg = 'CyberSSL refused %s (%s): %s' % (method, shown, message or 'no error message')
        if as_int(code) == INVALID_API_KEY:
            msg += '; check api_key (or CYBERSSL_API_KEY)'
        super(CyberSSLError, self).__init__(msg, vendor=VENDOR, code=code)
        self.method = method
        self.error_code = as_int(code)
        self.error_message = message


# -- pure helpers ----------------------------------------------------------------
def truthy(value):
    """A PHP boolean as the API sends it: 1, "1", true -> True; "", 0, null -> False."""
    return str(value).strip().lower() in ('1', 'true', 'yes')


def money(value):
    """A decimal string or number as float (None when absent)."""
    if value in (None, ''):
        return None
    try:
        return round(float(value), 2)
    except (TypeError, ValueError):
        raise DomainsecError('CyberSSL sent an amount that is not a number: %r' % (value,), vendor=VENDOR)


def periods(product):
    """The periods (years) a product offers: ``price_for_<n>year`` present and not empty."""
    found = []
    for key, value in (product or {}).items():
        match = re.match(r'^price_for_(\d+)year$', key)
        if match and value not in (None, ''):
            found.append(int(match.group(1)))
    return sorted(found)


def max_domains(product):
    return max(1, as_int((product or {}).get('multidomains_maximum')) or 1)


def split_domains(value):
    """``domains_included`` as a list: a comma-separated string or a list."""
    if isinstance(value, list):
        items = value
    else:
        items = str(value or '').split(',')
    return [d.strip().lower().rstrip('.') for d in items if d and str(d).strip()]


def base_domain(domain):
    """A domain without its wildcard label (``*.example.com`` -> ``example.com``)."""
    domain = domain.strip().lower().rstrip('.')
    return domain[2:] if domain.startswith('*.') else domain


def in_zone(name, zone):
    return name == zone or name.endswith('.' + zone)


_RECORD = re.compile(r'^\s*(\S+?)\.?\s+(?:(?:IN|\d+)\s+)*(CNAME|TXT)\s+(\S+?)\s*$', re.IGNORECASE)


def parse_dv_record(record, domains, zones=None):
    """One DNS validation record string as ``{zone, name, type, value, fqdn}``.

    Accepts the document's form (``F50E...D249.test.com. CNAME b056....comodoca.com.``) and the CA's current one
    (``_<md5>.example.com. CNAME <hash>.<hash>.sectigo.com.``): the string is parsed, never rebuilt. ``zone`` is the
    longest of ``zones`` (the DNS zones the caller knows) holding the record's name, else the shortest domain of
    ``domains`` (wildcards removed) holding it; ``name`` is relative to it
    (``@`` at the apex) and ``value`` is absolute with its trailing dot.
    """
    match = _RECORD.match(record or '')
    if not match:
        raise DomainsecError('CyberSSL sent a DNS validation record that is not "<name>. CNAME <target>.": %r'
                             % (record,), vendor=VENDOR)
    fqdn = match.group(1).lower().rstrip('.')
    rtype = match.group(2).upper()
    value = match.group(3)
    if rtype == 'CNAME':
        value = value.lower().rstrip('.') + '.'
    known = sorted((z.lower().rstrip('.') for z in zones or () if in_zone(fqdn, z.lower().rstrip('.'))), key=len)
    holders = sorted((base_domain(d) for d in domains if in_zone(fqdn, base_domain(d))), key=len)
    zone = known[-1] if known else (holders[0] if holders else fqdn.split('.', 1)[-1])
    name = '@' if fqdn == zone else fqdn[:-(len(zone) + 1)]
    return dict(zone=zone, name=name, type=rtype, value=value, fqdn=fqdn + '.')


def dv_view(dv_options, method, domains, zones=None):
    """What a user needs to validate: ``{dv_records, dv_files, dv_emails}`` for ``method``."""
    options = dv_options or {}
    view = dict(dv_records=[], dv_files=[], dv_emails={})
    if method == 'dns':
        for domain, entry in sorted((options.get('dns') or {}).items()):
            record = entry.get('record') if isinstance(entry, dict) else entry
            parsed = parse_dv_record(record, domains or [domain], zones)
            parsed['domain'] = domain
            view['dv_records'].append(parsed)
    elif method in ('http', 'https'):
        for domain, entry in sorted((options.get(method) or {}).items()):
            entry = entry or {}
            view['dv_files'].append(dict(domain=domain, filename=entry.get('filename'), content=entry.get('content'),
                                         url=entry.get('link')))
    elif method == 'email':
        for domain, addresses in sorted((options.get('email') or {}).items()):
            view['dv_emails'][domain] = list(addresses.values()) if isinstance(addresses, dict) else list(addresses)
    return view


def order_from_reply(answer):
    """The order of an ``order_status`` reply, nested under ``order`` or flat."""
    order = answer.get('order') if isinstance(answer.get('order'), dict) else answer
    order = dict((k, v) for k, v in order.items() if k not in ('success',))
    order['domains'] = order_domains(order)
    return order


def order_domains(order):
    """Every domain of an order: the primary domain first, then ``domains_included`` (whether or not it repeats it)."""
    found = split_domains(order.get('primary_domain'))[:1]
    for domain in split_domains(order.get('domains_included')):
        if domain not in found:
            found.append(domain)
    return found


def dv_method_of(order):
    """The order's validation method without the email list (``email:a@x,b@y`` -> ``email``)."""
    return str(order.get('dv_method') or '').split(':', 1)[0].strip().lower()


def parse_date(value):
    if not value:
        return None
    try:
        return datetime.datetime.strptime(str(value)[:10], '%Y-%m-%d').date()
    except ValueError:
        return None


def days_left(order, today=None):
    """Days until ``valid_till`` (None when the order has no certificate yet)."""
    till = parse_date(order.get('valid_till'))
    if till is None:
        return None
    return (till - (today or datetime.date.today())).days


def pem_body(pem):
    """A PEM block reduced to its base64 payload, for comparisons that ignore line breaks."""
    return re.sub(r'-----[^-]+-----|\s', '', pem or '')


def split_chain(pem):
    return re.findall(r'-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----', pem or '', re.S)


# The order's wire fields: option name -> CyberSSL field (``<role>_<field>`` for a contact, ``org_<field>`` for the
# organization, ``csr_<field>`` for a CSR CyberSSL makes).
CONTACT_FIELDS = dict(first_name='firstname', last_name='lastname', phone='phone', title='title', email='email')
CSR_FIELDS = ('city', 'state', 'country', 'organization', 'department', 'email')
ORG_FIELDS = ('name', 'division', 'addressline', 'city', 'country', 'phone', 'postalcode', 'region')


def order_request(primary, dv_method, emails=(), addons=(), csr=None, csr_subject=None, order_type=None,
                  product_id=None, period=None, admin_contact=None, tech_contact=None, organization=None):
    """The fields of ``add_ssl_order`` (with ``order_type`` new or renew: product, period, contacts, organization)
    or of ``reissue_ssl_order`` (without): the validation method (``email:<addresses>`` for email), the add-on
    domains, and the CSR, or without one the subject of the CSR CyberSSL makes for ``primary``."""
    fields = dict(dv_method='email:' + ','.join(emails) if dv_method == 'email' else dv_method,
                  addon_domains=','.join(addons) or None)
    if order_type:
        fields.update(product_id=product_id, order_type=order_type, period=period)
        for role, contact in (('admin', admin_contact), ('tech', tech_contact)):
            for option, wire in CONTACT_FIELDS.items():
                if (contact or {}).get(option):
                    fields['%s_%s' % (role, wire)] = contact[option]
        for option in ORG_FIELDS:
            if (organization or {}).get(option):
                fields['org_%s' % option] = organization[option]
    if csr:
        fields['csr'] = csr
    else:
        fields['csr_domain'] = primary
        for option in CSR_FIELDS:
            if (csr_subject or {}).get(option):
                fields['csr_%s' % option] = csr_subject[option]
    return fields


class CyberSSLClient(RpcClient):
    """Named operations of the CyberSSL API; one token per run.

    A method listed in ``GET_METHODS`` is a GET with its parameters in the query, every other one a form POST; the
    envelope's ``success`` is true on success, else ``error_code`` and ``error_message`` say why. A refused token
    (``INVALID_TOKEN``) is fetched again once and the call repeated.
    """

    VENDOR = VENDOR
    DOC_FRAGMENT = 'domainsec.onboard.cyberssl'
    OPTIONS = dict(
        api_key=dict(type='str', required=True, no_log=True, fallback=(env_fallback_set, ['CYBERSSL_API_KEY'])),
        sandbox=dict(type='bool', default=False),
        api_url=dict(type='str', fallback=(env_fallback_set, ['CYBERSSL_API_URL'])),
    )
    SESSION_ERRORS = frozenset([INVALID_TOKEN])
    # No "already exists" refusal: the document names none, and an order is never there already - a second
    # add_ssl_order is a second purchase, which my_orders, prove_within and the controller lock keep from happening.
    CONFLICT_ERRORS = frozenset()

    @classmethod
    def base_url(cls, params):
        return params.get('api_url') or (SANDBOX_URL if params.get('sandbox') else LIVE_URL)

    def make_auth(self):
        return FieldAuth(lambda: {'token': self.token})

    # -- the envelope --------------------------------------------------------
    def send_call(self, method, params, write, auth=None):
        verb = 'GET' if method in GET_METHODS else 'POST'
        return self.http.request(verb, '%s/%s' % (self.base, method), params=params if verb == 'GET' else None,
                                 data=params if verb == 'POST' else None, idempotent=not write, expect_json=True,
                                 auth=auth)

    def is_envelope(self, response, answer):
        return isinstance(answer, dict) and 'success' in answer

    def succeeded(self, answer):
        return answer.get('success') is True

    def error_code(self, answer):
        return as_int(answer.get('error_code'))

    def api_error(self, method, answer, **options):
        return CyberSSLError(method, answer.get('error_code'), answer.get('error_message'))

    def fetch_token(self):
        answer = self.envelope('auth', self.send_call('auth', {'apikey': self.params['api_key']}, False, auth=False),
                               False)
        if not self.succeeded(answer):
            raise self.api_error('auth', answer)
        if not answer.get('token'):
            raise DomainsecError('CyberSSL auth answered success without a token', vendor=VENDOR)
        return answer['token']

    # -- products and money --------------------------------------------------
    def products(self):
        return self.read('list_products').get('ssl_products') or []

    def product(self, product_id):
        product = self.read('get_ssl_product_details', {'product_id': product_id}).get('product')
        if not isinstance(product, dict):
            raise DomainsecError('CyberSSL sent no details for product %s' % product_id, vendor=VENDOR)
        return product

    def price(self, product_id, period, nr_domains=1):
        answer = self.read('get_ssl_product_price', {'product_id': product_id, 'period': period,
                                                     'nr_domains': nr_domains})
        return money(answer.get('amount'))

    def balance(self):
        return money(self.read('get_balance').get('balance'))

    # -- orders: reads ---------------------------------------------------------
    def orders(self):
        """Every order of the account (``my_orders`` entries), ``domains`` added as a list.

        The document says only "List of your ssl orders". What finds an order again - and so keeps a re-run or a
        lost reply from buying a second certificate - is its product, primary domain and status: an entry without
        one of them is completed from ``order_status`` (one read per such order; none when the entries carry them).
        An entry without an ``order_id`` cannot be read and is left out."""
        found = []
        for order in self.read('my_orders').get('ssl_orders') or []:
            if not isinstance(order, dict) or order.get('order_id') in (None, ''):
                continue
            order = dict(order)
            if any(order.get(field) in (None, '') for field in ORDER_KEYS):
                full = self.order(order['order_id']) or {}
                order.update((k, v) for k, v in full.items() if order.get(k) in (None, ''))
            order['domains'] = order_domains(order)
            found.append(order)
        return found

    def order(self, order_id):
        """One order (``order_status``), nested or flat reply; None when the vendor does not know it."""
        try:
            return order_from_reply(self.read('order_status', {'order_id': order_id}))
        except CyberSSLError as exc:
            if exc.error_code == ORDER_NOT_FOUND:
                return None
            raise

    def dv_options(self, order_id, method='all'):
        return self.read('get_dv_options', {'order_id': order_id, 'dv_method': method}).get('dv_options') or {}

    def validate_csr(self, csr, product_id=None, addon_domains=None):
        return self.read('validate_csr', {'csr': csr, 'product_id': product_id,
                                          'addon_domains': ','.join(addon_domains) if addon_domains else None}
                         ).get('csr') or {}

    # -- orders: writes ----------------------------------------------------------
    def add_order(self, fields, domain, known_ids, matches, prove_within=SETTLE_TIMEOUT, what=None):
        """``add_ssl_order``, which spends money. When its outcome is unknown, ``my_orders`` is read: an order that
        was not among ``known_ids`` and for which ``matches(order)`` holds is the one that landed (its reply is lost:
        ``{'order_id': id, 'reply_lost': True}``). It is sent again only when that proves it did not land (see
        ``HttpClient.write``, ``prove_within``); otherwise :class:`PurchaseUnknown` names what may have been bought.
        ``what`` describes the purchase in messages (type, domain, product, period, price)."""
        def landed():
            new = [o for o in self.orders() if str(o.get('order_id')) not in known_ids and matches(o)]
            if new:
                return {'order_id': new[-1].get('order_id'), 'reply_lost': True}
            return None
        what = what or '%s order for %s' % (fields.get('order_type'), domain)
        return self._purchase('add_ssl_order', fields, landed, what, prove_within,
                              'domainsec.onboard.cyberssl_order_info with domain=%s' % domain)

    def reissue_order(self, order_id, fields, matches, prove_within=SETTLE_TIMEOUT):
        """``reissue_ssl_order``; an unknown outcome re-reads the order: ``matches(order)`` means it landed. Guarded
        like an order: a reissue starts a new validation and replaces the order's key."""
        def landed():
            order = self.order(order_id)
            return {'order_id': order_id, 'reply_lost': True} if order and matches(order) else None
        fields = dict(fields, order_id=order_id)
        return self._purchase('reissue_ssl_order', fields, landed, 'reissue of order %s' % order_id, prove_within,
                              'domainsec.onboard.cyberssl_order_info with order_id=%s' % order_id)

    def _purchase(self, method, fields, landed, what, prove_within, where):
        try:
            return self.write(method, method, fields, landed=landed, what=what, prove_within=prove_within)
        except WriteNotProven as exc:
            raise PurchaseUnknown(
                'CyberSSL: the %s may have been placed: %s. Nothing was sent again, so it cannot have been placed '
                'twice. Look for it in a few minutes (%s, or the CyberSSL console): a re-run of this task takes it '
                'up if it landed, and places it once if it did not' % (what, exc, where), vendor=VENDOR,
                status=exc.status)

    def change_dv_method(self, order_id, method, domain=None, email=None):
        def landed():
            order = self.order(order_id)
            return {'landed': True} if order and dv_method_of(order) == method else None
        return self.write('change_dv_method', 'change_dv_method', {'order_id': order_id, 'dv_method': method,
                                                                   'domain': domain, 'email': email},
                          landed=landed, what='validation of order %s changed to %s' % (order_id, method))

    def revalidate(self, order_id, domain):
        """``revalidate``: asks the CA to check again. Asking twice does no harm, so it is retried like a read."""
        self.read('revalidate', {'order_id': order_id, 'domain_name': domain})
        self.record_done('revalidate', 'revalidation of %s asked' % domain)

    def wait_for_order(self, order_id, timeout, interval):
        """Poll ``order_status`` until the order is Activated or in a terminal status; the last order read."""
        def settled():
            order = self.order(order_id)
            return order if order and order.get('status') not in LIVE_STATUSES[:3] else None
        return self.wait_until(settled, timeout, interval, what='order %s' % order_id)
