# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Virusdie API emulator: account, agency, sites, units, options, scans, firewall history, sync file.

Written from the vendor document ``../shared/vendor-api/virusdie-api.txt``
("Virusdie API for third-party applications", 2024-08-30). Requests are
``(GET|POST) /api/<method>/[param1/.../paramN/][?query]``; authorization by
cookies: ``apikey=<key>`` and, for a key with the signature (DS) check,
``apimac=<hex HMAC-MD5 of the request target exactly as received>`` (path and
query as sent: no decoding, no re-encoding). Every JSON answer is HTTP 200
with ``{version, keyid, method, timewait, error, message, errorinfo,
result}``; ``error`` 0 is success. ``syncfile_get`` answers raw (PHP code,
errors as HTTP 4xx with a text message). Where the document leaves a choice
open (its option table, error lists and system error list are empty), see
docs/virusdie-api-decisions.md.

Error codes follow ``api_methoddata``: a method's ``errprefix`` (3 digits)
followed by 900 + the index in its ``errors`` list. System-wide errors use
the prefix 145 (the document's one real code, 145904 "Permission denied",
is index 4 of that list): see ``SYSTEM_ERRORS``.

Keys (``env()``): ``VIRUSDIE_API_KEY`` with ``VIRUSDIE_MAC_KEY`` (DS check
on), ``VIRUSDIE_NOMAC_API_KEY`` (DS check off: ``apimac`` sent anyway is
ignored, or refused with 145908 under the setting ``reject_unexpected_mac``) and ``VIRUSDIE_LIMITED_API_KEY`` (DS check off, without
the (!) features: ``site_setoption`` firewall/autotreatment and
``site_scan`` answer 145904). All three belong to one partner account; keys
made by ``signin`` are added at run time.

Counter keys are the method names (``sites_add``, ``site_setoption``...);
an unknown method counts under its name, a path outside ``/api/`` under the
path. Writes: see ``VirusdieApp.write_endpoints``.

Config knobs (``POST /_emulator/config``): see ``VirusdieApp.default_config``.
Three of them are the emulator's view of the world outside the account:

- ``syncfile_uploaded``: the domains (Unicode or punycode) whose web root
  holds the account's sync file; ``site_scan`` of any other site answers
  151902. The list replaces the previous one.
- ``scan_threats``: ``{"<domain>": n}`` (threats a scan finds) or
  ``{"<domain>": {"<scanreport field>": n, ...}}`` (exact report values).
- ``foreign_sites``: domains registered in another Virusdie account;
  ``sites_add`` refuses each of them per site.

Vendor fault kind (``POST /_emulator/faults``): ``too_many_requests``: the
API's own rate-limit answer (error 145905, ``timewait`` = the fault's
``delay`` in milliseconds; HTTP 429 for ``syncfile_get``) without touching
the bucket.
"""

import collections
import copy
import datetime
import hashlib
import hmac
import json
import math
import re
import secrets
import threading
import time
import unicodedata
import urllib.parse

from .base import EmulatorApp, FaultQueue, Response, TokenBucket, random_alnum

API_PREFIX = '/api'
VERSION = '2024.08.30'
EMAIL = re.compile(r'^[^@\s/]+@[^@\s/]+\.[^@\s/]+$')
LABEL = re.compile(r'(?!-)[a-z0-9-]{1,63}(?<!-)\Z')
JSON_TYPE = 'application/json; charset=utf-8'

# -- error codes ------------------------------------------------------------------------
SYSTEM_PREFIX = 145
SYSTEM_ERRORS = [
    'Authorization required',  # 145900: no apikey cookie
    'Invalid API key',  # 145901: unknown or deleted key
    'Invalid signature',  # 145902: apimac missing or wrong (key with the DS check)
    'Unknown method',  # 145903
    'Permission denied',  # 145904: the key lacks a (!) feature (from the document)
    'Too many requests',  # 145905: rate limit; timewait = milliseconds to wait
    'HTTP method not allowed',  # 145906
    'Invalid request',  # 145907: wrong number of path parameters, bad request body
    'Signature not expected',  # 145908: apimac sent with a key whose DS check is disabled
]
E_AUTH_REQUIRED, E_BAD_KEY, E_BAD_SIGNATURE, E_UNKNOWN_METHOD, E_PERMISSION, E_TOO_MANY, E_HTTP_METHOD, \
    E_BAD_REQUEST, E_MAC_NOT_EXPECTED = (SYSTEM_PREFIX * 1000 + 900 + i for i in range(len(SYSTEM_ERRORS)))
# syncfile_get answers raw: system errors become HTTP statuses.
RAW_STATUS = {E_AUTH_REQUIRED: 401, E_BAD_KEY: 401, E_BAD_SIGNATURE: 403, E_MAC_NOT_EXPECTED: 403,
              E_PERMISSION: 403, E_TOO_MANY: 429, E_HTTP_METHOD: 405, E_BAD_REQUEST: 400, E_UNKNOWN_METHOD: 404}

# Permission bits of a key (sites_list "permissions"; site_setoption options and site_scan need them).
PERM_SCAN, PERM_SCANPERIOD, PERM_FIREWALL, PERM_AUTOTREATMENT = 1, 2, 4, 8
PERMISSIONS_FULL = PERM_SCAN | PERM_SCANPERIOD | PERM_FIREWALL | PERM_AUTOTREATMENT
PERMISSIONS_LIMITED = PERM_SCANPERIOD

SCAN_PERIODS = (0, 3600, 21600, 43200, 86400, 604800, 2592000)
DEFAULT_SCAN_PERIOD = 86400
# site_setoption's option table (the document's is empty); api_methoddata/site_setoption/ shows it.
OPTIONS = collections.OrderedDict([
    ('scanperiod', {'value': r'^(%s)$' % '|'.join(str(p) for p in SCAN_PERIODS), 'field': 'scanperiod',
                    'permission': PERM_SCANPERIOD, 'restricted': 0,
                    'description': 'Scheduled scan interval in seconds: 0 (no scheduled scans), 3600 (hourly), '
                                   '21600, 43200, 86400 (daily), 604800 (weekly) or 2592000 (30 days)'}),
    ('firewall', {'value': r'^[01]$', 'field': 'firewallstatus', 'permission': PERM_FIREWALL, 'restricted': 1,
                  'description': '(!) Website firewall: 1 enabled, 0 disabled (sites_list .firewallstatus)'}),
    ('autotreatment', {'value': r'^[01]$', 'field': 'autotreatment', 'permission': PERM_AUTOTREATMENT,
                       'restricted': 1,
                       'description': '(!) Automatic cleanup after each scan: 1 enabled, 0 disabled'}),
])

REPORT_FIELDS = ('id', 'date', 'cure', 'threats', 'incurable', 'doubt', 'treated', 'detectedfiles', 'incurablefiles',
                 'malicious', 'suspicious', 'checkeddirs', 'checkedfiles', 'treatedfiles', 'deletedfiles', 'totalbytes',
                 'checkedbytes', 'errors')
REPORT_SETTABLE = REPORT_FIELDS[3:]
AGENCY_FIELDS = ('title', 'email', 'website', 'logourl', 'phone', 'country', 'zipcode', 'address', 'bank_currency',
                 'bank_swift', 'bank_account', 'bank_routing', 'bank_country', 'bank_invoicemail')

# Per-site messages of sites_add (in .result, error stays 0).
SITE_INVALID_ENTRY = 'Invalid site entry: a domain name or {"name": ..., "share": ...} expected'
SITE_INVALID_DOMAIN = 'Invalid domain name'
SITE_EXISTS = 'Site already exists'
SITE_FOREIGN = 'Site is registered in another account'
SITE_INVALID_SHARE = 'Invalid share email address'
SITE_UNKNOWN_OPTION = 'Unknown option: %s'

DOMAIN_RE = r'^[^/\s]{1,253}$'
EMAIL_RE = r'^[^@\s/]+@[^@\s/]+\.[^@\s/]+$'
FLAG_RE = r'^(|0|1)$'
INT_RE = r'^-?[0-9]+$'

# method -> metadata (api_methoddata) plus the emulator's own fields: params (min, max), raw.
METHODS = collections.OrderedDict()


def _method(name, description, errprefix, errors=(), http=('GET',), path=(), argv=None, post=None, params=None,
            raw=False, **extra):
    METHODS[name] = dict(description=description, errprefix=errprefix, errors=list(errors), http=tuple(http),
                         path=list(path), argv=dict(argv or {}), post=dict(post or {}),
                         params=params or (len(path), len(path)), raw=raw, extra=extra)


_method('signup', 'Send the one-time password by email', 110, ['Invalid email address'], path=[EMAIL_RE])
_method('signin', 'Verify one-time password, register user (if needed), get the new API key for the user', 111,
        ['Invalid email address', 'No one-time password was requested for this email', 'Invalid one-time password',
         'One-time password has expired'], path=[EMAIL_RE, r'^[0-9]{6}$'])
_method('signout', 'Logout and delete the API key previously created by "signin" method', 112,
        ['This key was not created by signin and cannot be deleted'])
_method('dashboard', 'Get the dashboard login URL', 113)
_method('agency_update', 'Create agency or update the agency (hoster) info', 120,
        ['Invalid request body', 'Required field is missing', 'Invalid field value', 'Unknown field'], http=('POST',),
        post=collections.OrderedDict([(f, r'^.+$' if f in ('title', 'email') else r'^.*$') for f in AGENCY_FIELDS]))
_method('agency_delete', 'Delete the agency (hoster) info', 121, ['Agency not found'], argv={'ignore': FLAG_RE})
_method('agency_view', 'View your agency (hoster) info', 122, ['Agency not found'])
_method('sites_add', 'Add sites into account (with additional options)', 130, ['Invalid request body'],
        http=('POST',), siteerrors=[SITE_INVALID_ENTRY, SITE_INVALID_DOMAIN, SITE_EXISTS, SITE_FOREIGN,
                                    SITE_INVALID_SHARE, SITE_UNKNOWN_OPTION % '<name>'])
_method('sites_list', 'List sites in account (with extended info and filtering options)', 131,
        ['Invalid unit email address'],
        argv={'unit': r'^(|%s)$' % EMAIL_RE[1:-1], 'withscanreport': FLAG_RE, 'withfwhistory': FLAG_RE})
_method('site_delete', 'Delete the site from account', 140, ['Invalid domain name', 'Site not found'],
        path=[DOMAIN_RE], argv={'ignore': FLAG_RE})
_method('site_unshare', 'Unshare the site if it was previously shared with some person (unit)', 141,
        ['Invalid unit email address', 'Invalid domain name', 'Site not found', 'Site is not shared with this unit'],
        path=[EMAIL_RE, DOMAIN_RE])
_method('site_setoption', 'Change site settings, additional services and options', 150,
        ['Invalid domain name', 'Site not found', 'Unknown option', 'Invalid option value'],
        path=[DOMAIN_RE, r'^(%s)$' % '|'.join(OPTIONS), r'^[0-9]+$'])
_method('site_scan', 'Scan the site for malware', 151,
        ['Invalid domain name', 'Site not found', 'Synchronization file not found on the site'], path=[DOMAIN_RE])
_method('unit_update', "Change the unit's email", 160,
        ['Invalid unit email address', 'Invalid new email address', 'Unit not found',
         'A unit with this email already exists'], path=[EMAIL_RE, EMAIL_RE])
_method('unit_delete', 'Delete the unit and unshare all sites currently shared with this unit', 161,
        ['Invalid unit email address', 'Unit not found'], path=[EMAIL_RE], argv={'withsites': FLAG_RE, 'ignore': FLAG_RE})
_method('syncfile_get', 'Download the synchronization file', 170, raw=True)
_method('api_methodlist', 'Get the list of available methods', 180)
_method('api_methoddata', 'Get metadata about any available method', 181, ['Unknown method'], path=[r'^[a-z_]+$'])
_method('api_keyinfo', 'Get current API key metadata', 182)
_method('api_userinfo', 'Get the info about key owner (registered user)', 183)
_method('api_test', 'Testing and debugging', 190, ['Missing argument', 'Invalid argument'], http=('GET', 'POST'),
        path=['', '', ''], params=(0, 3),
        argv={'str': r'^.*$', 'int': INT_RE, 'nullint': r'^(|-?[0-9]+)$', 'err': INT_RE, 'raw': INT_RE})


def method_error(name, index):
    """The code of error ``index`` of method ``name``: errprefix * 1000 + 900 + index."""
    return METHODS[name]['errprefix'] * 1000 + 900 + index


class VdError(Exception):
    """A Virusdie error answer (error != 0)."""

    def __init__(self, code, message, errorinfo='', timewait=0):
        super(VdError, self).__init__(message)
        self.code = code
        self.message = message
        self.errorinfo = errorinfo
        self.timewait = timewait


def fail(name, index, errorinfo=''):
    """VdError for error ``index`` of method ``name`` (message from its errors list)."""
    return VdError(method_error(name, index), METHODS[name]['errors'][index], errorinfo)


def system_error(code, errorinfo='', timewait=0):
    return VdError(code, SYSTEM_ERRORS[code - SYSTEM_PREFIX * 1000 - 900], errorinfo, timewait)


# -- names ------------------------------------------------------------------------------
def domain_forms(name):
    """(host, domain): the IDNA 2008 ASCII form and the UTF-8 form of a site name; ValueError when invalid.

    The collection's conversion (names.idna_ascii), repeated here: ideographic
    full stops separate labels, NFKC, lowercase, NFC, each non-ASCII label
    becomes ``xn--`` + punycode (no transitional mapping: ``straße`` stays).
    The host must have two or more letter-digit-hyphen labels (no trailing
    dot, no underscore) and a TLD that is not all digits.
    """
    if not isinstance(name, str) or not name:
        raise ValueError('empty')
    text = name
    for stop in ('\u3002', '\uff0e', '\uff61'):
        text = text.replace(stop, '.')
    if any(unicodedata.category(char) in ('Cc', 'Cf', 'Zl', 'Zp', 'Zs') for char in text):
        raise ValueError('control, format or space character')
    text = unicodedata.normalize('NFC', unicodedata.normalize('NFKC', text).lower())
    try:
        labels = [label if label.isascii() else 'xn--' + label.encode('punycode').decode('ascii')
                  for label in text.split('.')]
    except UnicodeError:
        raise ValueError('cannot encode') from None
    host = '.'.join(labels)
    if len(host) > 253 or len(labels) < 2 or not all(LABEL.match(label) for label in labels) \
            or re.match(r'^[0-9-]+$', labels[-1]):
        raise ValueError('not a host name')
    unicode_labels = []
    for label in labels:
        if label.startswith('xn--'):
            try:
                decoded = label[4:].encode('ascii').decode('punycode')
            except UnicodeError:
                raise ValueError('bad punycode') from None
            if decoded.isascii() or unicodedata.normalize('NFC', decoded.lower()) != decoded \
                    or decoded.encode('punycode').decode('ascii') != label[4:]:
                raise ValueError('bad punycode')
            unicode_labels.append(decoded)
        else:
            unicode_labels.append(label)
    return host, '.'.join(unicode_labels)


def host_of(name):
    """The ASCII host of ``name``, or None when it is no valid domain."""
    try:
        return domain_forms(name)[0]
    except ValueError:
        return None


def is_email(value):
    return isinstance(value, str) and bool(EMAIL.match(value))


def flag(query, name):
    """A ``[&name[=1]]`` argument: present and not "0"."""
    return name in query and query[name] != '0'


def parse_cookies(header):
    """Cookie header -> {name: value}; the first of a repeated name wins (like PHP's $_COOKIE)."""
    found = {}
    for part in (header or '').split(';'):
        name, sep, value = part.strip().partition('=')
        name = name.strip()
        if not sep or not name or name in found:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        found[name] = value
    return found


def hmac_md5(key, text):
    return hmac.new(key.encode('utf-8'), text.encode('utf-8'), hashlib.md5).hexdigest()


class _RecordingFaultQueue(FaultQueue):
    """A FaultQueue that remembers, per thread, the fault it last handed out (fault_response needs its delay)."""

    def __init__(self):
        super(_RecordingFaultQueue, self).__init__()
        self.taken = threading.local()

    def take(self, key, request=None):
        chosen = super(_RecordingFaultQueue, self).take(key, request)
        self.taken.fault = chosen
        return chosen


def _seed(*parts):
    return hashlib.sha256('/'.join(str(p) for p in parts).encode('utf-8')).digest()


class VirusdieApp(TokenBucket, EmulatorApp):
    """The Virusdie API (see the module docstring)."""

    name = 'virusdie'
    write_endpoints = frozenset(['signin', 'signout', 'agency_update', 'agency_delete', 'sites_add', 'site_delete',
                                 'site_unshare', 'site_setoption', 'site_scan', 'unit_update', 'unit_delete'])
    fault_kinds = ('too_many_requests',)
    default_config = {
        'rate_limit_enabled': True,  # answer 145905 "Too many requests" (timewait = ms to wait) when the bucket is empty
        'rate_capacity': 60,  # token bucket size (requests)
        'rate_refill_per_second': 5.0,  # tokens added per second
        'scan_duration': 0.5,  # seconds from site_scan to its scanreport
        'scan_threats': {},  # {"<domain>": n} or {"<domain>": {"<scanreport field>": n}}; default 0 threats
        'syncfile_uploaded': [],  # domains whose web root holds the account's sync file (site_scan needs it)
        'otp_ttl': 600,  # seconds a signup one-time password stays valid
        'php_arrays': False,  # sites_add .result as PHP json_encode would write it: [] when empty, a list for 0..n-1
        'foreign_sites': [],  # domains registered in another Virusdie account: sites_add refuses them per site
        # Not from the vendor: a "unit" field (the e-mail of the unit a site is shared with) in each sites_list site
        # object. The guide lists no owner field; sites_list?unit=<email> is its way to tell (docs/virusdie.md).
        'site_unit_field': False,
        # Not from the vendor: refuse apimac sent with a key whose DS check is off (145908, an invented code). The
        # guide only says such a client "should not" send it; by default the signature is ignored.
        'reject_unexpected_mac': False,
        # Not from the vendor: keys made by signin require apimac. The vendor's WordPress plugin uses its signin key
        # without ever signing, and the guide says the check can be off for some keys: off by default.
        'signin_key_dscheck': False,
    }
    _RATE_KEYS = ('rate_limit_enabled', 'rate_capacity', 'rate_refill_per_second')

    def __init__(self):
        self.api_key = self.credential('VIRUSDIE_API_KEY', lambda: secrets.token_hex(16))
        self.mac_key = self.credential('VIRUSDIE_MAC_KEY', lambda: random_alnum(32))
        self.nomac_key = self.credential('VIRUSDIE_NOMAC_API_KEY', lambda: secrets.token_hex(16))
        self.limited_key = self.credential('VIRUSDIE_LIMITED_API_KEY', lambda: secrets.token_hex(16))
        self.email = 'partner-%s@example.com' % random_alnum(4).lower()
        self.started = int(time.time())
        self._key_ids = dict((k, secrets.token_hex(4)) for k in ('main', 'nomac', 'limited'))
        self._sync = {}  # login -> {"filename", "token"}: stable per account, across resets
        self.init_bucket()
        super(VirusdieApp, self).__init__()
        self.faults = _RecordingFaultQueue()

    # -- base hooks ------------------------------------------------------------------------
    def reset_state(self):
        self.users = collections.OrderedDict()  # email -> {login, email, regdate}
        self.accounts = collections.OrderedDict()  # login -> {login, agency, sites: {host: site}, units: {email: unit}}
        self.keys = collections.OrderedDict()  # api key -> key record
        self.otps = collections.OrderedDict()  # email -> {otp, expires_at}
        self.scans = []  # {id, account, site_id, host, started, finishes, report}
        self.next_site_id = 100001
        self.next_report_id = 500001
        self._new_user(self.email, regdate=self.started - 86400 * 30)
        for kind, key, mac, permissions, uid in (('main', self.api_key, self.mac_key, PERMISSIONS_FULL, self.email),
                                                 ('nomac', self.nomac_key, None, PERMISSIONS_FULL, self.email),
                                                 ('limited', self.limited_key, None, PERMISSIONS_LIMITED, '')):
            self.keys[key] = {'id': self._key_ids[kind], 'key': key, 'hmac': mac, 'dscheck': 1 if mac else 0,
                              'permissions': permissions, 'account': self.email, 'uid': uid, 'source': kind,
                              'created': self.started, 'modified': self.started, 'expires': 0, 'ip': '', 'pid': ''}
        self.reset_bucket()

    def endpoint_key(self, request):
        path = request.path
        if path.startswith(API_PREFIX + '/'):
            return path[len(API_PREFIX) + 1:].split('/', 1)[0] or API_PREFIX + '/'
        return path

    def credentials(self):
        found = {self.api_key, self.mac_key, self.nomac_key, self.limited_key}
        with self.lock:
            for record in self.keys.values():
                found.update(v for v in (record['key'], record['hmac']) if v)
        return found

    def env(self):
        return {
            'VIRUSDIE_API_URL': (self.base_url or '') + API_PREFIX,
            'VIRUSDIE_API_KEY': self.api_key,
            'VIRUSDIE_MAC_KEY': self.mac_key,
            'VIRUSDIE_NOMAC_API_KEY': self.nomac_key,
            'VIRUSDIE_LIMITED_API_KEY': self.limited_key,
        }

    def fault_http_response(self, status, fault, request):
        """None: injected http_* faults keep the generic text answer.

        The vendor answers every JSON method with HTTP 200; a 429/5xx can only
        come from something in front of it (load balancer, gateway), which
        answers in its own plain format.
        """
        return None

    def fault_response(self, kind, request):
        if kind != 'too_many_requests':
            return None
        fault = getattr(self.faults.taken, 'fault', None) or {}
        wait = max(1, int(round(fault.get('delay', 2.0) * 1000)))
        method = self._split(request.path)[0]
        error = system_error(E_TOO_MANY, 'retry in %d ms' % wait, timewait=wait)
        if method in METHODS and METHODS[method]['raw']:
            return self._raw_error(error)
        return self._envelope(method, '', error.timewait, error=error)

    def dump_state(self):
        with self._rate_lock:
            bucket = {'tokens': self._tokens_now(), 'capacity': self.config['rate_capacity']}
        now = time.time()
        with self.lock:
            main = self.accounts[self.email]
            sites = []
            for account in self.accounts.values():
                for site in account['sites'].values():
                    view = self.site_view(site, PERMISSIONS_FULL)
                    view.update(unit=site['unit'], account=account['login'], syncfile=self._has_syncfile(site['host']),
                                scanreport=self._latest_report(site, now))
                    sites.append(view)
            units = [{'email': unit['email'], 'account': account['login'], 'created': unit['created'],
                      'sites': [s['domain'] for s in account['sites'].values() if s['unit'] == unit['email']]}
                     for account in self.accounts.values() for unit in account['units'].values()]
            return {
                'account': self.email,
                'keys': [dict((k, v) for k, v in record.items()) for record in self.keys.values()],
                'users': [dict(u) for u in self.users.values()],
                'sites': sites,
                'units': units,
                'agency': copy.deepcopy(main['agency']),
                'agencies': dict((a['login'], copy.deepcopy(a['agency'])) for a in self.accounts.values()),
                'scans': [{'id': s['report']['id'], 'account': s['account'], 'site_id': s['site_id'], 'host': s['host'],
                           'started': s['started'], 'finishes': s['finishes'],
                           'status': 'done' if s['finishes'] <= now else 'running', 'report': dict(s['report'])}
                          for s in self.scans],
                'otps': [dict(o, email=e) for e, o in self.otps.items()],
                'syncfiles': dict((login, self._syncfile(login)['filename']) for login in self.accounts),
                'rate': bucket,
            }

    def configure(self, values):
        if not isinstance(values, dict):
            raise ValueError('the config must be a JSON object')
        with self.lock:
            before = copy.deepcopy(self.config)
            config = super(VirusdieApp, self).configure(values)
            try:
                if config['rate_capacity'] < 1:
                    raise ValueError('rate_capacity must be at least 1')
                if config['rate_refill_per_second'] <= 0:
                    raise ValueError('rate_refill_per_second must be positive')
                if config['scan_duration'] < 0:
                    raise ValueError('scan_duration must be >= 0')
                if config['otp_ttl'] < 1:
                    raise ValueError('otp_ttl must be at least 1')
                for knob in ('syncfile_uploaded', 'foreign_sites'):
                    for domain in config[knob]:
                        if host_of(domain) is None:
                            raise ValueError('%s: %r is not a domain name' % (knob, domain))
                for domain, value in config['scan_threats'].items():
                    if host_of(domain) is None:
                        raise ValueError('scan_threats: %r is not a domain name' % (domain,))
                    self._threat_spec(value)
            except ValueError:
                self.config = before
                raise
            if any(before[k] != config[k] for k in self._RATE_KEYS):
                self.reset_bucket()
            return copy.deepcopy(self.config)

    @staticmethod
    def _threat_spec(value):
        """{scanreport field: n} of a scan_threats value; ValueError when malformed."""
        def count(number):
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                raise ValueError('scan_threats: counts must be integers >= 0')
            return number
        if isinstance(value, dict):
            unknown = set(value) - set(REPORT_SETTABLE)
            if unknown:
                raise ValueError('scan_threats: unknown scanreport fields %s; known: %s'
                                 % (', '.join(sorted(unknown)), ', '.join(REPORT_SETTABLE)))
            return dict((k, count(v)) for k, v in value.items())
        return {'found': count(value)}

    # -- rate limit ------------------------------------------------------------------------
    def _admit(self):
        """Take a token; VdError 145905 with timewait (ms until the next token) when the bucket is empty."""
        with self._rate_lock:
            if not self.config['rate_limit_enabled']:
                self._tokens_now()
                return
            seconds = self._take_token()
            if seconds:
                wait = max(1, int(math.ceil(seconds * 1000)))
                raise system_error(E_TOO_MANY, 'retry in %d ms' % wait, timewait=wait)

    # -- answers ---------------------------------------------------------------------------
    @staticmethod
    def _envelope(method, keyid, timewait, result=None, error=None):
        body = collections.OrderedDict([
            ('version', VERSION), ('keyid', keyid), ('method', method), ('timewait', int(timewait)),
            ('error', error.code if error else 0), ('message', error.message if error else ''),
            ('errorinfo', error.errorinfo if error else ''), ('result', None if error else result)])
        # PHP's json_encode: non-ASCII as \uXXXX, "/" as "\/" (only strings can hold "/" in JSON text).
        text = json.dumps(body).replace('/', '\\/')
        return Response(200, {'Content-Type': JSON_TYPE}, text.encode('utf-8'))

    @staticmethod
    def _raw_error(error):
        headers = {}
        if error.code == E_TOO_MANY:
            headers['Retry-After'] = str(max(1, int(math.ceil(error.timewait / 1000.0))))
        status = RAW_STATUS.get(error.code, 400)
        return Response.text('%s\n' % error.message, status, headers)

    @staticmethod
    def _split(path):
        """(method, [percent-decoded params]) of an /api/ path; params None when a segment is empty."""
        rest = path[len(API_PREFIX) + 1:] if path.startswith(API_PREFIX + '/') else ''
        parts = rest.split('/')
        if parts and parts[-1] == '':
            parts.pop()  # the trailing slash
        if not parts:
            return '', []
        if any(part == '' for part in parts[1:]):
            return parts[0], None
        return parts[0], [urllib.parse.unquote(part) for part in parts[1:]]

    # -- request handling -------------------------------------------------------------------
    def handle(self, request):
        started = time.monotonic()
        if not request.path.startswith(API_PREFIX + '/'):
            return Response.text('Not Found\n', 404)
        method, params = self._split(request.path)
        spec = METHODS.get(method)
        keyid = ''
        try:
            key = self._authenticate(request)
            keyid = key['id']
            self._admit()
            if spec is None:
                raise system_error(E_UNKNOWN_METHOD, 'no method %r; see api_methodlist' % method)
            if request.method not in spec['http']:
                raise system_error(E_HTTP_METHOD, '%s takes %s' % (method, ', '.join(spec['http'])))
            low, high = spec['params']
            if params is None or not low <= len(params) <= high:
                raise system_error(E_BAD_REQUEST, '%s takes %s path parameter%s: /api/%s/%s' % (
                    method, low if low == high else '%d to %d' % (low, high), '' if high == 1 else 's', method,
                    ''.join('<param%d>/' % (i + 1) for i in range(high))))
            with self.lock:
                result = getattr(self, 'm_' + method)(request, key, params)
            if isinstance(result, Response):
                return result
            return self._envelope(method, keyid, (time.monotonic() - started) * 1000, result=result)
        except VdError as exc:
            if spec is not None and spec['raw']:
                return self._raw_error(exc)
            return self._envelope(method, keyid, exc.timewait, error=exc)

    def _authenticate(self, request):
        """The key record of the apikey cookie, its apimac checked; VdError otherwise."""
        cookies = parse_cookies(request.headers.get('Cookie'))
        api_key = cookies.get('apikey') or ''
        if not api_key:
            raise system_error(E_AUTH_REQUIRED, 'send the API key in the apikey cookie')
        with self.lock:
            record = None
            for candidate, entry in self.keys.items():
                if hmac.compare_digest(candidate.encode('utf-8'), api_key.encode('utf-8')):
                    record = entry
            if record is None:
                raise system_error(E_BAD_KEY, 'unknown or deleted API key')
            record = dict(record)
        mac = cookies.get('apimac')
        if record['dscheck']:
            if not mac:
                raise system_error(E_BAD_SIGNATURE, 'the apimac cookie is missing')
            expected = hmac_md5(record['hmac'], request.target)
            if not hmac.compare_digest(expected.encode('ascii'), mac.lower().encode('utf-8', 'replace')):
                raise system_error(E_BAD_SIGNATURE, 'apimac is not the HMAC-MD5 of the request path and query as sent')
        elif mac is not None and self.config['reject_unexpected_mac']:
            raise system_error(E_MAC_NOT_EXPECTED, 'the signature check is disabled for this key: do not send apimac')
        return record

    # -- helpers -----------------------------------------------------------------------------
    def _new_user(self, email, regdate=None):
        user = {'id': 1000 + len(self.users), 'login': email, 'email': email,
                'regdate': int(regdate if regdate is not None else time.time())}
        self.users[email] = user
        self.accounts[email] = {'login': email, 'agency': None, 'sites': collections.OrderedDict(),
                                'units': collections.OrderedDict()}
        self._syncfile(email)
        return user

    def _syncfile(self, login):
        """{"filename", "token", "content"} of an account's sync file; stable for the life of the app."""
        entry = self._sync.get(login)
        if entry is None:
            number = int.from_bytes(_seed('syncfile', login, secrets.token_hex(8))[:4], 'big') % 90000000 + 10000000
            token = self.remember_secret(secrets.token_hex(20))
            filename = 'vdconnect-%d.php' % number
            content = ('<?php\n'
                       '// Virusdie synchronization file (emulated). Upload it to the root directory of each site\n'
                       '// as %s and do not share it: it holds the key of your account.\n'
                       "define('VDCONNECT_VERSION', '%s');\n"
                       "define('VDCONNECT_ACCOUNT', '%s');\n"
                       "define('VDCONNECT_TOKEN', '%s');\n"
                       'if (!isset($_SERVER[\'HTTP_X_VIRUSDIE_SYNC\']) || !hash_equals(VDCONNECT_TOKEN, '
                       '$_SERVER[\'HTTP_X_VIRUSDIE_SYNC\'])) { http_response_code(404); exit; }\n'
                       "echo json_encode(array('status' => 'ok', 'file' => basename(__FILE__)));\n"
                       % (filename, VERSION, login, token))
            entry = {'filename': filename, 'token': token, 'content': self.remember_secret(content)}
            self._sync[login] = entry
        return entry

    def account_of(self, key):
        return self.accounts[key['account']]

    def _domain(self, name, method, index):
        try:
            return domain_forms(name)
        except ValueError:
            raise fail(method, index, '%r is not a valid domain name' % name) from None

    def _email(self, value, method, index):
        if not is_email(value):
            raise fail(method, index, '%r is not an email address' % value)
        return value.lower()

    def _has_syncfile(self, host):
        return any(host_of(d) == host for d in self.config['syncfile_uploaded'])

    def _threats_for(self, host):
        for domain, value in self.config['scan_threats'].items():
            if host_of(domain) == host:
                return self._threat_spec(value)
        return {'found': 0}

    @staticmethod
    def _next_scan(site, now):
        period = site['scanperiod']
        if not period:
            return 0
        base = site['schedule_base']
        return base + (int((now - base) // period) + 1) * period

    def site_view(self, site, permissions):
        now = int(time.time())
        return collections.OrderedDict([
            ('id', site['id']), ('host', site['host']), ('domain', site['domain']), ('adddate', site['adddate']),
            ('scanperiod', site['scanperiod']), ('nextscan', self._next_scan(site, now)),
            ('firewallstatus', site['firewallstatus']), ('autotreatment', site['autotreatment']),
            ('permissions', permissions),
        ] + ([('unit', site['unit'])] if self.config['site_unit_field'] else []))

    def _latest_report(self, site, now=None):
        now = time.time() if now is None else now
        done = [s for s in self.scans if s['site_id'] == site['id'] and s['finishes'] <= now]
        return dict(done[-1]['report']) if done else None

    @staticmethod
    def fwhistory(site, today=None):
        """30 days (UTC) of [date, allowed, blocked, dos, injections, uploads, other, blocked_ips], oldest first.

        Deterministic per host and day; today's entry is null (the day is not
        over); blocked = dos + injections + uploads + other, as in the
        document's example. None when the site's firewall is off.
        """
        if not site['firewallstatus']:
            return None
        today = today or datetime.datetime.now(datetime.timezone.utc).date()
        history = collections.OrderedDict()
        for offset in range(29, -1, -1):
            day = (today - datetime.timedelta(days=offset)).strftime('%Y%m%d')
            if offset == 0:
                history[day] = None
                continue
            seed = _seed('fw', site['host'], day)
            dos, injections, uploads, other = seed[2] % 20, seed[3] % 15, seed[4] % 6, seed[5] % 10
            blocked = dos + injections + uploads + other
            history[day] = [int(day), 100 + int.from_bytes(seed[:2], 'big') % 5000, blocked, dos, injections, uploads,
                            other, min(blocked, seed[6] % 8)]
        return history

    def keyinfo(self, key):
        return collections.OrderedDict([
            ('id', key['id']), ('owner', key['account']), ('created', key['created']), ('modified', key['modified']),
            ('expires', key['expires']), ('uid', key['uid']), ('ip', key['ip']), ('pid', key['pid']),
            ('dscheck', key['dscheck']), ('permissions', key['permissions'])])

    @staticmethod
    def _php_list(result):
        """What PHP's json_encode makes of an array: a list when its keys are 0..n-1 (also when empty)."""
        if list(result) == [str(i) for i in range(len(result))]:
            return list(result.values())
        return result

    def _json_body(self, request, method):
        try:
            return request.json()
        except ValueError:
            raise system_error(E_BAD_REQUEST, 'the body of %s must be JSON' % method) from None

    # -- methods: users and keys ---------------------------------------------------------------
    def m_signup(self, request, key, params):
        email = self._email(params[0], 'signup', 0)
        now = int(time.time())
        ttl = self.config['otp_ttl']
        self.otps[email] = {'otp': '%06d' % secrets.randbelow(1000000), 'expires_at': now + ttl}
        user = self.users.get(email)
        view = collections.OrderedDict([('login', email), ('email', email)])
        if user is not None:
            view = collections.OrderedDict([('login', user['login']), ('email', user['email']), ('regdate', user['regdate'])])
        return collections.OrderedDict([('user', view), ('otp', collections.OrderedDict([
            ('length', 6), ('expires_in', ttl), ('expires_at', now + ttl)]))])

    def m_signin(self, request, key, params):
        email = self._email(params[0], 'signin', 0)
        pending = self.otps.get(email)
        if pending is None:
            raise fail('signin', 1, 'call signup/%s/ first' % email)
        if pending['expires_at'] <= time.time():
            del self.otps[email]
            raise fail('signin', 3, 'call signup again')
        if not hmac.compare_digest(pending['otp'].encode('utf-8'), params[1].encode('utf-8')):
            raise fail('signin', 2)
        del self.otps[email]
        user = self.users.get(email) or self._new_user(email)
        now = int(time.time())
        private = self.remember_secret(secrets.token_hex(16))
        mac = self.remember_secret(random_alnum(32))
        public = self.remember_secret(hashlib.sha256(private.encode('ascii')).hexdigest())
        key_id = secrets.token_hex(4)
        record = {'id': key_id, 'key': private, 'hmac': mac, 'dscheck': int(bool(self.config['signin_key_dscheck'])),
                  'permissions': PERMISSIONS_FULL,
                  'account': user['login'], 'uid': email, 'source': 'signin', 'created': now, 'modified': now,
                  'expires': 0, 'ip': '', 'pid': key['id'], 'public': public}
        self.keys[private] = record
        sync = self._syncfile(user['login'])
        return collections.OrderedDict([
            ('user', collections.OrderedDict([('login', user['login']), ('email', user['email']),
                                              ('regdate', user['regdate'])])),
            ('syncfile', {'filename': sync['filename'], 'download': '%s%s/syncfile_get/' % (self.base_url or '', API_PREFIX)}),
            ('publickey', {'id': key_id, 'key': public, 'hmac': mac}),
            ('privatekey', {'id': key_id, 'key': private, 'hmac': mac}),
            ('keydata', collections.OrderedDict([('owner', user['login']), ('created', now), ('modified', now),
                                                 ('expires', 0), ('uid', email), ('ip', ''), ('pid', key['id'])])),
        ])

    def m_signout(self, request, key, params):
        if key['source'] != 'signin':
            raise fail('signout', 0, 'only keys made by signin can be deleted')
        if self.keys.pop(key['key'], None) is None:  # signed out meanwhile by another request
            raise system_error(E_BAD_KEY, 'unknown or deleted API key')
        return self.keyinfo(key)

    def m_dashboard(self, request, key, params):
        token = self.remember_secret(secrets.token_hex(20))
        return '%s/dashboard/login/?token=%s' % (self.base_url or '', token)

    # -- methods: agency ------------------------------------------------------------------------
    def m_agency_update(self, request, key, params):
        body = self._json_body(request, 'agency_update')
        if not isinstance(body, dict):
            raise fail('agency_update', 0, 'a JSON object expected')
        for field in body:
            if field not in AGENCY_FIELDS:
                raise fail('agency_update', 3, field)
        for field, value in body.items():
            if not isinstance(value, str):
                raise fail('agency_update', 2, '%s must be a string' % field)
        for field in ('title', 'email'):
            if not body.get(field, '').strip():
                raise fail('agency_update', 1, field)
        for field in ('email', 'bank_invoicemail'):
            if body.get(field) and not is_email(body[field]):
                raise fail('agency_update', 2, '%s must be an email address' % field)
        if body.get('logourl') and not re.match(r'^https?://[^\s/]+', body['logourl']):
            raise fail('agency_update', 2, 'logourl must start with http:// or https://')
        if body.get('bank_currency') and not re.match(r'^[A-Za-z]{3}$', body['bank_currency']):
            raise fail('agency_update', 2, 'bank_currency must be a 3-letter currency code (USD, GBP)')
        self.account_of(key)['agency'] = copy.deepcopy(body)
        return body

    def m_agency_delete(self, request, key, params):
        account = self.account_of(key)
        if account['agency'] is None:
            if flag(request.query, 'ignore'):
                return None
            raise fail('agency_delete', 0)
        agency, account['agency'] = account['agency'], None
        return agency

    def m_agency_view(self, request, key, params):
        agency = self.account_of(key)['agency']
        if agency is None:
            raise fail('agency_view', 0, 'create it with agency_update')
        return copy.deepcopy(agency)

    # -- methods: sites --------------------------------------------------------------------------
    def m_sites_add(self, request, key, params):
        body = self._json_body(request, 'sites_add')
        if not isinstance(body, list):
            raise fail('sites_add', 0, 'a JSON array of sites expected')
        account = self.account_of(key)
        failures = collections.OrderedDict()
        for index, entry in enumerate(body):
            message = self._add_site(account, entry)
            if message:
                failures[str(index)] = message
        if self.config['php_arrays']:
            return self._php_list(failures)
        return failures

    def _add_site(self, account, entry):
        """Add one sites_add entry; the per-site error message, or None."""
        share = None
        if isinstance(entry, str):
            name = entry
        elif isinstance(entry, dict):
            for field in entry:
                if field not in ('name', 'share'):
                    return SITE_UNKNOWN_OPTION % field
            name = entry.get('name')
            share = entry.get('share') or None
            if not isinstance(name, str):
                return SITE_INVALID_ENTRY
            if share is not None and not is_email(share):
                return SITE_INVALID_SHARE
        else:
            return SITE_INVALID_ENTRY
        try:
            host, domain = domain_forms(name)
        except ValueError:
            return SITE_INVALID_DOMAIN
        if any(host_of(d) == host for d in self.config['foreign_sites']):
            return SITE_FOREIGN
        if host in account['sites']:
            existing = account['sites'][host]
            # Re-adding an unshared site with a share links it to the unit: the guide's only way to share a site
            # that is already in the account (after site_unshare). Anything else is a duplicate.
            if share and existing['unit'] is None:
                existing['unit'] = self._unit(account, share.lower())['email']
                return None
            return SITE_EXISTS
        now = int(time.time())
        site = {'id': self.next_site_id, 'host': host, 'domain': domain, 'adddate': now, 'scanperiod': DEFAULT_SCAN_PERIOD,
                'schedule_base': now, 'firewallstatus': 0, 'autotreatment': 0, 'unit': None}
        self.next_site_id += 1
        if share:
            site['unit'] = self._unit(account, share.lower())['email']
        account['sites'][host] = site
        return None

    @staticmethod
    def _unit(account, email):
        unit = account['units'].get(email)
        if unit is None:
            unit = account['units'][email] = {'email': email, 'created': int(time.time())}
        return unit

    def m_sites_list(self, request, key, params):
        account = self.account_of(key)
        unit = request.query.get('unit') or None
        if unit is not None:
            unit = self._email(unit, 'sites_list', 0)
        with_report = flag(request.query, 'withscanreport')
        with_history = flag(request.query, 'withfwhistory')
        now = time.time()
        result = []
        for site in account['sites'].values():
            if unit is not None and site['unit'] != unit:
                continue
            view = self.site_view(site, key['permissions'])
            if with_report:
                view['scanreport'] = self._latest_report(site, now)
            if with_history:
                view['fwhistory'] = self.fwhistory(site)
            result.append(view)
        return result

    def _site(self, account, name, method, invalid_index, missing_index):
        host = self._domain(name, method, invalid_index)[0]
        site = account['sites'].get(host)
        if site is None and missing_index is not None:
            raise fail(method, missing_index, 'no site %s in this account' % host)
        return site

    def m_site_delete(self, request, key, params):
        account = self.account_of(key)
        site = self._site(account, params[0], 'site_delete', 0, None)
        if site is None:
            if flag(request.query, 'ignore'):
                return None
            raise fail('site_delete', 1, 'no site %s in this account' % domain_forms(params[0])[0])
        del account['sites'][site['host']]
        return params[0]

    def m_site_unshare(self, request, key, params):
        account = self.account_of(key)
        unit = self._email(params[0], 'site_unshare', 0)
        site = self._site(account, params[1], 'site_unshare', 1, 2)
        if site['unit'] != unit:
            raise fail('site_unshare', 3, 'shared with %s' % (site['unit'] or 'nobody'))
        site['unit'] = None
        return params[1]

    def m_site_setoption(self, request, key, params):
        account = self.account_of(key)
        name, option, value = params
        self._domain(name, 'site_setoption', 0)
        spec = OPTIONS.get(option)
        if spec is None:
            raise fail('site_setoption', 2, 'known options: %s' % ', '.join(OPTIONS))
        if not re.match(spec['value'], value):
            raise fail('site_setoption', 3, '%s must match %s' % (option, spec['value']))
        if not key['permissions'] & spec['permission']:
            raise system_error(E_PERMISSION, '%s is not available for this API key' % option)
        site = self._site(account, name, 'site_setoption', 0, 1)
        site[spec['field']] = int(value)
        if option == 'scanperiod':
            site['schedule_base'] = int(time.time())
        return [name, option, value]

    def m_site_scan(self, request, key, params):
        account = self.account_of(key)
        self._domain(params[0], 'site_scan', 0)
        if not key['permissions'] & PERM_SCAN:
            raise system_error(E_PERMISSION, 'site_scan is not available for this API key')
        site = self._site(account, params[0], 'site_scan', 0, 1)
        if not self._has_syncfile(site['host']):
            raise fail('site_scan', 2, 'upload %s to the root directory of %s'
                       % (self._syncfile(account['login'])['filename'], site['domain']))
        now = time.time()
        if any(s['site_id'] == site['id'] and s['finishes'] > now for s in self.scans):
            return params[0]  # a scan of this site is running: it goes on
        self.scans.append({'account': account['login'], 'site_id': site['id'], 'host': site['host'], 'started': now,
                           'finishes': now + self.config['scan_duration'],
                           'report': self._report(site, now + self.config['scan_duration'])})
        return params[0]

    def _report(self, site, finishes):
        spec = self._threats_for(site['host'])
        found = spec.pop('found', 0)
        cure = site['autotreatment']
        seed = _seed('scan', site['host'])
        dirs = 20 + int.from_bytes(seed[:2], 'big') % 400
        files = dirs * (5 + seed[2] % 20)
        total = files * (8000 + int.from_bytes(seed[3:5], 'big') % 40000)
        report = collections.OrderedDict([
            ('id', self.next_report_id), ('date', int(finishes)), ('cure', cure),
            ('threats', 0 if cure else found), ('incurable', 0), ('doubt', 0), ('treated', found if cure else 0),
            ('detectedfiles', found), ('incurablefiles', 0), ('malicious', 0 if cure else found), ('suspicious', 0),
            ('checkeddirs', dirs), ('checkedfiles', files), ('treatedfiles', found if cure else 0), ('deletedfiles', 0),
            ('totalbytes', total), ('checkedbytes', total), ('errors', 0)])
        report.update(spec)
        self.next_report_id += 1
        return report

    # -- methods: units --------------------------------------------------------------------------
    def m_unit_update(self, request, key, params):
        account = self.account_of(key)
        unit = self._email(params[0], 'unit_update', 0)
        if not is_email(params[1]):
            raise fail('unit_update', 1, '%r is not an email address' % params[1])
        new = params[1].lower()
        if unit not in account['units']:
            raise fail('unit_update', 2, 'no unit %s' % unit)
        if new != unit:
            if new in account['units']:
                raise fail('unit_update', 3, new)
            account['units'] = collections.OrderedDict(
                (new, dict(u, email=new)) if e == unit else (e, u) for e, u in account['units'].items())
            for site in account['sites'].values():
                if site['unit'] == unit:
                    site['unit'] = new
        return params[1]

    def m_unit_delete(self, request, key, params):
        account = self.account_of(key)
        unit = self._email(params[0], 'unit_delete', 0)
        if unit not in account['units']:
            if flag(request.query, 'ignore'):
                return None
            raise fail('unit_delete', 1, 'no unit %s' % unit)
        with_sites = flag(request.query, 'withsites')
        for host, site in list(account['sites'].items()):
            if site['unit'] == unit:
                if with_sites:
                    del account['sites'][host]
                else:
                    site['unit'] = None
        del account['units'][unit]
        return params[0]

    # -- methods: sync file and API metadata -------------------------------------------------------------
    def m_syncfile_get(self, request, key, params):
        sync = self._syncfile(key['account'])
        self.remember_secret(sync['content'])
        return Response(200, {'Content-Type': 'application/octet-stream',
                              'Content-Disposition': 'attachment; filename="%s"' % sync['filename'],
                              'X-Filename': sync['filename']}, sync['content'].encode('utf-8'))

    def m_api_methodlist(self, request, key, params):
        return list(METHODS)

    def m_api_methoddata(self, request, key, params):
        spec = METHODS.get(params[0])
        if spec is None:
            raise fail('api_methoddata', 0, 'no method %r; see api_methodlist' % params[0])
        data = collections.OrderedDict([
            ('description', spec['description']), ('alwaysRaw', 1 if spec['raw'] else 0),
            ('httpMethods', ','.join(spec['http'])), ('path', list(spec['path'])), ('argv', dict(spec['argv'])),
            ('post', dict(spec['post'])), ('errprefix', spec['errprefix']), ('errors', list(spec['errors']))])
        data.update(copy.deepcopy(spec['extra']))
        if params[0] == 'site_setoption':
            data['options'] = collections.OrderedDict(
                (name, collections.OrderedDict([
                    ('value', o['value']), ('description', o['description']), ('field', o['field']),
                    ('permission', o['permission']), ('restricted', o['restricted']),
                    ('available', 1 if key['permissions'] & o['permission'] else 0)]))
                for name, o in OPTIONS.items())
            data['permissions'] = collections.OrderedDict([
                (str(PERM_SCAN), 'site_scan'), (str(PERM_SCANPERIOD), 'scanperiod'), (str(PERM_FIREWALL), 'firewall'),
                (str(PERM_AUTOTREATMENT), 'autotreatment')])
        return data

    def m_api_keyinfo(self, request, key, params):
        return self.keyinfo(key)

    def m_api_userinfo(self, request, key, params):
        user = self.users.get(key['uid'])
        if user is None:
            return None
        # The guide says "an object with user data"; the fields are those the vendor's WordPress plugin reads
        # (id, billtype, free, clientfile - the sync file's name it downloads - and avatar) besides signup's.
        return collections.OrderedDict([
            ('id', user['id']), ('login', user['login']), ('email', user['email']),
            ('regdate', user['regdate']), ('billtype', 'partner'), ('free', 0),
            ('clientfile', self._syncfile(user['login'])['filename']), ('avatar', ''),
        ])

    def m_api_test(self, request, key, params):
        query = dict(request.query)
        for name in ('str', 'int'):
            if name not in query:
                raise fail('api_test', 0, name)
        for name in ('int', 'nullint', 'err', 'raw'):
            if name not in query:
                continue
            if name == 'nullint' and query[name] == '':
                query[name] = None
                continue
            if not re.match(INT_RE, query[name]):
                raise fail('api_test', 1, '%s must be an integer' % name)
            query[name] = int(query[name])
        data = collections.OrderedDict([
            ('REQUEST_URI', request.target), ('PATH', list(params)), ('QUERY', query),
            ('HEADERS', dict(request.headers.items())),
            ('POST', collections.OrderedDict([('TYPE', request.headers.get('Content-Type') or ''),
                                              ('LENGTH', len(request.body)),
                                              ('DATA', request.body.decode('utf-8', 'replace'))])),
            ('FILES', [])])
        if query.get('err'):
            raise VdError(query['err'], 'Test error %d' % query['err'], 'requested by the err argument')
        if query.get('raw'):
            return Response.text(json.dumps(data))
        return data
