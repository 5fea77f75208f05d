# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Vendor-neutral base of the API emulators: request/response, app, HTTPS server, faults.

Writing a new vendor emulator
-----------------------------
1. Subclass :class:`EmulatorApp` in ``tests/emulators/<vendor>.py``:

   - ``name``: the vendor name (``hardenize``); env vars of the harness use it
     upper-cased (``EMULATOR_HARDENIZE_ADMIN``).
   - ``endpoint_key(request)``: the counter/fault key of a request, e.g.
     ``"dnsAddA"`` or ``"GET /hosts"``. Keep it stable: tests assert on it.
   - ``write_endpoints`` (or override ``is_write(key)``): keys that change state;
     ``GET /_emulator/counters`` sums them as ``writes``.
   - ``handle(request)``: return a :class:`Response`. It may run on several
     threads at once: guard state with ``self.lock``.
   - ``reset_state()``: (re)build the initial state; called by ``__init__`` and
     ``reset()``.
   - ``default_config``: knobs for ``POST /_emulator/config`` (``BASE_CONFIG``'s
     ``echo_requests`` is added to every app; validated by
     ``configure``; override it for actions or custom checks).
   - ``fault_kinds`` (or ``is_fault_kind(kind)``) + ``fault_response(kind,
     request)``: vendor faults beyond the generic ones (e.g. ``expired_session``);
     return a Response, or ``CLOSE`` to drop the connection.
   - ``dump_state()``: JSON-able state for ``GET /_emulator/state``.
   - ``env()``: the environment variables a client needs (URL, credentials);
     use ``self.base_url`` (set by the harness) and ``self.credential()``.
   - ``insecure_response(request)``: answer to plain HTTP on the HTTPS port.
   - ``credentials()``: the secrets the app was started with (API keys,
     passwords); every secret it hands out or is given later (session tokens,
     hook secrets, keys) goes through ``remember_secret(value)``. ``secrets()``
     is the union of both and survives ``reset()``: the integration tests grep
     every output for it.
   - ``fault_http_response(status, fault, request)``: the vendor's own shape
     of an injected ``http_*`` fault (e.g. its error MIME type); None keeps the
     generic text answer.
   - ``companions``: names of other apps the harness starts with this one
     (the Hardenize emulator brings the webhook receiver).
   - ``admin_action(method, route, body)``: the app's own admin routes
     (control calls such as ``POST /_emulator/approve``): ``route`` is the path
     after ``/_emulator/``, ``body`` the parsed JSON (``{}`` when empty);
     return a Response, or None for the generic 404. Tried after the generic
     routes; a ValueError is answered 400. Not counted, like the whole admin API.
   - ``world`` (set by the harness before the server starts): the other
     running apps, ``self.world.app('securityspace')`` (None when not running);
     see ``peer(name)``. Talk to another app through its read-only methods,
     never by changing its state.
2. Register it with one line in ``harness.APPS``.

Admin API (JSON, no auth, never counted), under ``/_emulator/``:
``GET counters`` -> ``{"counts": {key: n}, "total": n, "writes": n, "statuses": {"200": n, "closed": n},
"by_endpoint": {key: {"200": n, "429": n}}}``;
``POST reset`` (``{"counters_only": true}`` keeps state, config and faults);
``POST|GET|DELETE faults``; ``GET state``; ``GET|POST config``; ``GET errors``
(tracebacks of emulator bugs, which are also answered 500 and printed);
``GET secrets`` -> ``{"secrets": [...]}`` (``app.secrets()``, sorted); any
other route goes to ``app.admin_action`` (404 when it answers None).

Generic faults (``POST /_emulator/faults`` with ``endpoint`` (key or ``*``),
``kind``, ``count``, ``skip``, ``delay``, ``retry_after``) are applied by the
server before ``handle`` is called: http_429, http_500, http_502, http_503,
http_504, slow, timeout, drop, invalid_json answer without processing the
request (``slow`` processes it late). The ``*_after`` kinds process the request
first and then lose or spoil the answer, like a gateway that gives up after
the backend wrote: drop_after (connection closed), http_500_after,
http_502_after, http_503_after, http_504_after (that status, same body as the
plain kind) and invalid_json_after (same truncated body as invalid_json). There
is no http_429_after: a 429 promises the request was not processed. The
http_* kinds answer ``app.fault_http_response(status, fault, request)`` when
the app gives one, else a plain-text body (with ``Retry-After: <retry_after>``
on a 429). Every request that reaches the server is counted, faulted or not.
Plain HTTP on the HTTPS port is answered by ``insecure_response``.
"""

import collections
import copy
import json
import math
import os
import secrets
import socket
import ssl
import string
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer

ADMIN_PREFIX = '/_emulator'

# Kinds processed first, then answered as the kind they name (drop_after -> drop).
PROCESSED_FAULTS = {'drop_after': 'drop', 'http_500_after': 'http_500', 'http_502_after': 'http_502',
                    'http_503_after': 'http_503', 'http_504_after': 'http_504',
                    'invalid_json_after': 'invalid_json'}
GENERIC_FAULTS = ('http_429', 'http_500', 'http_502', 'http_503', 'http_504',
                  'slow', 'timeout', 'drop', 'drop_after', 'invalid_json',
                  'http_500_after', 'http_502_after', 'http_503_after', 'http_504_after', 'invalid_json_after')
_HTTP_FAULT_REASONS = {429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
                       503: 'Service Unavailable', 504: 'Gateway Timeout'}
CLOSE = object()  # "close the connection without answering"


class Headers(object):
    """Case-insensitive, read-only view of request headers."""

    def __init__(self, items=()):
        self._items = dict((k.lower(), v) for k, v in items)

    def get(self, name, default=None):
        return self._items.get(name.lower(), default)

    def __getitem__(self, name):
        return self._items[name.lower()]

    def __contains__(self, name):
        return name.lower() in self._items

    def items(self):
        return self._items.items()


class Request(object):
    """An HTTP request as an app sees it."""

    def __init__(self, method, target, headers=(), body=b'', client_address=('127.0.0.1', 0), secure=True):
        split = urllib.parse.urlsplit(target)
        self.method = method.upper()
        self.target = target
        self.path = split.path
        self.query = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        self.body = body or b''
        self.client_address = client_address
        self.secure = secure

    @property
    def content_type(self):
        """Media type without parameters, lower case ('' when absent)."""
        return (self.headers.get('Content-Type') or '').split(';')[0].strip().lower()

    def form(self):
        """The body as application/x-www-form-urlencoded; a repeated key keeps its last value (like PHP)."""
        text = self.body.decode('utf-8', 'replace')
        return dict(urllib.parse.parse_qsl(text, keep_blank_values=True))

    def json(self):
        """The body as JSON (None when empty); ValueError when it is not JSON."""
        if not self.body.strip():
            return None
        return json.loads(self.body.decode('utf-8'))


class Response(object):
    """An HTTP response; Content-Length is added when it is sent."""

    def __init__(self, status=200, headers=None, body=b''):
        self.status = status
        self.headers = dict(headers or {})
        self.body = body if isinstance(body, bytes) else body.encode('utf-8')

    @classmethod
    def json(cls, obj, status=200, headers=None, content_type='application/json'):
        merged = {'Content-Type': content_type}
        merged.update(headers or {})
        return cls(status, merged, json.dumps(obj).encode('utf-8'))

    @classmethod
    def empty(cls, status=204, headers=None):
        return cls(status, headers, b'')

    @classmethod
    def text(cls, text, status=200, headers=None):
        merged = {'Content-Type': 'text/plain; charset=utf-8'}
        merged.update(headers or {})
        return cls(status, merged, text)


class FaultQueue(object):
    """Pending faults; each one skips ``skip`` matching requests, then hits the next ``count``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []

    def add(self, fault):
        with self._lock:
            self._faults.append(fault)

    def clear(self):
        with self._lock:
            self._faults = []

    def pending(self):
        with self._lock:
            return [dict(f) for f in self._faults]

    def take(self, key, request=None):
        """The fault that applies to a request with endpoint ``key`` (or None); updates skip/count. A fault with
        ``match`` applies only to requests whose target (path and query) or body contains that text."""
        chosen = None
        with self._lock:
            for fault in self._faults:
                if fault['endpoint'] not in ('*', key):
                    continue
                if fault.get('match') and not _request_contains(request, fault['match']):
                    continue
                if fault['skip'] > 0:
                    fault['skip'] -= 1
                elif chosen is None:
                    chosen = dict(fault)
                    fault['count'] -= 1
            self._faults = [f for f in self._faults if f['count'] > 0]
        return chosen


def _request_contains(request, text):
    if request is None:
        return False
    return text in request.target or text.encode('utf-8') in (request.body or b'')


def parse_fault(body, app):
    """Validate an admin fault request; ValueError explains what is wrong."""
    if not isinstance(body, dict):
        raise ValueError('the body must be a JSON object')
    kind = body.get('kind')
    if not isinstance(kind, str) or (kind not in GENERIC_FAULTS and not app.is_fault_kind(kind)):
        raise ValueError('unknown fault kind %r; known: %s' % (kind, ', '.join(GENERIC_FAULTS + tuple(app.fault_kinds))))
    fault = {'endpoint': str(body.get('endpoint') or '*'), 'kind': kind}
    for field, default, convert, minimum in (('count', 1, int, 1), ('skip', 0, int, 0),
                                             ('delay', 2.0, float, 0), ('retry_after', 1, int, 0)):
        try:
            value = convert(body.get(field, default))
        except (TypeError, ValueError):
            raise ValueError('%s must be a number' % field) from None
        if value < minimum:
            raise ValueError('%s must be >= %s' % (field, minimum))
        fault[field] = value
    if body.get('match') is not None:
        if not isinstance(body['match'], str) or not body['match']:
            raise ValueError('match must be a non-empty string (text the request target or body contains)')
        fault['match'] = body['match']
    unknown = set(body) - set(fault)
    if unknown:
        raise ValueError('unknown fault fields: %s' % ', '.join(sorted(unknown)))
    return fault


def random_alnum(length):
    """A random string of ASCII letters and digits."""
    alphabet = string.ascii_letters + string.digits
    return ''.join(secrets.choice(alphabet) for dummy in range(length))


# Knobs every app takes, beside its own default_config.
BASE_CONFIG = {
    # A hostile (or badly configured) server: every answer echoes the request's headers and body, so the
    # suite's secret grep can prove that no credential, derived header or signature reaches any output.
    'echo_requests': False,
}


def echo_request(response, request):
    """``response`` with the request's headers and body appended: into a JSON object as ``echo``, else as text."""
    echo = {'headers': dict(request.headers.items()), 'body': request.body.decode('utf-8', 'replace'),
            'target': request.target}
    try:
        data = json.loads(response.body.decode('utf-8')) if response.body else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        data['echo'] = echo
        return Response(response.status, response.headers, json.dumps(data).encode('utf-8'))
    if response.status == 204:
        return response
    return Response(response.status, response.headers, response.body + b'\nrequest was: ' + json.dumps(echo).encode())


class TokenBucket(object):
    """A request-rate token bucket for an app whose config has ``rate_capacity`` and ``rate_refill_per_second``.

    Call :meth:`init_bucket` in ``__init__`` (before ``EmulatorApp.__init__``, whose ``reset_state`` may call
    :meth:`reset_bucket`). :meth:`_tokens_now` and :meth:`_take_token` expect ``_rate_lock`` to be held.
    """

    def init_bucket(self):
        self._rate_lock = threading.Lock()
        self.tokens = 0.0
        self.refilled_at = time.monotonic()

    def reset_bucket(self):
        """A full bucket."""
        with self._rate_lock:
            self.tokens = float(self.config['rate_capacity'])
            self.refilled_at = time.monotonic()

    def _tokens_now(self):
        """Refill the bucket up to now (call with _rate_lock held)."""
        now = time.monotonic()
        capacity = float(self.config['rate_capacity'])
        self.tokens = min(capacity, self.tokens + (now - self.refilled_at) * self.config['rate_refill_per_second'])
        self.refilled_at = now
        return self.tokens

    def _take_token(self):
        """Take a token (call with _rate_lock held): 0 when taken, else the seconds until one is there."""
        tokens = self._tokens_now()
        if tokens < 1:
            return (1 - tokens) / self.config['rate_refill_per_second']
        self.tokens -= 1
        return 0


class EmulatorApp(object):
    """One vendor's API: state, counters, config and faults (see the module docstring)."""

    name = 'generic'
    write_endpoints = frozenset()
    fault_kinds = ()
    default_config = {}
    companions = ()  # other apps the harness starts with this one

    def __init__(self):
        self.lock = threading.RLock()
        self.counters = collections.Counter()
        self.statuses = collections.Counter()
        self.endpoint_statuses = collections.defaultdict(collections.Counter)
        self._counter_lock = threading.Lock()
        self._secrets_lock = threading.Lock()
        self._known_secrets = set()  # every secret issued or received; reset() keeps it
        self.faults = FaultQueue()
        self.internal_errors = []
        self.base_url = None
        self.world = None  # set by the harness: the other running apps
        # Every app also takes the shared knobs of BASE_CONFIG (a hostile server that echoes requests).
        self.default_config = dict(BASE_CONFIG, **self.default_config)
        self.config = copy.deepcopy(self.default_config)
        self.reset_state()

    # -- to override -------------------------------------------------------
    def reset_state(self):
        """Build the initial vendor state."""

    def endpoint_key(self, request):
        raise NotImplementedError

    def handle(self, request):
        raise NotImplementedError

    def is_write(self, key):
        return key in self.write_endpoints

    def is_fault_kind(self, kind):
        """Whether ``kind`` is a vendor fault this app implements."""
        return kind in self.fault_kinds

    def fault_response(self, kind, request):
        """Answer for a vendor fault kind: a Response, or CLOSE; None when unknown."""
        return None

    def fault_http_response(self, status, fault, request):
        """The vendor's answer for an injected http_<status> fault; None: the generic text answer."""
        return None

    def credentials(self):
        """The secrets this app was started with (API keys, passwords)."""
        return set()

    def insecure_response(self, request):
        return Response.text('This server only speaks HTTPS.\n', 400)

    def dump_state(self):
        return {}

    def admin_action(self, method, route, body):
        """An app-specific admin route ``<method> /_emulator/<route>``: a Response, or None (no such route)."""
        return None

    def env(self):
        return {}

    # -- shared ------------------------------------------------------------
    @staticmethod
    def credential(env_name, generate):
        """The value of ``env_name`` when set, else ``generate()``."""
        return os.environ.get(env_name) or generate()

    def remember_secret(self, value):
        """Record a secret the app issued or was given (kept across resets); returns ``value``."""
        if isinstance(value, str) and value:
            with self._secrets_lock:
                self._known_secrets.add(value)
        return value

    def secrets(self):
        """Every credential the app was started with and every secret it issued or was given, resets included."""
        with self._secrets_lock:
            found = set(self._known_secrets)
        found.update(value for value in self.credentials() if isinstance(value, str) and value)
        return found

    def peer(self, name):
        """Another running app of the same harness (``self.world.app(name)``), or None."""
        return self.world.app(name) if self.world is not None else None

    def count(self, key):
        with self._counter_lock:
            self.counters[key] += 1

    def count_status(self, status, key=None):
        with self._counter_lock:
            self.statuses[str(status)] += 1
            if key is not None:
                self.endpoint_statuses[key][str(status)] += 1

    def counter_report(self):
        with self._counter_lock:
            counts = dict(self.counters)
            statuses = dict(self.statuses)
            by_endpoint = dict((key, dict(n)) for key, n in self.endpoint_statuses.items())
        return {'counts': counts, 'total': sum(counts.values()),
                'writes': sum(n for key, n in counts.items() if self.is_write(key)),
                'statuses': statuses, 'by_endpoint': by_endpoint}

    def reset_counters(self):
        with self._counter_lock:
            self.counters.clear()
            self.statuses.clear()
            self.endpoint_statuses.clear()

    def reset(self):
        """Back to the initial state, default config, zero counters, no faults."""
        with self.lock:
            self.config = copy.deepcopy(self.default_config)
            self.reset_state()
            self.reset_counters()
            self.faults.clear()
            self.internal_errors = []

    def configure(self, values):
        """Set known knobs (type-checked against the defaults); returns the effective config."""
        if not isinstance(values, dict):
            raise ValueError('the config must be a JSON object')
        with self.lock:
            updated = dict(self.config)
            for key, value in values.items():
                if key not in self.default_config:
                    raise ValueError('unknown config key %r; known: %s' % (key, ', '.join(sorted(self.default_config))))
                updated[key] = _coerce(key, value, self.default_config[key])
            self.config = updated
            return copy.deepcopy(self.config)


def _coerce(key, value, default):
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError('%s must be true or false' % key)
        return value
    if isinstance(default, (int, float)):
        try:
            if isinstance(value, bool):
                raise TypeError(value)
            number = float(value)
            if not math.isfinite(number):
                raise ValueError(value)
        except (TypeError, ValueError):
            raise ValueError('%s must be a number' % key) from None
        if isinstance(default, float):
            return number
        if number != int(number):
            raise ValueError('%s must be an integer' % key)
        return int(number)
    if isinstance(default, (list, dict)) and not isinstance(value, type(default)):
        raise ValueError('%s must be a JSON %s' % (key, 'array' if isinstance(default, list) else 'object'))
    return copy.deepcopy(value)


# -- the server ----------------------------------------------------------------
def _admin(app, request):
    """The admin API under /_emulator/."""
    route = (request.method, request.path[len(ADMIN_PREFIX):].strip('/'))
    try:
        body = request.json() if request.body.strip() else {}
        if route == ('GET', 'counters'):
            return Response.json(app.counter_report())
        if route == ('POST', 'reset'):
            if (body or {}).get('counters_only'):
                app.reset_counters()
                return Response.json({'reset': 'counters'})
            app.reset()
            return Response.json({'reset': 'all'})
        if route == ('POST', 'faults'):
            fault = parse_fault(body, app)
            app.faults.add(fault)
            return Response.json({'queued': fault, 'pending': app.faults.pending()})
        if route == ('GET', 'faults'):
            return Response.json({'pending': app.faults.pending()})
        if route == ('DELETE', 'faults'):
            app.faults.clear()
            return Response.json({'pending': []})
        if route == ('GET', 'state'):
            with app.lock:
                return Response.json(app.dump_state())
        if route == ('GET', 'config'):
            return Response.json(app.config)
        if route == ('POST', 'config'):
            return Response.json(app.configure(body or {}))
        if route == ('GET', 'errors'):
            return Response.json({'errors': list(app.internal_errors)})
        if route == ('GET', 'secrets'):
            return Response.json({'secrets': sorted(app.secrets())})
        answer = app.admin_action(route[0], route[1], body)
        if answer is not None:
            return answer
    except ValueError as exc:
        return Response.json({'error': str(exc)}, 400)
    return Response.json({'error': 'no admin route %s %s' % route}, 404)


def _apply_fault(app, fault, request, process):
    """The answer to a request hit by ``fault``: a Response or CLOSE."""
    kind = fault['kind']
    if kind == 'slow':
        time.sleep(fault['delay'])
        return process()
    if kind == 'timeout':
        time.sleep(fault['delay'])
        return CLOSE
    if kind in PROCESSED_FAULTS:
        process()  # the backend did the work; its answer is lost or spoilt on the way back
        kind = PROCESSED_FAULTS[kind]
    if kind == 'drop':
        return CLOSE
    if kind == 'invalid_json':
        return Response(200, {'Content-Type': 'application/json'}, b'{"status": "0", "truncat')
    if kind.startswith('http_'):
        status = int(kind[5:])
        answer = app.fault_http_response(status, fault, request)
        if answer is not None:
            return answer
        headers = {'Retry-After': str(fault['retry_after'])} if status == 429 else None
        return Response.text('Emulated fault: %d %s\n' % (status, _HTTP_FAULT_REASONS[status]), status, headers)
    answer = app.fault_response(kind, request)
    if answer is None:
        raise ValueError('app %s does not implement fault kind %s' % (app.name, kind))
    return answer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'DomainsecEmulator/1.0'
    timeout = 120  # idle keep-alive connections are closed after this

    def _read_body(self):
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get('Content-Length') or 0)
        if length < 0:
            raise ValueError('negative Content-Length')
        return self.rfile.read(length) if length else b''

    def _dispatch(self):
        app = self.server.app
        try:
            body = self._read_body()
        except ValueError as exc:
            self.close_connection = True
            self._send(Response.text('Bad request: %s\n' % exc, 400))
            return
        request = Request(self.command, self.path, self.headers.items(), body, self.client_address,
                          secure=self.server.is_secure(self.connection))
        if request.path == ADMIN_PREFIX or request.path.startswith(ADMIN_PREFIX + '/'):
            self._send(_admin(app, request))
            return
        key, answer = self._serve(app, request)
        if answer is CLOSE:
            app.count_status('closed', key)
            self.server.log('%s %s -> connection closed' % (request.method, request.target))
            self.close_connection = True
            return
        app.count_status(answer.status, key)
        self._send(answer)

    def _serve(self, app, request):
        """(counter key or None, the answer: a Response or CLOSE)."""
        key = None
        try:
            key = app.endpoint_key(request)
            app.count(key)
            fault = app.faults.take(key, request)

            def process():
                return app.handle(request) if request.secure else app.insecure_response(request)

            if fault is not None:
                self.server.log('fault %s on %s' % (fault['kind'], key))
                answer = _apply_fault(app, fault, request, process)
            else:
                answer = process()
            if app.config.get('echo_requests') and isinstance(answer, Response):
                answer = echo_request(answer, request)
            return key, answer
        except Exception:  # a bug in an app: answer 500, keep it visible
            trace = traceback.format_exc()
            app.internal_errors.append(trace)
            sys.stderr.write('emulator %s: internal error on %s %s\n%s' % (app.name, request.method, request.target, trace))
            return key, Response.text('Emulator internal error (see GET /_emulator/errors)\n', 500)

    def _send(self, response):
        self.send_response(response.status)
        headers = dict(response.headers)
        if response.status not in (204, 304):
            headers['Content-Length'] = str(len(response.body))
        if self.close_connection:
            headers['Connection'] = 'close'
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != 'HEAD' and response.status not in (204, 304):
            self.wfile.write(response.body)
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        self.server.log('%s %s' % (self.address_string(), format % args))


class EmulatorServer(ThreadingHTTPServer):
    """HTTPS server for one app. Plain HTTP on the same port reaches ``app.insecure_response``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, app, ssl_context, log_path=None):
        self.app = app
        self.ssl_context = ssl_context
        self.log_path = log_path
        self._log_lock = threading.Lock()
        self._connections = set()
        self._conn_lock = threading.Lock()
        self._thread = None
        super(EmulatorServer, self).__init__(address, _Handler)

    def server_bind(self):
        # HTTPServer.server_bind calls socket.getfqdn(), which can be slow; skip it.
        TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    @property
    def port(self):
        return self.server_address[1]

    def is_secure(self, connection):
        return isinstance(connection, ssl.SSLSocket)

    def log(self, line):
        if not self.log_path:
            return
        with self._log_lock:
            with open(self.log_path, 'a', encoding='utf-8') as handle:
                handle.write('%s %s\n' % (time.strftime('%H:%M:%S'), line))

    def finish_request(self, request, client_address):
        conn = request
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle delay between header and body
            request.settimeout(10)
            first = request.recv(1, socket.MSG_PEEK)
            if not first:
                return
            if first == b'\x16':  # a TLS handshake record
                conn = self.ssl_context.wrap_socket(request, server_side=True)
            conn.settimeout(None)
        except (OSError, ssl.SSLError) as exc:
            self.log('%s: TLS/connect failure: %s' % (client_address[0], exc))
            return
        with self._conn_lock:
            self._connections.add(conn)
        try:
            self.RequestHandlerClass(conn, client_address, self)
        except (ConnectionError, ssl.SSLError, socket.timeout) as exc:
            self.log('%s: connection ended: %s' % (client_address[0], exc))
        finally:
            with self._conn_lock:
                self._connections.discard(conn)
            if conn is not request:
                conn.close()

    def start(self):
        self._thread = threading.Thread(target=self.serve_forever, kwargs={'poll_interval': 0.05},
                                        name='emulator-%s' % self.app.name, daemon=True)
        self._thread.start()

    def stop(self):
        self.shutdown()
        self.server_close()
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already gone
        if self._thread is not None:
            self._thread.join(5)


def server_ssl_context(ca, hosts=('127.0.0.1', 'localhost')):
    """A TLS server context with a certificate for ``hosts`` issued by the trustme ``ca``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(*hosts).configure_cert(context)
    return context
