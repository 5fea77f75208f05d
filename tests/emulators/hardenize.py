# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hardenize Organization API v1 emulator: hosts, groups, event types, event hooks, events, event destinations,
certificates (reads).

Written from the vendor's Organization API v1 document. Base path
``/v1/org/<org>/``, HTTP Basic auth, JSON bodies, errors as
``application/vnd.hardenize.v1.error-response+json`` ErrorResponse objects,
a per-organization token bucket plus a concurrency limit reported in
``X-Request-Allowance`` on every answer (a refused request is a 429 without
``Retry-After`` unless the ``retry_after_header`` knob is on), ``GET /hosts``
unpaginated unless the ``host_pagination`` knob turns ``Range: pages=a-b``
on, and synchronous event hook tests that POST a signed event to the hook's
destination. Injected ``http_429``/``http_500``/``http_502``/``http_503``
faults answer an ErrorResponse like the API's own errors. Where the document
is ambiguous, see docs/hardenize-api-decisions.md.

Counter keys are ``"<METHOD> <path template>"`` relative to the org base
(``GET /hosts``, ``POST /hosts/*``, ``POST /eventHooks/{id};test``, ...).
``writes`` counts every non-GET request except ``;test`` actions and
requests with ``"preview": true`` (those are reported under ``previews``).

Served: the endpoints of ``ROUTES`` (a path that is not one is 404, one
served with other methods 405 with ``Allow``). ``GET /eventDestinations``
lists the account's PubSub destination when ``pubsub_enabled`` is on (none
otherwise); ``GET /certs`` (with the document's filters) and
``GET /certs/{sha256}`` read the certificates the account holds, which come
from the admin route ``POST /_emulator/add_certs {"pem": "<PEM chain>"}``
(standing for an upload or a CT sighting; each new one is a ``pki.cert.new``
event). The document's certificate writes are not served.

Config knobs (``POST /_emulator/config``): see ``HardenizeApp.default_config``;
those not from the vendor are listed in docs/hardenize.md. The action
``{"emit_events": [{"type": "pki.cert.new", "data": {...}}]}`` stores events
(only of enabled types) and delivers them to the enabled webhooks subscribed
to them.
"""

import base64
import binascii
import collections
import copy
import datetime
import hashlib
import hmac
import http.client
import ipaddress
import json
import math
import re
import secrets
import ssl
import time
import unicodedata
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from .base import EmulatorApp, Response, TokenBucket, random_alnum

ERROR_MIME = 'application/vnd.hardenize.v1.error-response+json'
API_VERSION = '1.86.2'
HOST_STATUSES = ('monitored', 'idle', 'archived')
AXFR_VALUES = ('auto', 'enabled', 'disabled')
HOST_ORIGINS = ('cert', 'ct', 'hdb', 'manual')
TSIG_ALGORITHMS = ('HMAC_MD5', 'HMAC_SHA1', 'HMAC_SHA224', 'HMAC_SHA256', 'HMAC_SHA384', 'HMAC_SHA512')
GROUP_OPS = ('add', 'remove', 'set')
HOOK_TYPES = ('webhook', 'pubsub')
HOOK_STATUSES = ('enabled', 'disabled', 'failed')
HOST_PAGINATION = ('none', 'range', 'forced')
# Injected http_<status> faults the document lists as API answers (ErrorResponse body);
# others (504) are a gateway's plain answer.
API_FAULT_STATUSES = {429: 'Too many requests: the request allowance is exhausted',
                      500: 'Internal server error: request processing failed',
                      502: 'Bad gateway: the API is not currently available',
                      503: 'Service unavailable: unable to respond, possibly overloaded'}
# A request the token bucket refuses: what the document says to do about it ("Request Limits").
REFUSED_MESSAGE = ('Too many requests: the request allowance is exhausted; wait for a full minute, at which point '
                   'your burst allowance will be fully restored')
TEST_EVENT_TYPES = ('test', 'ct.entry', 'pki.cert.new')
TEST_INVALID = ('none', 'hookId', 'org', 'payload', 'signature')
# Every event type the emulated account knows: the document's Events section lists these two and no other (the
# hook test's ``test`` is not an event type). Which are available is the ``available_event_types`` knob; a type
# left out is unavailable, as on an account without that feature, so the 403 on enabling one can be tested with
# a real type rather than one of our own.
EVENT_TYPE_CATALOGUE = ('ct.entry', 'pki.cert.new')
USER_AGENT = 'Hardenize (https://www.hardenize.com)'
PUBSUB_DESTINATION = 'pubsub://events/1/1005'  # the managed destination of "List event destinations"
PUBSUB_PROJECT = 'hz-events-pubsub'
CERT_FILTERS = ('active', 'expired', 'expireInDays', 'host', 'limit', 'newSince', 'spkiSha256')
CT_POISON = x509.ObjectIdentifier('1.3.6.1.4.1.11129.2.4.3')  # marks a precertificate
_PEM_CERT = re.compile(r'-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----')
# A few public suffixes: a host name equal to one of these is not a
# registrable domain or a subdomain of one (the document: Public Suffix List).
PUBLIC_SUFFIXES = frozenset(['com', 'net', 'org', 'edu', 'gov', 'mil', 'int', 'info', 'biz', 'io', 'co', 'de',
                             'fr', 'eu', 'nl', 'ch', 'us', 'uk', 'co.uk', 'org.uk', 'ac.uk', 'gov.uk', 'example',
                             'test', 'invalid', 'localhost'])

# path template -> allowed methods (relative to /v1/org/<org>)
ROUTES = collections.OrderedDict([
    ('/hosts', ('GET', 'POST', 'DELETE')),
    ('/hosts/*', ('POST',)),
    ('/hosts/{hostname}', ('GET',)),
    ('/groups', ('GET', 'POST')),
    ('/groups/{id}', ('GET', 'POST', 'DELETE')),
    ('/eventHooks', ('GET', 'POST')),
    ('/eventHooks/{id}', ('POST', 'DELETE')),
    ('/eventHooks/{id};test', ('POST',)),
    ('/eventTypes', ('GET',)),
    ('/eventTypes/{name}', ('POST',)),
    ('/eventDestinations', ('GET',)),
    ('/events', ('GET',)),
    ('/events/{id}', ('GET',)),
    # Certificates: the reads, from the certificates the account holds (admin route ``add_certs``). The document's
    # writes (POST /certs, POST /certs/{sha256}) are not emulated: the collection uploads no certificate.
    ('/certs', ('GET',)),
    ('/certs/{sha256}', ('GET',)),
])
PREVIEW_ENDPOINTS = frozenset(['POST /hosts/*', 'DELETE /hosts'])
_ORG_PATH = re.compile(r'^/v1/org/([^/]*)(/.*)?$')
_LDH = re.compile(r'^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$')
_GROUP_ID_CHARS = re.compile(r'[^a-z0-9]+')
_RANGE = re.compile(r'^\s*pages\s*=\s*(\d+)\s*-\s*(\d+)\s*$')
_RFC3339 = re.compile(r'^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$')


class ApiError(Exception):
    """A Hardenize error answer (ErrorResponse)."""

    def __init__(self, status, message, param=None, headers=None, extra=None):
        super(ApiError, self).__init__(message)
        self.status = status
        self.errors = [dict({'param': param, 'message': message} if param else {'message': message})]
        self.errors.extend(extra or [])
        self.headers = dict(headers or {})


def error_response(status, errors, headers=None):
    return Response.json({'errors': errors}, status, headers, content_type=ERROR_MIME)


def rfc3339(when=None):
    """``2023-09-22T15:34:49.675Z`` (UTC, milliseconds)."""
    millis = int(round((time.time() if when is None else when) * 1000))
    stamp = datetime.datetime.fromtimestamp(millis // 1000, datetime.timezone.utc)
    return stamp.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (millis % 1000)


def parse_rfc3339(text):
    """Seconds since the epoch; ValueError when ``text`` is not an RFC 3339 date-time."""
    match = _RFC3339.match(text or '')
    if not match:
        raise ValueError(text)
    stamp = datetime.datetime.fromisoformat(text.replace('z', 'Z').replace('Z', '+00:00').replace('t', 'T'))
    return stamp.timestamp()


# -- host names ----------------------------------------------------------------
def _valid_unicode_label(label):
    for char in label:
        if ord(char) < 128:
            if not (char.isalnum() or char in '-_'):
                return False
        elif unicodedata.category(char)[0] in 'ZC':
            return False
    return True


def canonical_host(name):
    """(unicode, punycode) forms of a host name, canonicalised; ValueError when invalid.

    Lowercase, one trailing dot stripped, labels in Unicode (NFC) for
    ``hostname`` and in punycode (``xn--``) for ``punyHostname``.
    """
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValueError('not a host name')
    text = unicodedata.normalize('NFC', name[:-1] if name.endswith('.') else name).lower()
    labels = text.split('.')
    if len(labels) < 2 or any(not label for label in labels):
        raise ValueError('a host name needs at least two non-empty labels')
    uni, puny = [], []
    for label in labels:
        if label.isascii():
            if label.startswith('xn--'):
                try:
                    decoded = label[4:].encode('ascii').decode('punycode')
                except (UnicodeError, ValueError):
                    raise ValueError('invalid punycode label %s' % label) from None
                if not decoded or decoded.isascii() or not _valid_unicode_label(decoded) or \
                        'xn--' + decoded.encode('punycode').decode('ascii') != label:
                    raise ValueError('invalid punycode label %s' % label)
                uni.append(decoded)
            else:
                uni.append(label)
            puny.append(label)
        else:
            if not _valid_unicode_label(label):
                raise ValueError('invalid characters in %s' % label)
            uni.append(label)
            puny.append('xn--' + label.encode('punycode').decode('ascii'))
    ascii_name = '.'.join(puny)
    if len(ascii_name) > 253 or not all(_LDH.match(label) for label in puny):
        raise ValueError('invalid label or name too long')
    if puny[-1].isdigit() or puny[-1].startswith('_'):
        raise ValueError('invalid top-level label')
    if ascii_name in PUBLIC_SUFFIXES:
        raise ValueError('%s is a public suffix, not a registrable domain' % ascii_name)
    return '.'.join(uni), ascii_name


def is_registrable(puny):
    """True when ``puny`` is one label under a (known or last-label) public suffix."""
    labels = puny.split('.')
    for size in (2, 1):
        if len(labels) > size and '.'.join(labels[-size:]) in PUBLIC_SUFFIXES:
            return len(labels) == size + 1
    return len(labels) == 2


def in_tree(puny, parent):
    return puny == parent or puny.endswith('.' + parent)


def group_id_from_name(name, taken):
    base = _GROUP_ID_CHARS.sub('_', name.strip().lower()).strip('_') or 'group'
    candidate, number = base, 2
    while candidate in taken:
        candidate = '%s_%d' % (base, number)
        number += 1
    return candidate


class HardenizeApp(TokenBucket, EmulatorApp):
    """The Hardenize Organization API v1 for one organization (see the module docstring)."""

    name = 'hardenize'
    companions = ('receiver',)  # hook tests and event deliveries need an endpoint to reach
    default_config = {
        # The document's limits ("Request Limits": r: 57/60 (+1/1s); c: 1/5); other values are test settings.
        'rate_limit_enabled': True,  # false (not from the vendor): nothing is refused (the header is still sent)
        'rate_capacity': 60,  # token bucket size (burst)
        'rate_refill_per_second': 1.0,  # tokens added per second
        'max_concurrent': 5,  # requests in flight at once
        'processing_delay': 0.0,  # not from the vendor: seconds every admitted request takes (holds its slot)
        'retry_after_header': False,  # not from the vendor: 429s carry Retry-After (the document names none)
        'host_pagination': 'none',  # not from the vendor when on: GET /hosts none (Range ignored, 200 with every
                                    # host), range (Range honoured: 206/416), forced (no Range: 206 with page 1)
        'page_size': 100,  # hosts per page of GET /hosts when host_pagination is range or forced
        'new_host_status': 'monitored',  # the account rule for hosts created without a status
        'default_axfr': 'auto',  # axfr of hosts created without one (the document: auto)
        'pubsub_enabled': False,  # PubSub delivery enabled for the account (else 403, and no event destination)
        'available_event_types': ['ct.entry', 'pki.cert.new'],  # subset of EVENT_TYPE_CATALOGUE; the others: 403
        'hook_timeout': 10.0,  # seconds for a webhook delivery (test or event)
    }
    _RATE_KEYS = ('rate_limit_enabled', 'rate_capacity', 'rate_refill_per_second', 'max_concurrent')

    def __init__(self):
        self.org = self.credential('HARDENIZE_ORG', lambda: 'emu-' + random_alnum(8).lower())
        self.user = self.credential('HARDENIZE_API_USER', lambda: 'svc-' + random_alnum(10).lower())
        self.password = self.credential('HARDENIZE_API_PASSWORD', lambda: random_alnum(24))
        self.ca_path = None  # set by the harness: the CA deliveries are verified against
        self.init_bucket()
        self.in_flight = 0
        self.previews = collections.Counter()
        super(HardenizeApp, self).__init__()
        self.pubsub_credentials = self._pubsub_credentials()  # after __init__: it registers a secret

    # -- base hooks ----------------------------------------------------------
    def reset_state(self):
        self.hosts = {}  # punycode -> host record (with the TSIG key)
        self.groups = collections.OrderedDict()  # id -> group
        self.hooks = collections.OrderedDict()  # id -> hook
        self.event_types_enabled = dict((name, False) for name in EVENT_TYPE_CATALOGUE)
        self.events = []
        self.certs = collections.OrderedDict()  # sha256 -> certificate record (add_certs)
        self.next_event_id = 10001
        self.deliveries = []  # outcomes of event deliveries (not tests)
        self.reset_bucket()

    def endpoint_key(self, request):
        template = self.template(request.path)
        match = _ORG_PATH.match(request.path)
        key = '%s %s' % (request.method, template or (match.group(2) or '/' if match else request.path))
        # Previews are counted here, the one place that sees every request before a fault.
        if key in PREVIEW_ENDPOINTS and self._is_preview(request):
            with self._counter_lock:
                self.previews[key] += 1
        return key

    def is_write(self, key):
        method = key.split(' ', 1)[0]
        return method not in ('GET', 'HEAD') and not key.endswith(';test')

    def counter_report(self):
        report = super(HardenizeApp, self).counter_report()
        with self._counter_lock:
            previews = dict(self.previews)
        report['writes'] -= sum(previews.values())
        report['previews'] = previews
        return report

    def reset_counters(self):
        super(HardenizeApp, self).reset_counters()
        with self._counter_lock:
            self.previews.clear()

    def configure(self, values):
        if not isinstance(values, dict):
            raise ValueError('the config must be a JSON object')
        values = dict(values)
        emit = values.pop('emit_events', None)
        with self.lock:
            before = copy.deepcopy(self.config)
            config = super(HardenizeApp, self).configure(values)
            try:
                self._check_config(config)
            except ValueError:
                self.config = before
                raise
            if any(before[k] != config[k] for k in self._RATE_KEYS):
                self.reset_bucket()
        if emit is not None:
            self.emit_events(emit)
        return copy.deepcopy(self.config)

    @staticmethod
    def _check_config(config):
        for key in ('rate_capacity', 'max_concurrent', 'page_size'):
            if config[key] < 1:
                raise ValueError('%s must be at least 1' % key)
        for key in ('rate_refill_per_second', 'hook_timeout'):
            if config[key] <= 0:
                raise ValueError('%s must be positive' % key)
        if config['processing_delay'] < 0:
            raise ValueError('processing_delay must not be negative')
        if config['host_pagination'] not in HOST_PAGINATION:
            raise ValueError('host_pagination must be one of %s' % ', '.join(HOST_PAGINATION))
        if config['new_host_status'] not in HOST_STATUSES:
            raise ValueError('new_host_status must be one of %s' % ', '.join(HOST_STATUSES))
        if config['default_axfr'] not in AXFR_VALUES:
            raise ValueError('default_axfr must be one of %s' % ', '.join(AXFR_VALUES))
        unknown = [t for t in config['available_event_types'] if t not in EVENT_TYPE_CATALOGUE]
        if unknown:
            raise ValueError('unknown event types %s; known: %s' % (', '.join(map(str, unknown)), ', '.join(EVENT_TYPE_CATALOGUE)))

    def dump_state(self):
        with self._rate_lock:
            bucket = {'tokens': self._tokens_now(), 'capacity': self.config['rate_capacity'], 'inFlight': self.in_flight}
        return {
            'org': self.org,
            'hosts': [copy.deepcopy(self.hosts[k]) for k in sorted(self.hosts)],
            'groups': [copy.deepcopy(g) for g in self.groups.values()],
            'eventHooks': [copy.deepcopy(h) for h in self.hooks.values()],
            'eventTypes': self.event_type_list(),
            'events': copy.deepcopy(self.events),
            'deliveries': copy.deepcopy(self.deliveries),
            'certs': [self.cert_view(c) for c in self.certs.values()],
            'rate': bucket,
        }

    def credentials(self):
        # The password, and the derived form a client sends: base64(user:password) of the Basic header.
        basic = base64.b64encode(('%s:%s' % (self.user, self.password)).encode('utf-8')).decode('ascii')
        return {self.password, basic}

    def fault_http_response(self, status, fault, request):
        """Injected 429/500/502/503: an ErrorResponse with X-Request-Allowance, as the API answers; 504: generic."""
        if status not in API_FAULT_STATUSES:
            return None
        headers = {}
        if status == 429 and self.config['retry_after_header']:
            headers['Retry-After'] = str(fault['retry_after'])
        with self._rate_lock:
            # The faulted request is in flight too (the server answers it before handle() counts it): the API counts
            # a request in the "c:" part of its own answer, so c: is 1/5 for a request alone, as for a real one.
            headers['X-Request-Allowance'] = self._allowance(self.in_flight + 1)
        return error_response(status, [{'message': API_FAULT_STATUSES[status]}], headers)

    def env(self):
        return {
            'HARDENIZE_API_URL': self.base_url,
            'HARDENIZE_ORG': self.org,
            'HARDENIZE_API_USER': self.user,
            'HARDENIZE_API_PASSWORD': self.password,
        }

    # -- routing ---------------------------------------------------------------
    @staticmethod
    def template(path):
        """The route template of an API path (any org label), or None."""
        match = _ORG_PATH.match(path)
        if not match:
            return None
        rel = (match.group(2) or '/').rstrip('/') or '/'
        parts = rel.split('/')[1:]
        if not parts or not parts[0]:
            return None
        head = parts[0]
        if len(parts) == 1:
            return '/' + head if '/' + head in ROUTES else None
        if len(parts) != 2 or not parts[1]:
            return None
        item, dummy, action = parts[1].partition(';')
        if not item:
            return None
        if head == 'hosts':
            if parts[1] == '*':
                return '/hosts/*'
            return '/hosts/{hostname}' + (';' + action if action else '')
        names = {'groups': '{id}', 'eventHooks': '{id}', 'eventTypes': '{name}', 'events': '{id}', 'certs': '{sha256}'}
        if head not in names:
            return None
        return '/%s/%s%s' % (head, names[head], ';' + action if action else '')

    @staticmethod
    def _is_preview(request):
        try:
            body = request.json()
        except ValueError:
            return False
        return isinstance(body, dict) and body.get('preview') is True

    # -- rate limits -----------------------------------------------------------
    def _allowance(self, in_flight):
        config = self.config
        tokens = self._tokens_now() if config['rate_limit_enabled'] else config['rate_capacity']
        refill = '%g' % config['rate_refill_per_second']
        return 'r: %d/%d (+%s/1s); c: %d/%d' % (int(math.floor(tokens)), config['rate_capacity'], refill,
                                                in_flight, config['max_concurrent'])

    def _admit(self):
        """(refusal ApiError or None, X-Request-Allowance) for a request already counted in flight."""
        with self._rate_lock:
            config = self.config
            self._tokens_now()
            refusal = None
            if config['rate_limit_enabled']:
                # Retry-After only with the knob: the document says to wait a full minute and names no header.
                if self.in_flight > config['max_concurrent']:
                    refusal = ApiError(429, 'Too many concurrent requests (%d in flight, at most %d allowed)'
                                       % (self.in_flight, config['max_concurrent']),
                                       headers={'Retry-After': '1'} if config['retry_after_header'] else None)
                else:
                    seconds = self._take_token()
                    if seconds:
                        # The document's advice ("Request Limits"), not the seconds until the next token: those are
                        # only in the Retry-After of the retry_after_header knob (not from the vendor).
                        wait = max(1, int(math.ceil(seconds)))
                        refusal = ApiError(429, REFUSED_MESSAGE, headers={'Retry-After': str(wait)}
                                           if config['retry_after_header'] else None)
            return refusal, self._allowance(self.in_flight)

    # -- request handling ------------------------------------------------------------
    def handle(self, request):
        with self._rate_lock:
            self.in_flight += 1
        try:
            response = self._handle(request)
        finally:
            with self._rate_lock:
                self.in_flight -= 1
        return response

    def _handle(self, request):
        allowance = None
        try:
            match = _ORG_PATH.match(request.path)
            if not match:
                raise ApiError(404, 'Not found: %s is not an API endpoint' % request.path)
            if not self._authenticated(request):
                raise ApiError(401, 'Authentication required: invalid or missing credentials',
                               headers={'WWW-Authenticate': 'Basic realm="Hardenize"'})
            if urllib.parse.unquote(match.group(1)) != self.org:
                raise ApiError(404, 'Organization not found: %s' % urllib.parse.unquote(match.group(1)))
            refusal, allowance = self._admit()
            if refusal is not None:
                raise refusal
            if self.config['processing_delay']:
                time.sleep(self.config['processing_delay'])
            template = self.template(request.path)
            if template is None or template not in ROUTES:
                raise ApiError(404, 'Not found: no endpoint %s' % (match.group(2) or '/'))
            if request.method not in ROUTES[template]:
                raise ApiError(405, 'Method %s not allowed on %s' % (request.method, template),
                               headers={'Allow': ', '.join(ROUTES[template])})
            item = urllib.parse.unquote((match.group(2) or '').rstrip('/').split('/')[-1].split(';')[0])
            response = self._route(request, template, item)
        except ApiError as exc:
            response = error_response(exc.status, exc.errors, exc.headers)
        if allowance is None:
            with self._rate_lock:
                allowance = self._allowance(self.in_flight)
        response.headers['X-Request-Allowance'] = allowance
        return response

    def _authenticated(self, request):
        header = request.headers.get('Authorization') or ''
        scheme, dummy, value = header.partition(' ')
        if scheme.lower() != 'basic':
            return False
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode('utf-8')
        except (binascii.Error, ValueError):
            return False
        user, sep, password = decoded.partition(':')
        return bool(sep) and hmac.compare_digest(user.encode(), self.user.encode()) and \
            hmac.compare_digest(password.encode(), self.password.encode())

    def _route(self, request, template, item):
        handlers = {
            ('GET', '/hosts'): self.list_hosts,
            ('POST', '/hosts'): self.create_hosts,
            ('DELETE', '/hosts'): self.delete_hosts,
            ('POST', '/hosts/*'): self.update_hosts,
            ('GET', '/groups'): self.list_groups,
            ('POST', '/groups'): self.create_group,
            ('GET', '/eventHooks'): self.list_hooks,
            ('POST', '/eventHooks'): self.create_hook,
            ('GET', '/eventTypes'): self.list_event_types,
            ('GET', '/eventDestinations'): self.list_destinations,
            ('GET', '/events'): self.list_events,
            ('GET', '/certs'): self.list_certs,
        }
        if (request.method, template) in handlers:
            return handlers[(request.method, template)](request)
        item_handlers = {
            ('GET', '/hosts/{hostname}'): self.get_host,
            ('GET', '/groups/{id}'): self.get_group,
            ('POST', '/groups/{id}'): self.update_group,
            ('DELETE', '/groups/{id}'): self.delete_group,
            ('POST', '/eventHooks/{id}'): self.update_hook,
            ('DELETE', '/eventHooks/{id}'): self.delete_hook,
            ('POST', '/eventHooks/{id};test'): self.test_hook,
            ('POST', '/eventTypes/{name}'): self.update_event_type,
            ('GET', '/events/{id}'): self.get_event,
            ('GET', '/certs/{sha256}'): self.get_cert,
        }
        return item_handlers[(request.method, template)](request, item)

    # -- input helpers -------------------------------------------------------------
    @staticmethod
    def body(request, allowed, required=()):
        """The JSON object body; 400 for non-JSON, non-objects, unknown or missing fields."""
        if request.body.strip() and 'json' not in request.content_type:
            raise ApiError(400, 'Content-Type must be application/json')
        try:
            body = request.json()
        except ValueError:
            raise ApiError(400, 'Request body is not valid JSON') from None
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise ApiError(400, 'Request body must be a JSON object')
        for field in body:
            if field not in allowed:
                raise ApiError(400, 'Unknown field', param=field)
        for field in required:
            if body.get(field) is None:
                raise ApiError(400, 'Field is required', param=field)
        return body

    @staticmethod
    def boolean(body, field, default, param=None):
        value = body.get(field, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise ApiError(400, 'Must be true or false', param=param or field)
        return value

    @staticmethod
    def query_bool(request, field, default):
        if field not in request.query:
            return default
        value = request.query[field].lower()
        if value not in ('true', 'false'):
            raise ApiError(400, 'Must be true or false', param=field)
        return value == 'true'

    @staticmethod
    def query_int(request, field, minimum):
        """An integer query parameter of at least ``minimum`` (None when absent); 400 naming it otherwise."""
        if field not in request.query:
            return None
        value = request.query[field]
        if not re.match(r'^[0-9]{1,9}$', value) or int(value) < minimum:
            raise ApiError(400, 'Must be an integer of at least %d' % minimum, param=field)
        return int(value)

    @staticmethod
    def choice(value, choices, param):
        if value not in choices:
            raise ApiError(400, 'Invalid value %r; expected one of: %s' % (value, ', '.join(choices)), param=param)
        return value

    @staticmethod
    def string_list(value, param, allow_empty=True):
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ApiError(400, 'Must be a list of non-empty strings', param=param)
        if not value and not allow_empty:
            raise ApiError(400, 'Must not be empty', param=param)
        return value

    def hostnames(self, value, param='hostnames'):
        """Canonical (unicode, puny) pairs of a hostnames list, duplicates removed; 400 listing invalid names."""
        self.string_list(value, param, allow_empty=False)
        result, invalid = collections.OrderedDict(), []
        for name in value:
            try:
                uni, puny = canonical_host(name)
            except ValueError:
                invalid.append(name)
                continue
            result[puny] = uni
        if invalid:
            raise ApiError(400, 'Invalid host names: %s' % ', '.join(invalid), param=param)
        return result

    def axfr_host(self, value, param):
        if not isinstance(value, str):
            raise ApiError(400, 'Must be a host name or an IP address', param=param)
        if value == '':
            return None
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            pass
        try:
            return canonical_host(value)[1]
        except ValueError:
            raise ApiError(400, 'Must be a host name or an IP address', param=param) from None

    def tsig(self, value, param, current=None):
        """A full TSIG dict from ``value`` (merged over ``current``); None removes it."""
        if value is None:
            return None
        if not isinstance(value, dict):
            raise ApiError(400, 'Must be an object with name, algorithm and key', param=param)
        for field in value:
            if field not in ('name', 'algorithm', 'key'):
                raise ApiError(400, 'Unknown field', param='%s.%s' % (param, field))
        merged = dict(current or {})
        merged.update((k, v) for k, v in value.items() if v is not None)
        for field in ('name', 'algorithm', 'key'):
            if not isinstance(merged.get(field), str) or not merged[field].strip():
                raise ApiError(400, 'Field is required', param='%s.%s' % (param, field))
        self.choice(merged['algorithm'], TSIG_ALGORITHMS, '%s.algorithm' % param)
        try:
            if not base64.b64decode(merged['key'], validate=True):
                raise ValueError('empty')
        except (binascii.Error, ValueError):
            raise ApiError(400, 'TSIG key must be Base64-encoded', param='%s.key' % param) from None
        self.remember_secret(merged['key'])  # a key the API holds and never returns
        return {'name': merged['name'], 'algorithm': merged['algorithm'], 'key': merged['key']}

    # -- hosts ---------------------------------------------------------------------
    def host_view(self, record):
        host = {
            'hostname': record['hostname'],
            'punyHostname': record['punyHostname'],
            'createdOn': record['createdOn'],
            'status': record['status'],
            'axfr': record['axfr'],
        }
        if record.get('axfrHost'):
            host['axfrHost'] = record['axfrHost']
        if record.get('axfrTsig'):
            host['axfrTsig'] = {'algorithm': record['axfrTsig']['algorithm'], 'name': record['axfrTsig']['name']}
        registrable = is_registrable(record['punyHostname'])
        host.update({'origin': record['origin'], 'nx': False, 'regRegistry': registrable, 'regPublic': registrable})
        if registrable:
            host['regNx'] = False
        host.update({'groups': list(record['groups']), 'tags': list(record['tags']), 'config': {}})
        return host

    def find_group(self, ref):
        """The group with id ``ref``, or whose name matches ``ref`` case-insensitively; None."""
        if ref in self.groups:
            return self.groups[ref]
        wanted = ref.strip().lower()
        for group in self.groups.values():
            if group['name'].strip().lower() == wanted:
                return group
        return None

    def ensure_groups(self, refs):
        """Group ids for ``refs``; unknown ones are created (not auto)."""
        ids = []
        for ref in refs:
            group = self.find_group(ref)
            if group is None:
                group = self._new_group(ref.strip(), False, [])
            if group['id'] not in ids:
                ids.append(group['id'])
        return ids

    def _new_group(self, name, auto, tags):
        group = {'id': group_id_from_name(name, self.groups), 'name': name, 'auto': auto, 'tags': list(tags)}
        self.groups[group['id']] = group
        return group

    def list_hosts(self, request):
        query = request.query
        for field in query:
            if field not in ('group', 'hostname', 'limit', 'origin', 'status', 'subdomains'):
                raise ApiError(400, 'Unknown parameter', param=field)
        subdomains = self.query_bool(request, 'subdomains', True)
        parent = None
        if 'hostname' in query:
            try:
                parent = canonical_host(query['hostname'])[1]
            except ValueError:
                raise ApiError(400, 'Invalid host name', param='hostname') from None
        if 'status' in query:
            self.choice(query['status'], HOST_STATUSES, 'status')
        if 'origin' in query:
            self.choice(query['origin'], HOST_ORIGINS, 'origin')
        limit = None
        if 'limit' in query:
            if not query['limit'].isdigit() or int(query['limit']) < 1:
                raise ApiError(400, 'Must be a positive integer', param='limit')
            limit = int(query['limit'])
        with self.lock:
            group_id = None
            if 'group' in query:
                group = self.find_group(query['group'])
                group_id = group['id'] if group else query['group']
            hosts = []
            for puny in sorted(self.hosts):
                record = self.hosts[puny]
                if parent and not (puny == parent or (subdomains and in_tree(puny, parent))):
                    continue
                if 'status' in query and record['status'] != query['status']:
                    continue
                if 'origin' in query and record['origin'] != query['origin']:
                    continue
                if group_id is not None and group_id not in record['groups']:
                    continue
                hosts.append(self.host_view(record))
        if limit is not None:
            hosts = hosts[:limit]
        return self.paginate(request, 'hosts', hosts)

    def paginate(self, request, key, rows):
        mode = self.config['host_pagination']
        if mode == 'none':  # the document does not say GET /hosts is paginated: Range is ignored
            return Response.json({key: rows})
        size = self.config['page_size']
        total = max(1, int(math.ceil(len(rows) / float(size))))
        wanted = request.headers.get('Range')
        if wanted is None or not wanted.strip().lower().startswith('pages'):
            if mode != 'forced':
                return Response.json({key: rows})
            first, last = 1, 1
        else:
            match = _RANGE.match(wanted.lower())
            if not match or int(match.group(1)) < 1 or int(match.group(1)) > int(match.group(2)) or int(match.group(1)) > total:
                raise ApiError(416, 'Range not satisfiable: %s (%d pages available)' % (wanted, total),
                               headers={'Content-Range': 'pages */%d' % total})
            first, last = int(match.group(1)), min(int(match.group(2)), total)
        page = rows[(first - 1) * size:last * size]
        return Response.json({key: page}, 206, {'Content-Range': 'pages %d-%d/%d' % (first, last, total)})

    def get_host(self, request, name):
        try:
            puny = canonical_host(name)[1]
        except ValueError:
            raise ApiError(400, 'Invalid host name', param='hostname') from None
        with self.lock:
            record = self.hosts.get(puny)
            if record is None:
                raise ApiError(404, 'Host not found: %s' % name)
            # The document's example wraps the single host in a list.
            return Response.json({'host': [self.host_view(record)]})

    def create_hosts(self, request):
        body = self.body(request, ('hostnames', 'status', 'axfr', 'axfrHost', 'axfrTsig', 'groups'), ('hostnames',))
        names = self.hostnames(body['hostnames'])
        status = body.get('status')
        if status is not None:
            self.choice(status, HOST_STATUSES, 'status')
        axfr = self.choice(body['axfr'], AXFR_VALUES, 'axfr') if body.get('axfr') is not None else None
        axfr_host = self.axfr_host(body['axfrHost'], 'axfrHost') if body.get('axfrHost') is not None else None
        tsig = self.tsig(body.get('axfrTsig'), 'axfrTsig')
        groups = self.string_list(body['groups'], 'groups') if body.get('groups') is not None else []
        with self.lock:
            group_ids = self.ensure_groups(groups)
            for puny, uni in names.items():
                record = self.hosts.get(puny)
                if record is None:
                    self.hosts[puny] = {
                        'hostname': uni, 'punyHostname': puny, 'createdOn': rfc3339(),
                        'status': status or self.config['new_host_status'],
                        'axfr': axfr or self.config['default_axfr'], 'axfrHost': axfr_host, 'axfrTsig': tsig,
                        'origin': 'manual', 'groups': list(group_ids), 'tags': [],
                    }
                    continue
                # Existing hosts: status and group membership as for new hosts, existing memberships kept.
                if status:
                    record['status'] = status
                record['groups'].extend(g for g in group_ids if g not in record['groups'])
        return Response.empty(204)

    def _targets(self, names, subdomains):
        """Punycode names of stored hosts matched by ``names`` (and their subdomains); unknown listed names."""
        matched, unknown = [], []
        for puny in names:
            hits = [h for h in self.hosts if h == puny or (subdomains and in_tree(h, puny))]
            if not hits:
                unknown.append(names[puny])
            matched.extend(h for h in hits if h not in matched)
        return sorted(matched), unknown

    def update_hosts(self, request):
        body = self.body(request, ('hostnames', 'preview', 'subdomains', 'changes'), ('hostnames',))
        names = self.hostnames(body['hostnames'])
        preview = self.boolean(body, 'preview', False)
        subdomains = self.boolean(body, 'subdomains', False)
        changes = body.get('changes') or {}
        if not isinstance(changes, dict):
            raise ApiError(400, 'Must be an object', param='changes')
        for field in changes:
            if field not in ('status', 'axfr', 'axfrHost', 'axfrTsig', 'groupOp', 'groups'):
                raise ApiError(400, 'Unknown field', param='changes.' + field)
        if changes.get('status') is not None:
            self.choice(changes['status'], HOST_STATUSES, 'changes.status')
        if changes.get('axfr') is not None:
            self.choice(changes['axfr'], AXFR_VALUES, 'changes.axfr')
        axfr_host = self.axfr_host(changes['axfrHost'], 'changes.axfrHost') if changes.get('axfrHost') is not None else None
        groups = self.string_list(changes['groups'], 'changes.groups') if changes.get('groups') is not None else None
        group_op = changes.get('groupOp')
        if group_op is not None:
            self.choice(group_op, GROUP_OPS, 'changes.groupOp')
        elif groups:
            raise ApiError(400, 'groupOp is required when groups are given', param='changes.groupOp')
        with self.lock:
            targets, unknown = self._targets(names, subdomains)
            if unknown:
                raise ApiError(400, 'Hosts not found: %s' % ', '.join(unknown), param='hostnames')
            # Validate every TSIG merge before changing anything.
            tsigs = {}
            if 'axfrTsig' in changes:
                for puny in targets:
                    tsigs[puny] = self.tsig(changes['axfrTsig'], 'changes.axfrTsig', self.hosts[puny].get('axfrTsig'))
            if not preview:
                group_ids = []
                if groups and group_op in ('add', 'set'):
                    group_ids = self.ensure_groups(groups)
                elif groups:
                    group_ids = [g['id'] for g in (self.find_group(ref) for ref in groups) if g]
                for puny in targets:
                    record = self.hosts[puny]
                    for field in ('status', 'axfr'):
                        if changes.get(field) is not None:
                            record[field] = changes[field]
                    if 'axfrHost' in changes and changes['axfrHost'] is not None:
                        record['axfrHost'] = axfr_host
                    if puny in tsigs:
                        record['axfrTsig'] = tsigs[puny]
                    if group_op == 'add':
                        record['groups'].extend(g for g in group_ids if g not in record['groups'])
                    elif group_op == 'remove':
                        record['groups'] = [g for g in record['groups'] if g not in group_ids]
                    elif group_op == 'set':
                        record['groups'] = list(group_ids)
            return Response.json({'hostnames': [self.hosts[p]['hostname'] for p in targets], 'preview': preview})

    def delete_hosts(self, request):
        body = self.body(request, ('hostnames', 'subdomains', 'preview'), ('hostnames',))
        names = self.hostnames(body['hostnames'])
        preview = self.boolean(body, 'preview', False)
        subdomains = self.boolean(body, 'subdomains', False)
        with self.lock:
            targets = self._targets(names, subdomains)[0]
            deleted = [self.hosts[p]['hostname'] for p in targets]
            if not preview:
                for puny in targets:
                    del self.hosts[puny]
        return Response.json({'hostnames': deleted, 'preview': preview})

    # -- groups --------------------------------------------------------------------
    def group_or_404(self, group_id):
        group = self.groups.get(group_id)
        if group is None:
            raise ApiError(404, 'Group not found: %s' % group_id)
        return group

    def name_taken(self, name, other_than=None):
        wanted = name.strip().lower()
        return any(g['name'].strip().lower() == wanted and g['id'] != other_than for g in self.groups.values())

    def list_groups(self, request):
        with self.lock:
            return Response.json({'groups': [copy.deepcopy(g) for g in self.groups.values()]})

    def create_group(self, request):
        body = self.body(request, ('name', 'auto', 'tags'), ('name',))
        name = body['name']
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, 'Must be a non-empty string', param='name')
        auto = self.boolean(body, 'auto', False)
        tags = self.string_list(body['tags'], 'tags') if body.get('tags') is not None else []
        if tags and not auto:
            raise ApiError(400, 'Tags can only be set on auto-groups', param='tags')
        with self.lock:
            if self.name_taken(name):
                raise ApiError(409, 'A group with this name already exists', param='name')
            group = self._new_group(name.strip(), auto, tags)
            return Response.json({'group': copy.deepcopy(group)}, 201)

    def get_group(self, request, group_id):
        with self.lock:
            return Response.json({'group': copy.deepcopy(self.group_or_404(group_id))})

    def update_group(self, request, group_id):
        body = self.body(request, ('name', 'tags'))
        if not body:
            raise ApiError(400, 'Provide at least one field to update (name, tags)')
        if 'name' in body and (not isinstance(body['name'], str) or not body['name'].strip()):
            raise ApiError(400, 'Must be a non-empty string', param='name')
        tags = self.string_list(body['tags'], 'tags') if 'tags' in body else None
        with self.lock:
            group = self.group_or_404(group_id)
            if tags and not group['auto']:
                raise ApiError(400, 'Tags can only be set on auto-groups', param='tags')
            if 'name' in body and self.name_taken(body['name'], other_than=group_id):
                raise ApiError(409, 'A group with this name already exists', param='name')
            if 'name' in body:
                group['name'] = body['name'].strip()
            if tags is not None:
                group['tags'] = list(tags)
        return Response.empty(204)

    def delete_group(self, request, group_id):
        force = self.query_bool(request, 'force', False)
        with self.lock:
            self.group_or_404(group_id)
            users = [h for h in self.hosts.values() if group_id in h['groups']]
            if users and not force:
                raise ApiError(400, 'Group in use by %d host(s); use force=true to delete it anyway' % len(users))
            for record in users:
                record['groups'].remove(group_id)
            del self.groups[group_id]
        return Response.empty(204)

    # -- event types ---------------------------------------------------------------
    def event_type_view(self, name):
        available = name in self.config['available_event_types']
        return {'name': name, 'available': available, 'enabled': available and self.event_types_enabled[name]}

    def event_type_list(self):
        return [self.event_type_view(name) for name in EVENT_TYPE_CATALOGUE]

    def list_event_types(self, request):
        with self.lock:
            return Response.json({'eventTypes': self.event_type_list()})

    def update_event_type(self, request, name):
        body = self.body(request, ('enabled',), ('enabled',))
        enabled = self.boolean(body, 'enabled', None)
        with self.lock:
            if name not in EVENT_TYPE_CATALOGUE:
                raise ApiError(404, 'Event type not found: %s' % name)
            if name not in self.config['available_event_types']:
                raise ApiError(403, 'Event type %s is not available in this account' % name)
            self.event_types_enabled[name] = enabled
            return Response.json({'eventType': self.event_type_view(name)})

    # -- event hooks ---------------------------------------------------------------
    def hook_or_404(self, hook_id):
        hook = self.hooks.get(hook_id)
        if hook is None:
            raise ApiError(404, 'Event hook not found: %s' % hook_id)
        return hook

    def check_event_types(self, value, param='eventTypes'):
        self.string_list(value, param, allow_empty=False)
        unknown = [t for t in value if t not in EVENT_TYPE_CATALOGUE]
        if unknown:
            raise ApiError(400, 'Unknown event types: %s' % ', '.join(unknown), param=param)
        return list(dict.fromkeys(value))

    def check_destination(self, hook_type, value):
        if not isinstance(value, str) or not value:
            raise ApiError(400, 'Field is required', param='destination')
        if hook_type == 'webhook':
            split = urllib.parse.urlsplit(value)
            if split.scheme.lower() != 'https' or not split.hostname:
                raise ApiError(400, 'Webhook destination must be an HTTPS URL', param='destination')
        elif value not in [d['destinationId'] for d in self.destinations()]:
            raise ApiError(400, 'PubSub destination must be one listed by GET /eventDestinations', param='destination')
        return value

    def list_hooks(self, request):
        with self.lock:
            return Response.json({'eventHooks': [copy.deepcopy(h) for h in self.hooks.values()]})

    def create_hook(self, request):
        body = self.body(request, ('hookType', 'eventTypes', 'status', 'destination'), ('hookType', 'eventTypes', 'destination'))
        hook_type = self.choice(body['hookType'], HOOK_TYPES, 'hookType')
        event_types = self.check_event_types(body['eventTypes'])
        # CreateEventHookRequest.status: "Initial status for this hook. Default: disabled."
        status = self.choice(body['status'], HOOK_STATUSES, 'status') if body.get('status') is not None else 'disabled'
        if hook_type == 'pubsub' and not self.config['pubsub_enabled']:
            raise ApiError(403, 'PubSub delivery is not enabled for this account')
        destination = self.check_destination(hook_type, body['destination'])
        hook = {'id': secrets.token_hex(16), 'hookType': hook_type, 'eventTypes': event_types, 'status': status,
                'destination': destination, 'secret': self.remember_secret(secrets.token_hex(16))}
        with self.lock:
            self.hooks[hook['id']] = hook
            return Response.json({'eventHook': copy.deepcopy(hook)})

    def update_hook(self, request, hook_id):
        body = self.body(request, ('eventTypes', 'destination', 'status'))
        with self.lock:
            hook = self.hook_or_404(hook_id)
            if not any(body.get(f) is not None for f in ('eventTypes', 'destination', 'status')):
                raise ApiError(400, 'Provide at least one field to update (eventTypes, destination, status)')
            event_types = self.check_event_types(body['eventTypes']) if body.get('eventTypes') is not None else None
            destination = self.check_destination(hook['hookType'], body['destination']) \
                if body.get('destination') is not None else None
            status = self.choice(body['status'], HOOK_STATUSES, 'status') if body.get('status') is not None else None
            if event_types is not None:
                hook['eventTypes'] = event_types
            if destination is not None:
                hook['destination'] = destination
            if status is not None:
                hook['status'] = status
            return Response.json({'eventHook': copy.deepcopy(hook)})

    def delete_hook(self, request, hook_id):
        with self.lock:
            self.hook_or_404(hook_id)
            del self.hooks[hook_id]
        return Response.empty(204)

    def test_hook(self, request, hook_id):
        for field in request.query:
            if field not in ('eventType', 'invalid'):
                raise ApiError(400, 'Unknown parameter', param=field)
        event_type = self.choice(request.query.get('eventType') or 'test', TEST_EVENT_TYPES, 'eventType')
        invalid = self.choice(request.query.get('invalid') or 'none', TEST_INVALID, 'invalid')
        with self.lock:
            hook = copy.deepcopy(self.hook_or_404(hook_id))
        event = {'id': 0, 'createdOn': rfc3339(), 'type': event_type, 'data': mock_event_data(event_type)}
        if hook['hookType'] == 'pubsub':
            return Response.json(self.pubsub_transcript(hook, event))
        return Response.json(self.deliver(hook, event, invalid))

    def pubsub_transcript(self, hook, event):
        body = json.dumps(event, separators=(',', ':'))
        stamp = int(time.time() * 1000)
        return {'successful': True, 'durationMillis': 1, 'pubsub': {
            'destination': hook['destination'], 'message': body, 'messageId': str(secrets.randbelow(10 ** 15)),
            'attributes': {'X-Hardenize-EventHookId': hook['id'], 'X-Hardenize-Org': self.org,
                           'X-Hardenize-Signature': signature_header(hook['secret'], stamp, body.encode('utf-8'))}}}

    def deliver(self, hook, event, invalid='none'):
        """POST ``event`` to a webhook as Hardenize does; the TestEventHookResponse transcript."""
        body = json.dumps(event, separators=(',', ':')).encode('utf-8')
        if invalid == 'payload':
            body = body[:-7]  # cut: not JSON any more (and signed as sent)
        stamp = int(time.time() * 1000)
        signature = signature_header(hook['secret'], stamp, body)
        if invalid == 'signature':
            signature = signature_header(secrets.token_hex(16), stamp, body)
        headers = collections.OrderedDict([
            ('Content-Type', 'application/json; charset=UTF-8'),
            ('User-Agent', USER_AGENT),
            ('X-Hardenize-EventHookId', secrets.token_hex(16) if invalid == 'hookId' else hook['id']),
            ('X-Hardenize-Org', self.org + '-other' if invalid == 'org' else self.org),
            ('X-Hardenize-Signature', signature),
        ])
        url = hook['destination']
        transcript = {'request': {'method': 'POST', 'url': url, 'headers': dict(headers), 'body': body.decode('utf-8')}}
        started = time.monotonic()
        error = None
        try:
            transcript['response'] = self._post(url, headers, body)
        except (OSError, ssl.SSLError, http.client.HTTPException, ValueError) as exc:
            error = 'Delivery failed: %s: %s' % (type(exc).__name__, exc)
        result = {'successful': False, 'durationMillis': int((time.monotonic() - started) * 1000)}
        if error is None:
            status = transcript['response']['statusCode']
            if invalid != 'none':  # a broken submission must be refused: "we expect a 400 in return"
                result['successful'] = status == 400
                error = None if status == 400 else 'Expected 400 status code, got %d' % status
            else:  # TestEventHookResponse.successful: "the status code must be in the 2xx range"
                result['successful'] = 200 <= status < 300
                error = None if result['successful'] else 'Expected 2xx status code, got %d' % status
        if error:
            result['errorMessage'] = error
        result['webook'] = transcript  # sic: the document's name for the webhook transcript
        return result

    def _post(self, url, headers, body):
        split = urllib.parse.urlsplit(url)
        context = ssl.create_default_context(cafile=self.ca_path) if self.ca_path else ssl.create_default_context()
        conn = http.client.HTTPSConnection(split.hostname, split.port or 443, timeout=self.config['hook_timeout'],
                                           context=context)
        try:
            target = (split.path or '/') + ('?' + split.query if split.query else '')
            conn.request('POST', target, body=body, headers=dict(headers))
            answer = conn.getresponse()
            data = answer.read()
            return {'statusCode': answer.status, 'headers': dict(answer.getheaders()),
                    'body': data.decode('utf-8', 'replace')}
        finally:
            conn.close()

    # -- event destinations ---------------------------------------------------------
    def _pubsub_credentials(self):
        """The subscriber credentials of the account's PubSub destination: a service account key as a JSON string,
        shaped like the document's example (its private key registered as a secret)."""
        key_body = base64.b64encode(secrets.token_bytes(96)).decode('ascii')
        self.remember_secret(key_body)
        client = 'ep-1-1005@%s.iam.gserviceaccount.com' % PUBSUB_PROJECT
        return json.dumps({
            'type': 'service_account', 'auth_uri': 'https://accounts.google.com/o/oauth2/auth',
            'client_id': str(secrets.randbelow(10 ** 15)), 'token_uri': 'https://oauth2.googleapis.com/token',
            'project_id': PUBSUB_PROJECT,
            'private_key': '-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n' % key_body,
            'client_email': client, 'private_key_id': secrets.token_hex(20),
            'client_x509_cert_url': 'https://www.googleapis.com/robot/v1/metadata/x509/'
                                    + urllib.parse.quote(client, safe=''),
            'auth_provider_x509_cert_url': 'https://www.googleapis.com/oauth2/v1/certs'})

    def destinations(self):
        """The managed event destinations ("List event destinations"): the account's PubSub subscription when PubSub
        delivery is enabled for it ("configured manually and enabled on a case-by-case basis"), else none."""
        if not self.config['pubsub_enabled']:
            return []
        return [collections.OrderedDict([
            ('destinationId', PUBSUB_DESTINATION), ('type', 'pubsub'), ('project', PUBSUB_PROJECT),
            ('topic', 'projects/%s/topics/ep-1-1005' % PUBSUB_PROJECT), ('subscription', 'ep-1-1005'),
            ('subscriberCredentials', self.pubsub_credentials)])]

    def list_destinations(self, request):
        with self.lock:
            return Response.json({'eventDestinations': self.destinations()})

    # -- certificates ----------------------------------------------------------------
    def add_certs(self, body):
        """Admin route ``POST /_emulator/add_certs {"pem": "<PEM certificates>", "origin": "manual"}``: the
        certificates of a PEM chain join the account (as "Create certificate" would add them: the leaf and its
        intermediates); each new one is a ``pki.cert.new`` event ("New certificate [...] added to the account, from
        any source"). Answers ``{"added": [sha256...], "known": [sha256...]}``."""
        if not isinstance(body, dict) or not isinstance(body.get('pem'), str):
            raise ValueError('add_certs takes {"pem": "<PEM certificates>", "origin": "%s"}' % '|'.join(HOST_ORIGINS))
        origin = body.get('origin', 'manual')
        if origin not in HOST_ORIGINS:
            raise ValueError('origin must be one of %s' % ', '.join(HOST_ORIGINS))
        blocks = _PEM_CERT.findall(body['pem'])
        if not blocks:
            raise ValueError('pem holds no -----BEGIN CERTIFICATE----- block')
        parsed = []
        for block in blocks:
            try:
                parsed.append(x509.load_pem_x509_certificate(block.encode('ascii')))
            except ValueError as exc:
                raise ValueError('not a certificate: %s' % str(exc).splitlines()[0]) from None
        added, known = [], []
        with self.lock:
            for cert in parsed:
                record = cert_record(cert, origin)
                if record['sha256'] in self.certs:
                    known.append(record['sha256'])
                    continue
                self.certs[record['sha256']] = record
                added.append(record['sha256'])
            views = [self.cert_view(self.certs[sha]) for sha in added]
        self.emit_events([{'type': 'pki.cert.new', 'data': view} for view in views])
        return Response.json({'added': added, 'known': known})

    def admin_action(self, method, route, body):
        if (method, route) == ('POST', 'add_certs'):
            return self.add_certs(body)
        return None

    def cert_view(self, record):
        """A Certificate object: the fields the emulator can tell from the certificate and its own state."""
        view = dict((k, v) for k, v in record.items() if not k.startswith('_'))
        now = time.time()
        view['active'] = record['_not_before'] <= now <= record['_not_after']
        view['matchesOrgHost'] = any(self._host_matches(h) for h in record['hosts'])
        return view

    def _host_matches(self, name):
        """Whether a certificate name covers a host of the account (a wildcard covers the hosts one label below)."""
        name = name.lower().rstrip('.')
        if name.startswith('*.'):
            parent = name[2:]
            return any(h.split('.', 1)[-1] == parent for h in self.hosts)
        return name in self.hosts

    def list_certs(self, request):
        query = request.query
        for field in query:
            if field not in CERT_FILTERS:
                raise ApiError(400, 'Unknown parameter', param=field)
        active = self.query_bool(request, 'active', None)
        expired = self.query_bool(request, 'expired', None)
        expire_in = self.query_int(request, 'expireInDays', 0)
        limit = self.query_int(request, 'limit', 1)
        since = None
        if 'newSince' in query:
            try:
                since = parse_rfc3339(query['newSince'])
            except ValueError:
                raise ApiError(400, 'Must be an RFC 3339 date-time', param='newSince') from None
        host = None
        if 'host' in query:
            try:
                host = canonical_host(query['host'])[1]
            except ValueError:
                raise ApiError(400, 'Invalid host name', param='host') from None
        now = time.time()
        with self.lock:
            certs = []
            for record in self.certs.values():
                view = self.cert_view(record)
                if active is not None and view['active'] != active:
                    continue
                if expired is not None and (record['_not_after'] < now) != expired:
                    continue
                if expire_in is not None and record['_not_after'] > now + expire_in * 86400:
                    continue
                if since is not None and record['_added'] <= since:
                    continue
                if host is not None and not cert_covers(record['hosts'], host):
                    continue
                if 'spkiSha256' in query and record['spkiSha256'] != query['spkiSha256'].lower():
                    continue
                certs.append(view)
        return Response.json({'certs': certs[:limit] if limit is not None else certs})

    def get_cert(self, request, sha256):
        with self.lock:
            record = self.certs.get(sha256.lower())
            if record is None:
                raise ApiError(404, 'Certificate not found: %s' % sha256)
            return Response.json({'cert': self.cert_view(record)})

    # -- events --------------------------------------------------------------------
    def event_view(self, event):
        view = dict(event)
        view['data'] = json.dumps(event['data'], separators=(',', ':'))  # Event.data is a string
        return view

    def list_events(self, request):
        query = request.query
        for field in query:
            if field not in ('since', 'type', 'limit'):
                raise ApiError(400, 'Unknown parameter', param=field)
        since = None
        if 'since' in query:
            try:
                since = int(round(parse_rfc3339(query['since']) * 1000))
            except ValueError:
                raise ApiError(400, 'Must be an RFC 3339 date-time', param='since') from None
        limit = 100
        if 'limit' in query:
            if not query['limit'].isdigit() or not 1 <= int(query['limit']) <= 100:
                raise ApiError(400, 'Must be an integer between 1 and 100', param='limit')
            limit = int(query['limit'])
        with self.lock:
            events = [e for e in self.events if (since is None or e['_ms'] > since)
                      and ('type' not in query or e['type'] == query['type'])]
            return Response.json({'events': [self.event_view(strip_private(e)) for e in events[:limit]]})

    def get_event(self, request, event_id):
        if not event_id.isdigit():
            raise ApiError(400, 'Must be an integer', param='id')
        with self.lock:
            for event in self.events:
                if event['id'] == int(event_id):
                    return Response.json({'event': self.event_view(strip_private(event))})
        raise ApiError(404, 'Event not found: %s' % event_id)

    def emit_events(self, specs):
        """Admin action: store events of enabled types and deliver them to enabled webhooks."""
        if not isinstance(specs, list) or not all(isinstance(s, dict) and s.get('type') in EVENT_TYPE_CATALOGUE for s in specs):
            raise ValueError('emit_events must be a list of {"type": <%s>, "data": {...}}' % '|'.join(EVENT_TYPE_CATALOGUE))
        stored = []
        with self.lock:
            for spec in specs:
                if not self.event_type_view(spec['type'])['enabled']:
                    continue
                now_ms = int(time.time() * 1000)
                event = {'id': self.next_event_id, 'type': spec['type'], 'createdOn': rfc3339(now_ms / 1000.0),
                         'apiVersion': API_VERSION, 'data': spec.get('data') or mock_event_data(spec['type']), '_ms': now_ms}
                self.next_event_id += 1
                self.events.append(event)
                stored.append(event)
            hooks = [copy.deepcopy(h) for h in self.hooks.values()
                     if h['status'] == 'enabled' and h['hookType'] == 'webhook']
        for event in stored:
            payload = {'id': event['id'], 'createdOn': event['createdOn'], 'type': event['type'], 'data': event['data']}
            for hook in hooks:
                if event['type'] in hook['eventTypes']:
                    outcome = self.deliver(hook, payload)
                    with self.lock:
                        self.deliveries.append({'eventId': event['id'], 'hookId': hook['id'],
                                                'successful': outcome['successful'],
                                                'errorMessage': outcome.get('errorMessage')})
        return [e['id'] for e in stored]


def strip_private(event):
    return dict((k, v) for k, v in event.items() if not k.startswith('_'))


def _dn(name):
    """A distinguished name as the document's examples write it: most specific first, ", " between the parts."""
    return ', '.join(attribute.rfc4514_string() for rdn in reversed(name.rdns) for attribute in rdn)


def _first(name, oid):
    values = name.get_attributes_for_oid(oid)
    return values[0].value if values else None


def cert_covers(hosts, host):
    """"Valid for the specified host, either because they contain the exact hostname or because they are wildcards
    and contain the parent hostname" (List certificates, ``host``)."""
    parent = host.split('.', 1)[-1]
    return any(h == host or (h.startswith('*.') and h[2:] == parent) for h in hosts)


def cert_record(cert, origin):
    """The stored form of a certificate the account holds: Certificate fields plus private ``_`` keys."""
    der = cert.public_bytes(serialization.Encoding.DER)
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        alg, size = 'RSA', key.key_size
        strength = 112 if size < 3072 else 128 if size < 7680 else 192 if size < 15360 else 256
    elif isinstance(key, ec.EllipticCurvePublicKey):
        alg, size = 'EC', key.curve.key_size
        strength = size // 2
    else:
        alg, size, strength = type(key).__name__.replace('PublicKey', '').upper(), 0, 0
    # The signature's algorithm (the issuer's key), named as the document's example names it (ECDSAwithSHA256).
    digest = cert.signature_hash_algorithm.name.upper().replace('-', '') if cert.signature_hash_algorithm else ''
    oid = cert.signature_algorithm_oid.dotted_string
    if oid.startswith('1.2.840.10045.'):
        sig_alg = 'ECDSAwith' + digest
    elif oid.startswith('1.2.840.113549.1.1.'):
        sig_alg = 'RSAwith' + digest  # the document's values: RSAwithSHA256, ECDSAwithSHA256, ...
    else:
        sig_alg = oid  # neither RSA nor ECDSA: the emulator never issues one; the OID says what it is
    try:
        sans = [n.lower() for n in cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)]
    except x509.ExtensionNotFound:
        sans = []
    common = _first(cert.subject, NameOID.COMMON_NAME)
    hosts = sans or ([common.lower()] if common else [])
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        path_len = (constraints.path_length if constraints.path_length is not None else -1) if constraints.ca else -1
    except x509.ExtensionNotFound:
        path_len = -1
    try:
        cert.extensions.get_extension_for_oid(CT_POISON)
        precert = True
    except x509.ExtensionNotFound:
        precert = False
    not_before = cert.not_valid_before_utc.timestamp()
    not_after = cert.not_valid_after_utc.timestamp()
    now = time.time()
    serial = '%x' % cert.serial_number
    return collections.OrderedDict([
        ('sha256', hashlib.sha256(der).hexdigest()),
        ('tbsSha256', hashlib.sha256(cert.tbs_certificate_bytes).hexdigest()),
        ('subject', _dn(cert.subject)), ('serial', serial if len(serial) % 2 == 0 else '0' + serial),
        ('issuer', _dn(cert.issuer)),
        ('issuerCa', _first(cert.issuer, NameOID.ORGANIZATION_NAME) or _first(cert.issuer, NameOID.COMMON_NAME) or ''),
        ('validation', 'ov' if _first(cert.subject, NameOID.ORGANIZATION_NAME) else 'dv'),
        ('notBefore', rfc3339(not_before)), ('notAfter', rfc3339(not_after)), ('effectiveNotAfter', rfc3339(not_after)),
        ('revokedOn', None),  # required; "if available": the emulator knows of no revocation
        ('keyAlg', alg), ('keyLen', size), ('keyStrength', strength), ('sigAlg', sig_alg),
        ('spkiSha256', hashlib.sha256(key.public_bytes(serialization.Encoding.DER,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)).hexdigest()),
        ('hosts', hosts), ('sanCount', len(sans)), ('caPathLen', path_len),
        ('wildcard', any(h.startswith('*.') for h in hosts)), ('selfSigned', cert.subject == cert.issuer),
        ('firstSeen', rfc3339(now)), ('lastSeen', rfc3339(now)), ('seenInstalled', False), ('active', False),
        ('precert', precert), ('duplicate', False), ('managed', False), ('ownership', 'own'),
        ('matchesOrgHost', False),
        ('ctLogs', []),  # required; one entry per CT log observation: the emulator watches no CT log
        ('pem', base64.b64encode(der).decode('ascii')), ('origin', origin),
        ('_added', now), ('_not_before', not_before), ('_not_after', not_after)])


def signature_header(secret, stamp_ms, body):
    digest = hmac.new(secret.encode('utf-8'), str(stamp_ms).encode('ascii') + b';' + body, hashlib.sha256).hexdigest()
    return 't=%d; hmac-sha256=%s' % (stamp_ms, digest)


def mock_event_data(event_type):
    """Event data for test deliveries, shaped like the document's examples."""
    if event_type == 'ct.entry':
        return {'log': 'ct.googleapis.com/icarus', 'index': 251676662, 'timestamp': 1538747492396,
                'sha256': '7b72bbe8b7faeea24d9bd8ded5f057114a14ad503b33022b54b16603a8b074b7',
                'tbsSha256': '3b5893340f0b241c599b27a8e74a13177d5ba6e87f30f6fc5ddc2c3f069e6546', 'precert': False,
                'subject': 'CN=www.example.com', 'issuer': "C=US, O=Let's Encrypt, CN=Let's Encrypt Authority X3",
                'hosts': ['example.com'], 'chain': [], 'matchedHosts': ['example.com']}
    if event_type == 'pki.cert.new':  # a Certificate object: the fields a consumer tells certificates apart by
        return {'sha256': '572908a23e5765a5e64fe06c775075133879ff9eed6e7135ced12e124edeca34',
                'tbsSha256': '7d63c93bbbf6d4f7aa492963dccd1ff14b35257b8eca4d912faa0ac1883a92da',
                'subject': 'CN=www.example.com', 'serial': 'd0e65b67fe58f4a5d649cfaa3bb3c2fb',
                'issuer': "C=US, O=Let's Encrypt, CN=R3", 'issuerCa': "Let's Encrypt", 'validation': 'dv',
                'notBefore': '2026-01-01T00:00:00.000Z', 'notAfter': '2026-04-01T00:00:00.000Z',
                'hosts': ['www.example.com'], 'sanCount': 1, 'caPathLen': -1, 'wildcard': False, 'selfSigned': False,
                'precert': False, 'duplicate': False, 'managed': False, 'ownership': 'own', 'matchesOrgHost': True,
                'origin': 'ct'}
    return {'message': 'This is a webhook test.'}
