# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""CyberSSL API emulator: products, prices, balance, SSL orders, domain validation, issued certificates.

Written from the vendor document ``../shared/vendor-api/cyberssl-api.txt``
and the vendor's PHP class (cyberssl_api.class.php 1.15, github.com/cyberssl);
docs/cyberssl.md is the contract (wire format, error codes, replies,
lifecycle), settles what the document leaves open and lists what the
emulator does that is not from the vendor (settings, off by default but
``order_status_extras``).

Requests are ``/v1/<method>`` or ``/sandbox/v1/<method>`` (one account, one
state behind both; a trailing slash is accepted). ``METHODS`` gives each
method its HTTP methods: GET methods read the query string, POST methods
(``add_ssl_order``, ``reissue_ssl_order``, ``validate_csr``,
``change_dv_method``, ``get_dv_options_csr``, ``activate_ssl_order``) the
form body (only an ``application/x-www-form-urlencoded`` body fills it, like
PHP's ``$_POST``); ``order_extra_domains`` takes both (the document: GET; the
PHP class: POST). ``auth?apikey=`` hands out a token; every other method
takes it as the ``token`` parameter, but ``ssl_certificates``, for which the
document lists no parameter (it answers without one, and looks at no token
sent). Every answer is JSON written like PHP's ``json_encode`` (``/``
escaped), ``success`` first. A vendor error is HTTP 200 ``{"success": false,
"error_code": n, "error_message": "..."}`` (codes 101-112 of
docs/cyberssl.md); an unknown method (or a path outside the API) is HTTP 404
with code 110. **Choice:** a method called with an HTTP method it does not
take is HTTP 405 (``Allow`` names the right ones) with code 110: a PHP router
matches method and path together, so that route is unknown too.

Methods of the PHP class the document does not list: ``get_ssl_web_soft``
(``{"webservers": [{"software_id", "name"}...]}``; an order's ``software_id``
must be one of them, 104 otherwise, and its name is the order's
``software_name``), ``get_dv_options_csr`` (the validation data of a CSR
before it is ordered), ``activate_ssl_order`` (an order ``Awaiting
Activation`` gets its CSR, method and contacts and awaits validation) and
``resend_dv_email`` (an email-validated order awaiting validation).

Counter keys are the method names (``add_ssl_order``...); an unknown method
counts under its name, a path outside the API under the path. Writes:
``CyberSSLApp.write_endpoints``.

Environment (``env()``): ``CYBERSSL_API_URL`` (``<base>/v1``) and
``CYBERSSL_API_KEY`` (taken from the environment when set); the harness adds
``EMULATOR_CYBERSSL_ADMIN``. The API key and every session token are base64
with ``+``, ``/`` and ``=`` (:func:`plus_slash_equals`; the document shows no
form of either). ``secrets()``: the API key, every token and
every private key the emulator generated.

Products (``PRODUCTS``): 17 PositiveSSL (dv, one domain), 18 PositiveSSL
Wildcard (dv, no 3-year price), 19 PositiveSSL Multi-Domain (dv, 3 domains
included, up to 100, ``price_extra_domain`` 8 per domain and year), 20 OV SSL
(``organization_required``). PHP booleans are ``1`` or ``""``; a period
without a price is ``""`` (not offered). Amounts and the balance are decimal
strings (``"12.00"``).

Choices where the document and the contract are silent:

- Domains: lower-cased; LDH labels (``xn--`` forms, no Unicode), two or more,
  an optional leading ``*.``. ``addon_domains`` is a comma list; a domain
  listed twice (or equal to the primary) is refused (104), because the price
  counts every entry.
- With ``csr``, the primary domain is the CSR's common name; ``csr_domain``,
  when sent too, must equal it (108). Without ``csr``, the ``csr_*`` fields
  make the emulator generate an RSA-2048 key and a CSR (CN ``csr_domain``,
  SANs every domain of the order); the reply carries ``csr_code`` and
  ``private_key`` (PKCS#8 PEM), and the key is not kept. As the document
  says, ``reissue_ssl_order`` also requires ``csr_department`` and
  ``csr_email`` for that (``add_ssl_order`` does not). A CSR must be PEM,
  parse, carry a valid signature, a domain as common name and an RSA key of
  2048 bits or more or an EC P-256/P-384 key (108 otherwise).
- ``dv_method`` is ``http``, ``https``, ``dns`` or ``email:`` followed by one
  address per domain of the order, in the order of the domains; an address
  must be at the domain (``*.`` removed) or one of its parent domains.
  ``order_status`` reports the method name only (``email``).
  ``change_dv_method``'s ``email`` takes the same list (one address when the
  order has one domain); the order has one method for all its domains, so
  ``domain`` only has to be one of them. It is allowed while the order is
  ``Awaiting Validation`` (111 otherwise) and returns ``dv_options`` like
  ``add_ssl_order`` (absent for email).
- Domain validation data are fixed when the order (or reissue) is placed, in
  the form of ``dv_record_form`` then. The document's form (``comodo``, the
  default) derives them from the CSR and the domain alone:
  ``<MD5 upper>.<domain>. CNAME <SHA-1>.comodoca.com.``, the file
  ``<MD5 upper>.txt`` holding the SHA-1 at the web root
  (``http://<domain>/<file>``, as the document's links are); the
  ``sectigo`` form (not from the vendor) adds a unique value of the order to
  the target and puts the file under ``/.well-known/pki-validation/``. The
  DNS record of ``*.example.com`` is at ``example.com``'s name. The email
  choices are admin@, administrator@, hostmaster@, postmaster@ and webmaster@
  the domain.
- The paid domains of an order are ``max(domains, 1 + multidomains_included)``
  (the base price covers the included ones); ``order_extra_domains`` raises
  them, up to the product's maximum (112), adds the price to the order's
  ``amount`` and is allowed on live orders only (111).
- ``reissue_ssl_order`` and ``order_extra_domains`` need a live order
  (``Awaiting Validation``, ``Awaiting Activation``, ``Processing``,
  ``Activated``); ``revalidate`` too, and is a no-op past validation.
- ``partner_order_id`` is ``""``; ``software_name`` is the name of the
  order's ``software_id`` (``""`` without one); ``order_link`` is a link into
  the vendor's web site; ``created`` is ``YYYY-MM-DD HH:MM:SS`` (UTC).

Lifecycle (docs/cyberssl.md): an order starts ``Awaiting Validation``; every
read of it (``order_status``, ``my_orders``, ``get_dv_options``,
``revalidate``, and the checks of the other order methods) moves it on: a
``dns`` order is validated when every domain's CNAME is *published* in the
SecuritySpace emulator of the same harness (``peer('securityspace')
.published_records``; value compared without case and trailing dot; no
SecuritySpace app: never), an ``http``/``https``/``email`` order by the
``approve`` control call. A validated order is ``Processing``, and
``processing_seconds`` later ``Activated``: the emulator's own test CA
(EC P-256, made once per app instance) signs a certificate for the CSR's
public key, subject CN = primary domain, SAN = every domain of the order,
valid from now for the product period in years. ``certificate`` is the leaf
PEM, ``certificate_chain`` the CA PEM. An ``Activated`` order whose
``valid_till`` has passed becomes ``Expired``.

Config knobs (``POST /_emulator/config``): see ``CyberSSLApp.default_config``;
``balance`` set through the config becomes the current balance.

Control calls (admin API, not counted; ``{"order": <my_orders entry>}`` or
``{"error": ...}`` with 400/404/409):

- ``POST /_emulator/approve {"order_id": N}``: the order's validation passes
  (any method: it stands for the CA having seen the file, the email or the
  record); the next read moves it on.
- ``POST /_emulator/set_status {"order_id": N, "status": "Rejected"}``: any
  status of the document; ``Activated`` issues the certificate when there is
  none, ``Processing`` restarts the processing delay, ``Awaiting Validation``
  withdraws an approval, ``Awaiting Activation`` stands for an order bought
  but not activated (the only way to one: ``activate_ssl_order`` takes it).
- ``POST /_emulator/expire {"order_id": N, "days": D}``: re-signs the
  certificate (new serial) so it expires ``D`` days from now (negative: in
  the past); ``valid_till`` follows, the status is ``Activated`` or
  ``Expired`` accordingly.

Vendor fault kind (``POST /_emulator/faults``): ``expired_token``: the
request's token is expired from then on and the answer is 102.
"""

import base64
import collections
import datetime
import decimal
import hashlib
import hmac
import json
import re
import secrets
import time

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .base import EmulatorApp, Response, random_alnum

API_PATH = re.compile(r'^/(?:sandbox/)?v1/([^/]*)/?$')
ORDER_LINK = 'https://www.cyberssl.com/ssl_orders/view/%d'

# method -> the HTTP methods it takes (docs/cyberssl.md, "Wire format"): the document's, and the vendor's PHP class
# (cyberssl_api.class.php 1.15) for what the document does not list or lists otherwise.
METHODS = collections.OrderedDict([
    ('auth', ('GET',)), ('list_products', ('GET',)), ('ssl_certificates', ('GET',)), ('add_ssl_order', ('POST',)),
    ('reissue_ssl_order', ('POST',)), ('validate_csr', ('POST',)), ('get_dv_options', ('GET',)),
    ('change_dv_method', ('POST',)), ('order_status', ('GET',)), ('get_ssl_product_price', ('GET',)),
    ('get_balance', ('GET',)), ('my_orders', ('GET',)),
    ('order_extra_domains', ('GET', 'POST')),  # the document: GET; the PHP class sends POST
    ('get_ssl_product_details', ('GET',)), ('revalidate', ('GET',)),
    # In the PHP class, not in the document:
    ('get_ssl_web_soft', ('GET',)), ('get_dv_options_csr', ('POST',)), ('activate_ssl_order', ('POST',)),
    ('resend_dv_email', ('GET',)),
])
# Methods that take no token: auth, and ssl_certificates, for which the document lists no parameter at all.
TOKENLESS = frozenset(['auth', 'ssl_certificates'])

LIVE_STATUSES = ('Awaiting Validation', 'Awaiting Activation', 'Processing', 'Activated')
TERMINAL_STATUSES = ('Rejected', 'Cancelled', 'Duplicate Certificate', 'Expired')
STATUSES = LIVE_STATUSES + TERMINAL_STATUSES
DV_METHODS = ('http', 'https', 'dns', 'email')
DV_PARTS = ('http', 'https', 'dns', 'email')
APPROVER_LOCALS = ('admin', 'administrator', 'hostmaster', 'postmaster', 'webmaster')
# get_ssl_web_soft: software_id -> name (the PHP class's examples send software_id 2 and 3).
WEB_SOFTWARE = collections.OrderedDict([
    (1, 'Other'), (2, 'Apache'), (3, 'Apache (mod_ssl)'), (4, 'Nginx'), (5, 'Microsoft IIS'), (6, 'Tomcat'),
    (7, 'cPanel / WHM'), (8, 'Plesk'),
])
ADMIN_FIELDS = ('admin_firstname', 'admin_lastname', 'admin_phone', 'admin_title', 'admin_email')
TECH_FIELDS = tuple('tech_' + f[len('admin_'):] for f in ADMIN_FIELDS)
ORG_FIELDS = ('org_name', 'org_division', 'org_addressline', 'org_city', 'org_country', 'org_phone', 'org_postalcode',
              'org_region')
CSR_FIELDS = ('csr_city', 'csr_state', 'csr_country', 'csr_domain', 'csr_organization')
REISSUE_CSR_FIELDS = CSR_FIELDS + ('csr_department', 'csr_email')

_LABEL = r'(?!-)[a-z0-9-]{1,63}(?<!-)'
_DOMAIN = re.compile(r'^(\*\.)?(%s\.)+%s$' % (_LABEL, _LABEL))
_EMAIL = re.compile(r'^[a-z0-9!#$%&\'*+/=?^_`{|}~.-]+@([a-z0-9.-]+)$')
_UINT = re.compile(r'^[0-9]{1,9}$')
CENT = decimal.Decimal('0.01')


def _product(product_id, name, prices, validation='dv', wildcard=False, multi=False, included=0, maximum=1, extra=0,
             www=1, organization=False):
    """A product as ``get_ssl_product_details`` shows it (keys in the document's order), plus price_extra_domain:
    the emulator's price of a domain beyond those included, shown only with the ``show_price_extra_domain`` knob."""
    def flag(value):
        return 1 if value else ''
    return collections.OrderedDict([
        ('product_id', product_id), ('name', name), ('type', 'SSL'), ('brand', 'sectigo'),
        ('price_for_3year', prices.get(3, '')), ('price_for_2year', prices.get(2, '')),
        ('price_for_1year', prices.get(1, '')), ('validation_type', validation), ('is_trial', ''),
        ('is_multi_domain', flag(multi)), ('is_wildcard', flag(wildcard)), ('warranty', 10000),
        ('www_included', flag(www)), ('multidomains_maximum', maximum), ('multidomains_included', included),
        ('unlimited_server', 1), ('organization_required', flag(organization)), ('price_extra_domain', extra)])


PRODUCTS = collections.OrderedDict((p['product_id'], p) for p in (
    _product(17, 'Sectigo PositiveSSL', {1: 5, 2: 10, 3: 20}),
    _product(18, 'Sectigo PositiveSSL Wildcard', {1: 50, 2: 95}, wildcard=True, www=0),
    _product(19, 'Sectigo PositiveSSL Multi-Domain', {1: 20, 2: 38}, multi=True, included=2, maximum=100, extra=8,
             www=0),
    _product(20, 'Sectigo OV SSL', {1: 40, 2: 75}, validation='ov', organization=True),
))


class ApiError(Exception):
    """A CyberSSL error answer: ``{"success": false, "error_code": code, "error_message": message}``."""

    def __init__(self, code, message):
        super(ApiError, self).__init__(message)
        self.code = code
        self.message = message


def missing(name):
    return ApiError(103, 'Missing required parameter: %s' % name)


def invalid(name, why):
    return ApiError(104, 'Invalid parameter %s: %s' % (name, why))


def bad_csr(why):
    return ApiError(108, 'Invalid CSR: %s' % why)


def too_many(count, allowed, extra=''):
    """112; ``extra`` (a hint) makes it about the domains paid for the order rather than the product's maximum."""
    holder = 'order' if extra else 'product'
    return ApiError(112, 'Too many domains: %d, the %s allows %d%s' % (count, holder, allowed, extra))


def money(amount):
    return str(decimal.Decimal(amount).quantize(CENT))


# -- names --------------------------------------------------------------------------------
def domain_problem(name):
    """Why ``name`` is not a domain the CA issues for (None when it is one)."""
    if not _DOMAIN.match(name) or len(name) > 253:
        return '%r is not a domain name' % name
    if name.rsplit('.', 1)[1].isdigit():
        return '%r is not a domain name (numeric top-level label)' % name
    return None


def base_domain(name):
    """The domain without its wildcard label: where the DNS record and the approver addresses of ``*.x`` live."""
    return name[2:] if name.startswith('*.') else name


def same_name(first, second):
    return first.lower().rstrip('.') == second.lower().rstrip('.')


def in_domain(host, domain):
    """Whether an address at ``host`` belongs to ``domain``: the domain itself or one of its parents."""
    base = base_domain(domain)
    return '.' in host and (base == host or base.endswith('.' + host))


# -- CSRs and certificates ----------------------------------------------------------------
def _attribute(name, oid):
    values = name.get_attributes_for_oid(oid)
    return values[0].value if values else ''


def parse_csr(text):
    """(csr, common name, SAN DNS names, key type, key size) of a PEM CSR; ApiError 108 when unusable."""
    text = (text or '').strip().replace('\r\n', '\n')
    if not re.match(r'^-----BEGIN (NEW )?CERTIFICATE REQUEST-----\n', text):
        raise bad_csr('not a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)')
    try:
        csr = x509.load_pem_x509_csr(text.encode('ascii'))
        signed = csr.is_signature_valid
        try:
            sans = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
                x509.DNSName)
        except x509.ExtensionNotFound:
            sans = []
        common = _attribute(csr.subject, NameOID.COMMON_NAME)
        key = csr.public_key()
    except (ValueError, UnicodeError, UnsupportedAlgorithm) as exc:
        raise bad_csr('cannot parse it (%s)' % str(exc).splitlines()[0][:120]) from None
    if not signed:
        raise bad_csr('the signature does not match its public key')
    if isinstance(key, rsa.RSAPublicKey):
        kind, size = 'RSA', key.key_size
        if size < 2048:
            raise bad_csr('RSA key of %d bits (2048 or more needed)' % size)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        kind, size = 'EC', key.curve.key_size
        if key.curve.name not in ('secp256r1', 'secp384r1'):
            raise bad_csr('EC curve %s (P-256 or P-384 needed)' % key.curve.name)
    else:
        raise bad_csr('unsupported key type (RSA or EC needed)')
    if not common:
        raise bad_csr('no common name')
    common = common.lower()
    problem = domain_problem(common)
    if problem:
        raise bad_csr('common name %s' % problem)
    return csr, common, [s.lower() for s in sans], kind, size


def csr_info(csr, common, sans, kind, size, total):
    """The ``csr`` object of ``validate_csr`` (the document's keys and order)."""
    subject = csr.subject
    return collections.OrderedDict([
        ('common_name', common), ('organization', _attribute(subject, NameOID.ORGANIZATION_NAME)),
        ('department', _attribute(subject, NameOID.ORGANIZATIONAL_UNIT_NAME)),
        ('city', _attribute(subject, NameOID.LOCALITY_NAME)), ('state', _attribute(subject, NameOID.STATE_OR_PROVINCE_NAME)),
        ('country', _attribute(subject, NameOID.COUNTRY_NAME)), ('email', _attribute(subject, NameOID.EMAIL_ADDRESS)),
        ('san', ','.join(sans)), ('type', kind), ('keysize', size), ('total_domains', total)])


def generate_csr(fields, domains):
    """(CSR PEM, PKCS#8 private key PEM) for the ``csr_*`` fields: RSA 2048, CN ``csr_domain``, SANs ``domains``."""
    country = fields['csr_country'].strip().upper()
    if not re.match(r'^[A-Z]{2}$', country):
        raise invalid('csr_country', '%r is not a two-letter country code' % fields['csr_country'])
    attributes = [(NameOID.COUNTRY_NAME, 'csr_country', country), (NameOID.STATE_OR_PROVINCE_NAME, 'csr_state', None),
                  (NameOID.LOCALITY_NAME, 'csr_city', None), (NameOID.ORGANIZATION_NAME, 'csr_organization', None),
                  (NameOID.ORGANIZATIONAL_UNIT_NAME, 'csr_department', None),
                  (NameOID.COMMON_NAME, 'csr_domain', domains[0]), (NameOID.EMAIL_ADDRESS, 'csr_email', None)]
    subject = []
    for oid, field, value in attributes:
        value = value or fields.get(field, '').strip()
        if len(value) > 64:
            raise invalid(field, 'longer than 64 characters')
        if value:
            subject.append(x509.NameAttribute(oid, value))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(subject)
    csr = x509.CertificateSigningRequestBuilder().subject_name(subject).add_extension(
        x509.SubjectAlternativeName([x509.DNSName(d) for d in domains]), critical=False).sign(key, hashes.SHA256())
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return csr.public_bytes(serialization.Encoding.PEM).decode('ascii'), key_pem.decode('ascii')


def make_ca():
    """(key, certificate, PEM) of the emulator's own issuing CA: EC P-256, ten years."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, 'GB'),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'domainsec emulator'),
                      x509.NameAttribute(NameOID.COMMON_NAME, 'CyberSSL Emulator Test CA %s' % random_alnum(6))])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(
        x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(
        now + datetime.timedelta(days=3650)).add_extension(
        x509.BasicConstraints(ca=True, path_length=0), critical=True).add_extension(
        x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                      key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False,
                      decipher_only=False), critical=True).add_extension(
        x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False).sign(key, hashes.SHA256())
    return key, cert, cert.public_bytes(serialization.Encoding.PEM).decode('ascii')


def add_years(moment, years):
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def utc(stamp):
    return datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc)


def php_json(obj):
    """JSON the way PHP's json_encode writes it: "/" escaped."""
    return json.dumps(obj).replace('/', '\\/').encode('utf-8')


def plus_slash_equals(size):
    """A random standard-base64 secret of ``size`` bytes (``size`` not a multiple of 3: padded) holding ``+``, ``/``
    and ``=``. The document shows the form of neither the API key nor the session token; base64 is a common one,
    and these three characters change when URL-encoded, so every run proves the client encodes the key and the
    token (query string and form body) and that the URL-encoded forms are masked (tests/secret_grep.py)."""
    if size % 3 == 0:
        raise ValueError('a multiple of 3 bytes has no base64 padding')
    while True:
        text = base64.b64encode(secrets.token_bytes(size)).decode('ascii')
        if '+' in text and '/' in text and text.endswith('='):
            return text


class CyberSSLApp(EmulatorApp):
    """The CyberSSL API (see the module docstring)."""

    name = 'cyberssl'
    write_endpoints = frozenset(['add_ssl_order', 'reissue_ssl_order', 'change_dv_method', 'revalidate',
                                 'order_extra_domains', 'activate_ssl_order', 'resend_dv_email'])
    fault_kinds = ('expired_token',)
    # What is not from the vendor (the document or its PHP class) is off by default, but order_status_extras (see
    # docs/cyberssl.md, "What the emulator does that is not from the vendor").
    default_config = {
        'token_ttl': 3600.0,  # seconds a token from auth lives (102 after)
        'balance': 500.0,  # the account balance at start; setting it sets the current balance
        'processing_seconds': 0.0,  # seconds a validated order stays Processing before it is Activated
        # Validation data of new orders: 'comodo', the document's form (<MD5>.dom. CNAME <sha1>.comodoca.com., the
        # file at the web root), or 'sectigo' (not from the vendor: _<md5>.dom. CNAME <hash>.<hash>.sectigo.com.,
        # the file under /.well-known/pki-validation/, a unique value of the order in the target).
        'dv_record_form': 'comodo',
        'order_status_nested': True,  # order_status fields under "order" (the PHP class) or at the top level (document)
        'order_status_extras': True,  # not from the vendor: order_status also has product_id and order_type
        'show_price_extra_domain': False,  # not from the vendor: products show the emulator's price_extra_domain
    }

    def __init__(self):
        self.api_key = self.credential('CYBERSSL_API_KEY', lambda: plus_slash_equals(31))
        self.ca_key, self.ca_cert, self.ca_pem = make_ca()
        super(CyberSSLApp, self).__init__()

    # -- base hooks ----------------------------------------------------------------------------
    def reset_state(self):
        self.tokens = collections.OrderedDict()  # token -> {issued, expired}
        self.orders = collections.OrderedDict()  # order id -> order
        self.next_order_id = 1001
        self.balance = decimal.Decimal(str(self.config['balance'])).quantize(CENT)

    def endpoint_key(self, request):
        match = API_PATH.match(request.path)
        return match.group(1) if match and match.group(1) else request.path

    def credentials(self):
        return {self.api_key}

    def env(self):
        return {'CYBERSSL_API_URL': (self.base_url or '') + '/v1', 'CYBERSSL_API_KEY': self.api_key}

    def fault_response(self, kind, request):
        if kind != 'expired_token':
            return None
        verbs = METHODS.get(self.endpoint_key(request), ('GET',))
        token = self._params(request, request.method if request.method in verbs else verbs[0]).get('token', '')
        with self.lock:
            if token in self.tokens:
                self.tokens[token]['expired'] = True
        return self._error(ApiError(102, 'Invalid or expired token'))

    def configure(self, values):
        if not isinstance(values, dict):
            raise ValueError('the config must be a JSON object')
        with self.lock:
            before = dict(self.config)
            config = super(CyberSSLApp, self).configure(values)
            try:
                if config['dv_record_form'] not in ('comodo', 'sectigo'):
                    raise ValueError('dv_record_form must be "comodo" (the document\'s form) or "sectigo"')
                for knob in ('token_ttl', 'balance', 'processing_seconds'):
                    if config[knob] < 0:
                        raise ValueError('%s must be >= 0' % knob)
            except ValueError:
                self.config = before
                raise
            if 'balance' in values:
                self.balance = decimal.Decimal(str(config['balance'])).quantize(CENT)
            return config

    def dump_state(self):
        with self.lock:
            orders = []
            for order in self.orders.values():
                view = dict(order, amount=money(order['amount']))
                view['dv'] = dict((d, dict(v)) for d, v in order['dv'].items())
                orders.append(view)
            return {'orders': orders, 'balance': money(self.balance), 'tokens': len(self.tokens),
                    'next_order_id': self.next_order_id}

    def admin_action(self, method, route, body):
        if method != 'POST' or route not in ('approve', 'set_status', 'expire'):
            return None
        if not isinstance(body, dict):
            raise ValueError('the body must be a JSON object')
        order_id = body.get('order_id')
        if isinstance(order_id, bool) or not isinstance(order_id, int):
            raise ValueError('order_id must be an integer')
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                return Response.json({'error': 'no order %d' % order_id}, 404)
            now = time.time()
            if route == 'approve':
                order['approved'] = True
            elif route == 'set_status':
                status = body.get('status')
                if status not in STATUSES:
                    raise ValueError('status must be one of: %s' % ', '.join(STATUSES))
                self._set_status(order, status, now)
            else:
                days = body.get('days')
                if isinstance(days, bool) or not isinstance(days, (int, float)):
                    raise ValueError('days must be a number')
                if not order['certificate']:
                    return Response.json({'error': 'order %d has no certificate yet' % order_id}, 409)
                not_after = now + days * 86400
                self._sign(order, min(order['not_before'], not_after - 86400), not_after)
                if order['status'] in ('Activated', 'Expired'):
                    order['status'] = 'Activated' if not_after > now else 'Expired'
            return Response.json({'order': self._summary(order)})

    # -- answers -----------------------------------------------------------------------------
    @staticmethod
    def _answer(fields, status=200, headers=None):
        body = collections.OrderedDict([('success', True)])
        body.update(fields)
        merged = {'Content-Type': 'application/json'}
        merged.update(headers or {})
        return Response(status, merged, php_json(body))

    @staticmethod
    def _error(exc, status=200, headers=None):
        body = collections.OrderedDict([('success', False), ('error_code', exc.code), ('error_message', exc.message)])
        merged = {'Content-Type': 'application/json'}
        merged.update(headers or {})
        return Response(status, merged, php_json(body))

    @staticmethod
    def _params(request, http_method):
        """$_GET for a GET method; $_POST (a form body only) for a POST method."""
        if http_method == 'GET':
            return request.query
        if request.content_type != 'application/x-www-form-urlencoded':
            return {}
        return request.form()

    # -- request handling -------------------------------------------------------------------------
    def handle(self, request):
        match = API_PATH.match(request.path)
        method = match.group(1) if match else ''
        if method not in METHODS:  # a path that does not exist
            return self._error(ApiError(110, 'Unknown method %s' % (method or request.path)), 404)
        verbs = METHODS[method]
        if request.method not in verbs:  # the path exists, with another HTTP method
            # See the module docstring: the route (HTTP method + path) is unknown.
            takes = ' or '.join(verbs)
            error = ApiError(110, 'Unknown method %s %s (%s takes %s)' % (request.method, method, method, takes))
            return self._error(error, 405, {'Allow': ', '.join(verbs)})
        params = dict((k, v.strip()) for k, v in self._params(request, request.method).items())
        try:
            if method not in TOKENLESS:
                self._check_token(params)
            return self._answer(getattr(self, '_m_' + method)(params))
        except ApiError as exc:
            return self._error(exc)

    def _check_token(self, params):
        token = params.get('token', '')
        with self.lock:
            entry = self.tokens.get(token) if token else None
            if entry is not None and time.time() - entry['issued'] > self.config['token_ttl']:
                entry['expired'] = True  # once expired, always expired
            if entry is None or entry['expired']:
                raise ApiError(102, 'Invalid or expired token')

    # -- parameters -------------------------------------------------------------------------------
    @staticmethod
    def _require(params, *names):
        for name in names:
            if not params.get(name):
                raise missing(name)
        return [params[name] for name in names]

    @staticmethod
    def _product(value):
        product = PRODUCTS.get(int(value)) if _UINT.match(value or '') else None
        if product is None:
            raise ApiError(105, 'Product not found')
        return product

    @staticmethod
    def _period(product, value):
        if _UINT.match(value or '') and product.get('price_for_%dyear' % int(value)) not in (None, ''):
            return int(value)
        raise ApiError(109, 'Period %s is not available for product %d' % (value, product['product_id']))

    @staticmethod
    def _software(params, current=None):
        """The ``software_id`` of a request, one of get_ssl_web_soft's (104 otherwise); ``current`` when absent."""
        value = params.get('software_id')
        if not value:
            return current
        if not _UINT.match(value) or int(value) not in WEB_SOFTWARE:
            raise invalid('software_id', '%r is not a software_id of get_ssl_web_soft' % value)
        return int(value)

    def _order(self, value):
        """The order (lifecycle moved on to now); 106 when there is none."""
        order = self.orders.get(int(value)) if _UINT.match(value or '') else None
        if order is None:
            raise ApiError(106, 'Order not found')
        self._advance(order, time.time())
        return order

    @staticmethod
    def _count(value, name):
        if not _UINT.match(value or '') or int(value) < 1:
            raise invalid(name, '%r is not a whole number of 1 or more' % value)
        return int(value)

    @staticmethod
    def _addons(params, primary):
        """The addon_domains list, checked and lower-cased; duplicates refused."""
        found = [primary]
        for entry in params.get('addon_domains', '').split(','):
            name = entry.strip().lower()
            if not name:
                continue
            problem = domain_problem(name)
            if problem:
                raise invalid('addon_domains', problem)
            if name in found:
                raise invalid('addon_domains', '%s is listed twice (the primary domain is counted already)' % name)
            found.append(name)
        return found

    @staticmethod
    def _check_domains(product, domains, primary_field, allowed, extra=''):
        if not product['is_wildcard']:
            for index, name in enumerate(domains):
                if name.startswith('*.'):
                    raise invalid(primary_field if index == 0 else 'addon_domains',
                                  '%s is a wildcard and product %d is not a wildcard certificate'
                                  % (name, product['product_id']))
        if len(domains) > allowed:
            raise too_many(len(domains), allowed, extra)

    @staticmethod
    def _max_domains(product):
        return max(1, product['multidomains_maximum'])

    @staticmethod
    def _price(product, period, count):
        extra = max(0, count - 1 - product['multidomains_included'])
        return decimal.Decimal(product['price_for_%dyear' % period]) + \
            decimal.Decimal(product['price_extra_domain']) * period * extra

    @staticmethod
    def _approvers(addresses, domains, field):
        """{domain: approver address} of a comma list with one address per domain; 104 otherwise."""
        addresses = [a.strip().lower() for a in addresses.split(',') if a.strip()]
        if len(addresses) != len(domains):
            raise invalid(field, '%d address(es) for %d domain(s): one per domain, in the order of the domains'
                          % (len(addresses), len(domains)))
        for address, domain in zip(addresses, domains):
            match = _EMAIL.match(address)
            if not match or not in_domain(match.group(1), domain):
                raise invalid(field, '%s is not an address in %s' % (address, base_domain(domain)))
        return collections.OrderedDict(zip(domains, addresses))

    def _dv_method(self, value, domains):
        """(method, {domain: approver} for email) of a dv_method parameter."""
        lowered = value.lower()
        if lowered in ('http', 'https', 'dns'):
            return lowered, {}
        if lowered.startswith('email:'):
            return 'email', self._approvers(value[len('email:'):], domains, 'dv_method')
        raise invalid('dv_method', "%r is not http, https, dns or 'email:' with one address per domain" % value)

    def _csr_source(self, params, reissue):
        """(csr text or None, csr fields or None) of a request; 103 for what is missing."""
        if params.get('csr'):
            return params['csr'], None
        fields = REISSUE_CSR_FIELDS if reissue else CSR_FIELDS
        if not any(params.get(f) for f in fields):
            raise missing('csr')
        self._require(params, *fields)
        return None, params

    def _order_domains(self, params, product, reissue, allowed, extra=''):
        """(domains, csr PEM or None, csr_* fields or None) of add_ssl_order / reissue_ssl_order, checked."""
        text, fields = self._csr_source(params, reissue)
        if text is not None:
            dummy, common, dummy, dummy, dummy = parse_csr(text)
            if params.get('csr_domain') and params['csr_domain'].lower() != common:
                raise bad_csr('common name %s differs from csr_domain %s' % (common, params['csr_domain'].lower()))
            domains = self._addons(params, common)
            self._check_domains(product, domains, 'csr', allowed, extra)
            return domains, text.strip().replace('\r\n', '\n') + '\n', None
        primary = fields['csr_domain'].lower()
        problem = domain_problem(primary)
        if problem:
            raise invalid('csr_domain', problem)
        domains = self._addons(params, primary)
        self._check_domains(product, domains, 'csr_domain', allowed, extra)
        return domains, None, fields

    def _vendor_csr(self, csr_pem, fields, domains):
        """(csr PEM, private key PEM or None): the CSR sent, or one made from the csr_* fields (slow: no lock held)."""
        if csr_pem is not None:
            return csr_pem, None
        csr_pem, key_pem = generate_csr(fields, domains)
        self.remember_secret(key_pem)
        return csr_pem, key_pem

    # -- domain validation data ----------------------------------------------------------------
    def _dv_data(self, order_id, domain, csr_pem):
        """Validation data of one domain, in the configured form (``order_id`` None: before an order).

        ``comodo``, the document's form: derived from the CSR and the domain alone (``<MD5>.<domain>. CNAME
        <SHA-1>.comodoca.com.``; the file ``<MD5>.txt`` holding the SHA-1, at the web root as the document's
        links are). ``sectigo`` (not from the vendor): ``_<md5>.<domain>. CNAME <hash>.<hash>.sectigo.com.`` with a
        unique value of the order in the target and the file under ``/.well-known/pki-validation/``.
        """
        name_hash = hashlib.md5((csr_pem + domain).encode('utf-8')).hexdigest()
        base = base_domain(domain)
        if self.config['dv_record_form'] == 'comodo':
            name = '%s.%s.' % (name_hash.upper(), base)
            value = hashlib.sha1((csr_pem + domain).encode('utf-8')).hexdigest()
            target, content, folder = '%s.comodoca.com.' % value, value, ''
        else:
            seed = ('%s\n%s\n%s' % ('' if order_id is None else order_id, csr_pem, domain)).encode('utf-8')
            name = '_%s.%s.' % (name_hash, base)
            value = hashlib.sha256(seed).hexdigest()
            target, content = '%s.%s.sectigo.com.' % (value[:32], value[32:]), '%s\nsectigo.com' % value
            folder = '.well-known/pki-validation/'
        filename = '%s.txt' % name_hash.upper()
        web = dict((scheme, collections.OrderedDict([
            ('filename', filename), ('content', content),
            ('link', '%s://%s/%s%s' % (scheme, base, folder, filename))])) for scheme in ('http', 'https'))
        return {'dns': {'record': '%s CNAME %s' % (name, target)}, 'dns_name': name, 'dns_target': target,
                'http': web['http'], 'https': web['https'], 'email': ['%s@%s' % (local, base) for local in APPROVER_LOCALS]}

    @staticmethod
    def _dv_options(order, parts):
        return collections.OrderedDict(
            (part, collections.OrderedDict((d, order['dv'][d][part]) for d in order['domains'])) for part in parts)

    def _method_reply(self, order):
        """dv_options as add/reissue/change_dv_method answer them: http, https and dns; none for email."""
        if order['dv_method'] == 'email':
            return collections.OrderedDict()
        return collections.OrderedDict([('dv_options', self._dv_options(order, ('http', 'https', 'dns')))])

    # -- lifecycle ------------------------------------------------------------------------------------
    def _validated(self, order):
        if order['approved']:
            return True
        if order['dv_method'] != 'dns':
            return False
        dns = self.peer('securityspace')
        if dns is None:
            return False
        for domain in order['domains']:
            data = order['dv'][domain]
            if not any(same_name(r['value'], data['dns_target']) for r in dns.published_records(data['dns_name'], 'CNAME')):
                return False
        return True

    def _advance(self, order, now):
        """Move an order on to ``now`` (call with the lock held)."""
        if order['status'] == 'Awaiting Validation' and self._validated(order):
            order['status'], order['processing_since'] = 'Processing', now
        if order['status'] == 'Processing' and now - order['processing_since'] >= self.config['processing_seconds']:
            self._issue(order, now)
        if order['status'] == 'Activated' and order['not_after'] <= now:
            order['status'] = 'Expired'

    def _set_status(self, order, status, now):
        if status == 'Activated' and not order['certificate']:
            self._issue(order, now)
        elif status == 'Processing':
            order['processing_since'] = now
        elif status == 'Awaiting Validation':
            order['approved'] = False
        order['status'] = status

    def _issue(self, order, now):
        begin = utc(now)
        self._sign(order, now, add_years(begin, order['period']).timestamp())
        order['status'] = 'Activated'

    def _sign(self, order, not_before, not_after):
        """(Re-)sign the order's certificate: its CSR's key, CN = primary domain, SAN = every domain."""
        public_key = x509.load_pem_x509_csr(order['csr'].encode('ascii')).public_key()
        key_usage = x509.KeyUsage(digital_signature=True, content_commitment=False,
                                  key_encipherment=isinstance(public_key, rsa.RSAPublicKey), data_encipherment=False,
                                  key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False,
                                  decipher_only=False)
        cert = x509.CertificateBuilder().subject_name(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, order['primary_domain'])])).issuer_name(
            self.ca_cert.subject).public_key(public_key).serial_number(x509.random_serial_number()).not_valid_before(
            utc(not_before)).not_valid_after(utc(not_after)).add_extension(
            x509.BasicConstraints(ca=False, path_length=None), critical=True).add_extension(
            key_usage, critical=True).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False).add_extension(
            x509.SubjectAlternativeName([x509.DNSName(d) for d in order['domains']]), critical=False).add_extension(
            x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()), critical=False).sign(
            self.ca_key, hashes.SHA256())
        order.update(certificate=cert.public_bytes(serialization.Encoding.PEM).decode('ascii'),
                     certificate_chain=self.ca_pem, not_before=not_before, not_after=not_after,
                     valid_from=utc(not_before).strftime('%Y-%m-%d'), valid_till=utc(not_after).strftime('%Y-%m-%d'),
                     serial='%x' % cert.serial_number)

    # -- views --------------------------------------------------------------------------------------
    @staticmethod
    def _summary(order):
        """A my_orders entry."""
        return collections.OrderedDict([
            ('order_id', order['order_id']), ('product_id', order['product_id']), ('order_type', order['order_type']),
            ('primary_domain', order['primary_domain']), ('domains_included', ','.join(order['domains'])),
            ('status', order['status']), ('period', order['period']), ('amount', money(order['amount'])),
            ('valid_from', order['valid_from']), ('valid_till', order['valid_till']), ('created', order['created'])])

    def _status_fields(self, order):
        fields = collections.OrderedDict([
            ('order_id', order['order_id']), ('status', order['status']), ('amount', money(order['amount'])),
            ('primary_domain', order['primary_domain']), ('period', order['period']), ('csr', order['csr']),
            ('certificate', order['certificate']), ('certificate_chain', order['certificate_chain']),
            ('domains_included', ','.join(order['domains'])),
            ('software_name', WEB_SOFTWARE.get(order['software_id'], '')), ('dv_method', order['dv_method']),
            ('partner_order_id', ''), ('contacts', collections.OrderedDict(order['contacts'])),
            ('order_link', ORDER_LINK % order['order_id']), ('valid_from', order['valid_from']),
            ('valid_till', order['valid_till'])])
        if self.config['order_status_extras']:
            fields.update([('product_id', order['product_id']), ('order_type', order['order_type'])])
        return fields

    def _spend(self, amount):
        """Take ``amount`` from the balance (lock held); 107 when it is not there."""
        if amount > self.balance:
            raise ApiError(107, 'Insufficient balance: %s available, %s needed' % (money(self.balance), money(amount)))
        self.balance -= amount

    # -- methods --------------------------------------------------------------------------------------
    def _m_auth(self, params):
        key = self._require(params, 'apikey')[0]
        if not hmac.compare_digest(key.encode('utf-8'), self.api_key.encode('utf-8')):
            raise ApiError(101, 'Invalid API key')
        token = self.remember_secret(plus_slash_equals(20))
        with self.lock:
            self.tokens[token] = {'issued': time.time(), 'expired': False}
        return {'token': token}

    def _product_view(self, product):
        view = collections.OrderedDict(product)
        if not self.config['show_price_extra_domain']:
            del view['price_extra_domain']
        return view

    def _m_list_products(self, params):
        return {'ssl_products': [self._product_view(p) for p in PRODUCTS.values()]}

    # The document lists ssl_certificates with list_products' answer and no parameter: the same list, no token.
    _m_ssl_certificates = _m_list_products

    def _m_get_ssl_product_details(self, params):
        return {'product': self._product_view(self._product(self._require(params, 'product_id')[0]))}

    def _m_get_ssl_web_soft(self, params):
        """The web server software an order can name (``software_id``): ``{"webservers": [...]}`` as the PHP class
        reads it; each ``{"software_id": n, "name": ...}``."""
        return {'webservers': [collections.OrderedDict([('software_id', n), ('name', name)])
                               for n, name in WEB_SOFTWARE.items()]}

    def _m_get_ssl_product_price(self, params):
        product_id, period = self._require(params, 'product_id', 'period')
        product = self._product(product_id)
        period = self._period(product, period)
        count = self._count(params.get('nr_domains') or '1', 'nr_domains')
        if count > self._max_domains(product):
            raise too_many(count, self._max_domains(product))
        return {'amount': money(self._price(product, period, count))}

    def _m_get_balance(self, params):
        with self.lock:
            return {'balance': money(self.balance)}

    def _m_validate_csr(self, params):
        csr, common, sans, kind, size = parse_csr(self._require(params, 'csr')[0])
        domains = [common]
        if params.get('addon_domains'):
            domains = self._addons(params, common)
        else:
            domains += [s for s in collections.OrderedDict.fromkeys(sans) if s != common and domain_problem(s) is None]
        if params.get('product_id'):
            product = self._product(params['product_id'])
            self._check_domains(product, domains, 'csr', self._max_domains(product))
        return {'csr': csr_info(csr, common, sans, kind, size, len(domains))}

    def _m_add_ssl_order(self, params):
        product_id, order_type, period, dv_method = self._require(params, 'product_id', 'order_type', 'period',
                                                                  'dv_method')
        self._require(params, *ADMIN_FIELDS)
        if order_type not in ('new', 'renew'):
            raise invalid('order_type', "%r is not 'new' or 'renew'" % order_type)
        product = self._product(product_id)
        period = self._period(product, period)
        if product['organization_required']:
            self._require(params, *ORG_FIELDS)
        software_id = self._software(params)
        domains, csr_pem, fields = self._order_domains(params, product, False, self._max_domains(product))
        method, approvers = self._dv_method(dv_method, domains)
        csr_pem, key_pem = self._vendor_csr(csr_pem, fields, domains)
        amount = self._price(product, period, len(domains))
        contacts = collections.OrderedDict((f, params[f]) for f in ADMIN_FIELDS)
        contacts.update((t, params.get(t) or params[a]) for t, a in zip(TECH_FIELDS, ADMIN_FIELDS))
        contacts.update((f, params.get(f, '')) for f in ORG_FIELDS)
        with self.lock:
            self._spend(amount)
            order_id = self.next_order_id
            self.next_order_id += 1
            order = self.orders[order_id] = {
                'order_id': order_id, 'product_id': product['product_id'], 'order_type': order_type,
                'primary_domain': domains[0], 'domains': domains, 'period': period, 'amount': amount,
                'paid_domains': max(len(domains), 1 + product['multidomains_included']), 'dv_method': method,
                'approvers': approvers, 'approved': False, 'status': 'Awaiting Validation', 'processing_since': None,
                'software_id': software_id, 'emails_resent': 0,
                'contacts': contacts, 'csr': csr_pem, 'dv': dict((d, self._dv_data(order_id, d, csr_pem)) for d in domains),
                'certificate': '', 'certificate_chain': '', 'serial': '', 'not_before': None, 'not_after': None,
                'valid_from': '', 'valid_till': '', 'created': time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())}
            reply = collections.OrderedDict([('order_id', order_id)])
            reply.update(self._method_reply(order))
        if key_pem:
            reply.update(csr_code=csr_pem, private_key=key_pem)
        return reply

    def _order_in(self, order_id, statuses):
        """The order, when its status is one of ``statuses``; 111 otherwise (106 when there is none)."""
        order = self._order(order_id)
        if order['status'] not in statuses:
            raise ApiError(111, 'Not allowed while the order is %s' % order['status'])
        return order

    def _live_order(self, order_id):
        return self._order_in(order_id, LIVE_STATUSES)

    def _resubmit(self, params, statuses, reissue):
        """reissue_ssl_order (``reissue``) or activate_ssl_order: a new CSR, domains and method for an order in one of
        ``statuses``, within the domains paid for; validation starts again. Answers like add_ssl_order."""
        order_id, dv_method = self._require(params, 'order_id', 'dv_method')
        with self.lock:
            order = self._order_in(order_id, statuses)
            product = PRODUCTS[order['product_id']]
            paid = order['paid_domains']
            software_id = self._software(params, order['software_id'])
        domains, csr_pem, fields = self._order_domains(
            params, product, reissue, paid, '' if paid >= self._max_domains(product) else ' (order_extra_domains buys more)')
        method, approvers = self._dv_method(dv_method, domains)
        csr_pem, key_pem = self._vendor_csr(csr_pem, fields, domains)
        with self.lock:
            order = self._order_in(order_id, statuses)  # again: it may have moved on while the key was made
            if not reissue:  # the activation form takes the contacts too; those given replace the order's
                order['contacts'].update((f, params[f]) for f in ADMIN_FIELDS + TECH_FIELDS + ORG_FIELDS if params.get(f))
            order.update(primary_domain=domains[0], domains=domains, csr=csr_pem, dv_method=method, approvers=approvers,
                         approved=False, status='Awaiting Validation', processing_since=None, software_id=software_id,
                         dv=dict((d, self._dv_data(order['order_id'], d, csr_pem)) for d in domains))
            reply = collections.OrderedDict([('order_id', order['order_id'])])
            reply.update(self._method_reply(order))
        if key_pem:
            reply.update(csr_code=csr_pem, private_key=key_pem)
        return reply

    def _m_reissue_ssl_order(self, params):
        return self._resubmit(params, LIVE_STATUSES, True)

    def _m_activate_ssl_order(self, params):
        """activate_ssl_order (the PHP class; the document's FAQ "How to activate an SSL order?" and its status
        ``Awaiting Activation``): an order awaiting activation gets its CSR (or the csr_* fields, as for
        add_ssl_order), validation method, domains within those paid, and optionally software_id and contacts; it
        then awaits validation. Any other status: 111."""
        return self._resubmit(params, ('Awaiting Activation',), False)

    def _m_resend_dv_email(self, params):
        """resend_dv_email (the PHP class): the approval email of an order validated by email and awaiting
        validation is sent again. 111 in another status; 104 for an order validated otherwise."""
        with self.lock:
            order = self._order_in(self._require(params, 'order_id')[0], ('Awaiting Validation',))
            if order['dv_method'] != 'email':
                raise invalid('order_id', 'order %d is validated by %s, not by email' % (order['order_id'],
                                                                                         order['dv_method']))
            order['emails_resent'] += 1
        return {}

    def _m_get_dv_options(self, params):
        order_id, part = self._require(params, 'order_id', 'dv_method')
        if part not in ('all',) + DV_PARTS:
            raise invalid('dv_method', "%r is not all, http, https, dns or email" % part)
        with self.lock:
            order = self._order(order_id)
            return collections.OrderedDict([('order_id', order['order_id']),
                                            ('dv_options', self._dv_options(order, DV_PARTS if part == 'all' else (part,)))])

    def _m_get_dv_options_csr(self, params):
        """get_dv_options_csr (the PHP class; POST ``csr``, ``dv_method``, optional ``product_id`` and
        ``addon_domains``): the validation data an order with this CSR gets, before ordering, as
        ``{"dv_options": ...}`` (the part ``dv_method`` names, as get_dv_options). In the document's form they are
        the CSR's own, so they are the order's; in the ``sectigo`` form an order's target also holds the order's
        unique value, which is not known before the order."""
        text, part = self._require(params, 'csr', 'dv_method')
        part = part.lower()
        if part not in ('all',) + DV_PARTS:
            raise invalid('dv_method', "%r is not all, http, https, dns or email" % part)
        dummy, common, dummy, dummy, dummy = parse_csr(text)
        domains = self._addons(params, common)
        if params.get('product_id'):
            product = self._product(params['product_id'])
            self._check_domains(product, domains, 'csr', self._max_domains(product))
        csr_pem = text.strip().replace('\r\n', '\n') + '\n'  # as an order stores it
        preview = {'domains': domains, 'dv': dict((d, self._dv_data(None, d, csr_pem)) for d in domains)}
        return {'dv_options': self._dv_options(preview, DV_PARTS if part == 'all' else (part,))}

    def _m_change_dv_method(self, params):
        order_id, method = self._require(params, 'order_id', 'dv_method')
        with self.lock:
            order = self._order(order_id)
            domain = params.get('domain', '').lower()
            if domain and domain not in order['domains']:
                raise invalid('domain', '%s is not a domain of order %d' % (domain, order['order_id']))
            method = method.lower()
            if method.startswith('email:'):
                method, addresses = 'email', method[len('email:'):]
            else:
                addresses = params.get('email', '')
            if method not in DV_METHODS:
                raise invalid('dv_method', '%r is not http, https, dns or email' % method)
            approvers = {}
            if method == 'email':
                if not addresses:
                    raise missing('email')
                approvers = self._approvers(addresses, order['domains'], 'email')
            if order['status'] != 'Awaiting Validation':
                raise ApiError(111, 'Not allowed while the order is %s' % order['status'])
            order.update(dv_method=method, approvers=approvers, approved=False)
            return self._method_reply(order)

    def _m_order_status(self, params):
        with self.lock:
            fields = self._status_fields(self._order(self._require(params, 'order_id')[0]))
        if self.config['order_status_nested']:
            return {'order': fields}
        return fields

    def _m_my_orders(self, params):
        now = time.time()
        with self.lock:
            for order in self.orders.values():
                self._advance(order, now)
            return {'ssl_orders': [self._summary(o) for o in self.orders.values()]}

    def _m_order_extra_domains(self, params):
        order_id, count = self._require(params, 'order_id', 'extra_domains_nr')
        with self.lock:
            order = self._order(order_id)
            count = self._count(count, 'extra_domains_nr')
            if order['status'] not in LIVE_STATUSES:
                raise ApiError(111, 'Not allowed while the order is %s' % order['status'])
            product = PRODUCTS[order['product_id']]
            if order['paid_domains'] + count > self._max_domains(product):
                raise too_many(order['paid_domains'] + count, self._max_domains(product))
            amount = decimal.Decimal(product['price_extra_domain']) * order['period'] * count
            self._spend(amount)
            order['paid_domains'] += count
            order['amount'] += amount
            return collections.OrderedDict([('amount', money(amount)), ('order_id', order['order_id'])])

    def _m_revalidate(self, params):
        order_id, domain = self._require(params, 'order_id', 'domain_name')
        with self.lock:
            order = self._order(order_id)
            if domain.lower() not in order['domains']:
                raise invalid('domain_name', '%s is not a domain of order %d' % (domain.lower(), order['order_id']))
            if order['status'] not in LIVE_STATUSES:
                raise ApiError(111, 'Not allowed while the order is %s' % order['status'])
        return {}
