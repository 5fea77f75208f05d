# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hardenize_webhook: an ansible-rulebook event source for Hardenize event hooks (webhooks).

Serves HTTPS with asyncio streams and the standard library's ssl module,
verifies every delivery with the collection's own signature code
(plugins/module_utils/hardenize_signature.py) and puts one event per accepted
delivery on the queue. See DOCUMENTATION below and docs/eda.md.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio
import collections
import datetime
import json
import logging
import os
import re
import ssl
import sys
import tempfile
import time
import traceback
import urllib.parse

DOCUMENTATION = r'''
---
short_description: Receive Hardenize event hook deliveries (webhooks) and verify their signature
description:
  - An ansible-rulebook event source that serves the destination of a Hardenize event hook of type C(webhook) over
    HTTPS, verifies each delivery and puts one event per delivery on the queue.
  - A delivery is accepted (C(204 No Content), as Hardenize requires) only when its C(X-Hardenize-Signature) header is
    the HMAC-SHA256 of C(<t>;<body>) with one of the configured secrets, its timestamp C(t) is at most O(max_age)
    seconds away from now, and the body is a JSON event object. When O(org) or O(hook_id) are set, the
    C(X-Hardenize-Org) and C(X-Hardenize-EventHookId) headers must match too.
  - Answers C(400) to a delivery that does not verify (missing, malformed, stale or wrong signature, unknown
    organization or hook, body that is not a JSON event) - never a 2xx - and puts nothing on the queue; C(405) to any
    method but C(POST); C(413) to a body larger than O(max_body_size); C(404) to another path than O(path) when it is
    set. Hardenize's hook test (C(POST /eventHooks/{id};test)) therefore succeeds with a valid submission (204) and with
    each of its C(invalid) submissions (400; C(invalid=hookId) and C(invalid=org) need O(hook_id) and O(org)).
  - "The event is C({hardenize: {id, type, created_on, api_version, host, hosts, data, org, hook_id, test},
    meta: {received_at, signature_age}}): C(data) is the event data, parsed when Hardenize sends it as a JSON string;
    C(hosts) are the event's matched hosts (C(matchedHosts)), else its C(hosts), and C(host) the first of them;
    C(test) is true for Hardenize's test deliveries, which carry event id 0. No secret and no request header other
    than the organization and hook id is put in the event."
  - A delivery of an event id already put on the queue within O(dedup_window) seconds (Hardenize retries a delivery
    it believes failed) is answered 204 and not put again. Test deliveries (id 0) are never treated as duplicates.
    The seen ids are kept in memory, so a delivery retried after a restart of the source is queued again, unless
    O(seen_ids_file) keeps them in a file across restarts.
  - Runs until cancelled. Keep-alive connections are supported, as Hardenize asks of a receiver.
options:
  host:
    description: The address to listen on.
    type: str
    default: 0.0.0.0
  port:
    description: The TCP port to listen on (V(0) picks a free port, which is logged).
    type: int
    required: true
  path:
    description:
      - Accept deliveries only at this URL path (for example a long random path, as the Hardenize document suggests);
        other paths get C(404). Not set, every path is accepted.
    type: str
  secret:
    description:
      - The event hook's secret (returned by M(domainsec.onboard.hardenize_event_hook) with C(return_secret=true)).
      - O(secret), O(secrets) or both must be given; all of them are accepted.
    type: str
  secrets:
    description:
      - Several secrets, any of which is accepted - for a rotation, the old and the new hook's secret until the old
        hook is deleted.
    type: list
    elements: str
  org:
    description:
      - The organization label; when set, a delivery whose C(X-Hardenize-Org) differs is refused (400).
    type: str
  hook_id:
    description:
      - The event hook id, or a list of them; when set, a delivery whose C(X-Hardenize-EventHookId) is not one of them
        is refused (400).
    type: list
    elements: str
  max_age:
    description:
      - Largest accepted distance, in seconds, between the signature's timestamp and now (replay window, in either
        direction for clock skew). V(0) switches the check off, which allows replays.
    type: int
    default: 300
  max_body_size:
    description:
      - Largest accepted request body in bytes; a larger one is answered C(413) without being read. Hardenize events
        are a few kilobytes.
    type: int
    default: 1048576
  dedup_window:
    description:
      - Seconds during which a delivery of an event id already put on the queue is acknowledged (204) without being
        put again. At most 10000 ids are remembered. V(0) switches de-duplication off.
      - Without O(seen_ids_file) the ids are remembered in memory only, and a delivery that Hardenize retries after a
        restart of the source is queued again.
    type: int
    default: 86400
  seen_ids_file:
    description:
      - Keep the seen event ids in this file too, so that de-duplication holds across restarts. The file is read at
        start (ids older than O(dedup_window) are dropped) and rewritten atomically (a temporary file in the same
        directory, renamed over it) right after an event is queued - at most once a second - and when the source
        stops; an id queued less than a second before a crash can be missing from it.
      - "The file is JSON: C({\"format\": \"hardenize_webhook seen ids\", \"version\": 1, \"window\": <dedup_window>,
        \"ids\": [[<key>, <unix time>], ...]}), oldest first, at most 10000 ids (a few hundred kilobytes); a key is
        the JSON text of C([<X-Hardenize-Org>, <event id>]). A file that is not such a file is logged and replaced."
      - Its directory must exist and be writable; the source fails at start when it cannot write the file.
        Not used with O(dedup_window=0). Not set, the ids are kept in memory only.
    type: path
  tls:
    description:
      - Serve HTTPS with O(certfile) and O(keyfile). V(false) serves plain HTTP, only for a TLS-terminating proxy in
        front or a test; Hardenize itself only delivers to C(https://) destinations.
    type: bool
    default: true
  certfile:
    description: The server certificate (PEM), followed by its chain; required when O(tls=true).
    type: str
  keyfile:
    description: The certificate's private key (PEM); not needed when O(certfile) holds the key too.
    type: str
notes:
  - Requests are read with limits - 16 KiB per request or header line, 100 header fields, 75 seconds for the request
    line and header fields once a request has begun (keep-alive connections idle for 75 seconds are closed), 30
    seconds for the body and 30 more to queue the event.
  - "Status codes: 204 accepted (or duplicate), 400 refused delivery or malformed request, 404 wrong path, 405 method
    not POST, 408 request not received in time, 413 body too large, 415 Content-Type not JSON, 431 header fields too
    large, 500 unexpected failure, 503 the event could not be queued in time, 505 HTTP version not 1.0 or 1.1. Every
    request that is read gets an answer; after a malformed one the connection is closed."
  - Text from a request (method, path, header names, event id and type, and the values of the header fields the
    source reads - C(Content-Length), C(Transfer-Encoding), C(Content-Type), C(X-Hardenize-Org),
    C(X-Hardenize-EventHookId)) is logged escaped - control characters, line and paragraph separators and bytes that
    are not UTF-8 as C(\xNN), C(\uNNNN), C(\r), C(\n) - so a request cannot forge a log line. No other header value,
    and not the configured O(path), is logged.
'''

EXAMPLES = r'''
- name: Certificate events from Hardenize
  hosts: all
  sources:
    - domainsec.onboard.hardenize_webhook:
        host: 0.0.0.0
        port: 8443
        path: /hardenize/3b9e0d1c7a
        certfile: /etc/eda/tls/hooks.example.com.pem
        keyfile: /etc/eda/tls/hooks.example.com.key
        org: "{{ HARDENIZE_ORG }}"
        hook_id: "{{ HARDENIZE_HOOK_ID }}"
        secret: "{{ HARDENIZE_HOOK_SECRET }}"
        max_age: 300
  rules:
    - name: Print every certificate event
      condition: event.hardenize.type == "pki.cert.new"
      action:
        print_event:
          pretty: true

# Rotation: accept the old and the new hook's secret until the old hook is gone.
- name: Behind a TLS-terminating proxy
  hosts: all
  sources:
    - domainsec.onboard.hardenize_webhook:
        host: 127.0.0.1
        port: 8080
        tls: false
        secrets:
          - "{{ HARDENIZE_HOOK_SECRET_OLD }}"
          - "{{ HARDENIZE_HOOK_SECRET }}"
  rules:
    - name: Print Hardenize's test deliveries
      condition: event.hardenize.test == true
      action:
        print_event:
'''


def _import_signature_code():
    """The collection's verifier; also when the plugin is run by path (runpy) outside the collection loader."""
    try:
        from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize_signature
        return hardenize_signature
    except ImportError:
        # ansible-rulebook loads sources with runpy.run_path from
        # <root>/ansible_collections/domainsec/onboard/extensions/eda/plugins/event_source/; put <root> on sys.path.
        directory = os.path.dirname(os.path.abspath(globals().get('__file__') or '.'))
        while os.path.basename(directory) != 'ansible_collections' and os.path.dirname(directory) != directory:
            directory = os.path.dirname(directory)
        root = os.path.dirname(directory)
        if os.path.basename(directory) != 'ansible_collections' or root in sys.path:
            raise
        sys.path.insert(0, root)
        from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize_signature
        return hardenize_signature


hardenize_signature = _import_signature_code()

logger = logging.getLogger(__name__)

LINE_LIMIT = 16384  # bytes per request line or header line (also the stream buffer)
MAX_HEADERS = 100
REQUEST_TIMEOUT = 30.0  # seconds, after the header fields, to receive the body; as many again to queue the event
IDLE_TIMEOUT = 75.0  # seconds to receive a request's line and header fields (a keep-alive connection's idle time)
LINGER_TIMEOUT = 2.0  # seconds to wait for the client's end after a closing answer, so the answer is not reset
LINGER_IDLE = 0.5  # seconds without input that end that wait early (a TLS client that keeps its end open)
LINGER_BYTES = 262144  # bytes of an unread body discarded, at most, during that wait
DEDUP_CAPACITY = 10000
SEEN_IDS_FORMAT = 'hardenize_webhook seen ids'
SEEN_IDS_SAVE_INTERVAL = 1.0  # seconds between two writes of seen_ids_file, at most one write per interval
SHUTDOWN_TIMEOUT = 5.0
LOG_TEXT_LIMIT = 120  # characters of request text in one log line
REASONS = {204: 'No Content', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed',
           408: 'Request Timeout', 413: 'Content Too Large', 415: 'Unsupported Media Type',
           431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 503: 'Service Unavailable',
           505: 'HTTP Version Not Supported'}
KNOWN_ARGS = ('host', 'port', 'path', 'secret', 'secrets', 'org', 'hook_id', 'max_age', 'max_body_size',
              'dedup_window', 'seen_ids_file', 'tls', 'certfile', 'keyfile')
_TOKEN = re.compile(r'[!#$%&\'*+\-.^_`|~0-9A-Za-z]+\Z')  # RFC 9110 5.6.2: a method or a field name
_VERSION = re.compile(r'HTTP/([0-9])\.([0-9])\Z')
_DIGITS = re.compile(r'[0-9]+\Z')  # ASCII digits only (str.isdigit() also takes '\xb2', int() does not)
_CHUNK_SIZE = re.compile(rb'[0-9A-Fa-f]{1,16}\Z')
_FIELD_VALUE_BAD = re.compile(r'[\x00-\x08\x0a-\x1f\x7f]')  # controls but HTAB (bare CR, NUL, ESC, DEL...)
_TARGET_BAD = re.compile(r'[^\x21-\x7e]')  # a request target is visible ASCII (RFC 9112 3.2, RFC 3986)
_LOG_NAMED = {'\\': '\\\\', '\r': '\\r', '\n': '\\n', '\t': '\\t'}
_TRUE = ('true', 'yes', 'on', '1')
_FALSE = ('false', 'no', 'off', '0')


class HttpError(Exception):
    """An answer other than 204; ``close`` when the connection cannot be reused (body not read).

    The message is a short constant text (the answer's body and the log line); ``detail`` is the offending request
    text, which only the log line shows, escaped.
    """

    def __init__(self, status, message, close=False, headers=None, detail=None):
        super(HttpError, self).__init__(message)
        self.status = status
        self.close = close
        self.headers = headers or {}
        self.detail = detail  # request text for the log line only (escaped there), not for the answer


def escape_for_log(value, limit=LOG_TEXT_LIMIT):
    """Request text (str or bytes) as one log-safe line: every character that is not printable escaped.

    Backslash, CR, LF and TAB become ``\\\\``, ``\\r``, ``\\n``, ``\\t``; other controls (NUL, ESC, DEL, C1 such
    as NEL), format characters (bidi overrides) and line or paragraph separators (U+2028, U+2029) become
    ``\\xNN``/``\\uNNNN``; bytes that are not UTF-8 become ``\\xNN``. So a request can never start a log line of
    its own or rewrite one on a terminal. Longer than ``limit`` characters, the text is cut and ends with ``...``.
    Every log line of this source that carries text from a request passes it through here.
    """
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode('utf-8', 'surrogateescape')
    elif not isinstance(value, str):
        value = str(value)
    out = []
    for char in value[:limit]:
        code = ord(char)
        if char in _LOG_NAMED:
            out.append(_LOG_NAMED[char])
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append('\\x%02x' % (code - 0xDC00))
        elif char.isprintable():
            out.append(char)
        elif code <= 0xFF:
            out.append('\\x%02x' % code)
        elif code <= 0xFFFF:
            out.append('\\u%04x' % code)
        else:
            out.append('\\U%08x' % code)
    if len(value) > limit:
        out.append('...')
    return ''.join(out)


# -- arguments -----------------------------------------------------------------------------
def _as_bool(name, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError('hardenize_webhook: %s must be true or false, got %r' % (name, value))


def _as_int(name, value, low, high):
    if isinstance(value, bool):
        raise ValueError('hardenize_webhook: %s must be an integer, got %r' % (name, value))
    try:
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise ValueError('hardenize_webhook: %s must be an integer, got %r' % (name, value))
    if number != value and not isinstance(value, str):
        raise ValueError('hardenize_webhook: %s must be an integer, got %r' % (name, value))
    if not low <= number <= high:
        raise ValueError('hardenize_webhook: %s must be between %d and %d, got %d' % (name, low, high, number))
    return number


def _as_strings(name, value):
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        raise ValueError('hardenize_webhook: %s must be a string or a list of strings' % name)
    return [item for item in value if item.strip()]


class Settings(object):
    """The checked arguments of the source."""

    def __init__(self, args):
        args = dict(args or {})
        unknown = sorted(set(args) - set(KNOWN_ARGS))
        if unknown:
            logger.warning('hardenize_webhook: ignoring unknown arguments: %s', ', '.join(unknown))
        self.host = args.get('host') or '0.0.0.0'
        if not isinstance(self.host, str):
            raise ValueError('hardenize_webhook: host must be a string')
        if args.get('port') is None:
            raise ValueError('hardenize_webhook: port is required')
        self.port = _as_int('port', args['port'], 0, 65535)
        self.path = args.get('path') or None
        if self.path is not None and (not isinstance(self.path, str) or not self.path.startswith('/')):
            raise ValueError('hardenize_webhook: path must start with /')
        secret = args.get('secret')
        if secret is not None and not isinstance(secret, str):
            raise ValueError('hardenize_webhook: secret must be a string')
        self.secrets = ([secret] if secret else []) + _as_strings('secrets', args.get('secrets'))
        if not self.secrets:
            raise ValueError('hardenize_webhook: secret or secrets is required (the event hook secret)')
        self.org = args.get('org') or None
        if self.org is not None and not isinstance(self.org, str):
            raise ValueError('hardenize_webhook: org must be a string')
        self.hook_ids = frozenset(_as_strings('hook_id', args.get('hook_id')))
        self.max_age = _as_int('max_age', args.get('max_age', 300), 0, 10 ** 9)
        self.max_body_size = _as_int('max_body_size', args.get('max_body_size', 1048576), 1, 2 ** 31)
        self.dedup_window = _as_int('dedup_window', args.get('dedup_window', 86400), 0, 10 ** 9)
        self.seen_ids_file = args.get('seen_ids_file') or None
        if self.seen_ids_file is not None:
            if not isinstance(self.seen_ids_file, str):
                raise ValueError('hardenize_webhook: seen_ids_file must be a path')
            self.seen_ids_file = os.path.expanduser(self.seen_ids_file)
            if not os.path.isdir(os.path.dirname(os.path.abspath(self.seen_ids_file))):
                raise ValueError('hardenize_webhook: seen_ids_file %s: its directory does not exist'
                                 % self.seen_ids_file)
            if not self.dedup_window:
                logger.warning('hardenize_webhook: seen_ids_file is not used with dedup_window: 0')
                self.seen_ids_file = None
        self.tls = _as_bool('tls', args.get('tls', True))
        self.certfile = args.get('certfile') or None
        self.keyfile = args.get('keyfile') or None
        if self.tls and not self.certfile:
            raise ValueError('hardenize_webhook: certfile is required with tls: true '
                             '(set tls: false only behind a TLS-terminating proxy)')

    def ssl_context(self):
        """The server TLS context, or None with ``tls: false``."""
        if not self.tls:
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            context.load_cert_chain(self.certfile, self.keyfile)
        except (OSError, ssl.SSLError) as exc:
            raise ValueError('hardenize_webhook: cannot load certfile %s / keyfile %s: %s' % (
                self.certfile, self.keyfile or '(in certfile)', exc))
        return context


# -- events --------------------------------------------------------------------------------
def received_at():
    return datetime.datetime.now(datetime.timezone.utc).isoformat().replace('+00:00', 'Z')


def event_hosts(data):
    """The hosts an event is about: ``matchedHosts``, else ``hosts``, else ``hostname``."""
    if not isinstance(data, dict):
        return []
    for key in ('matchedHosts', 'hosts'):
        value = data.get(key)
        if isinstance(value, list) and value:
            return [item for item in value if isinstance(item, str)]
    if isinstance(data.get('hostname'), str):
        return [data['hostname']]
    return []


def make_event(payload, org, hook_id, age):
    data = payload.get('data')
    if isinstance(data, str):  # Event.data is a JSON string in the events API; parse it when it is one here too
        try:
            data = json.loads(data)
        except ValueError:
            pass
    hosts = event_hosts(data)
    return {
        'hardenize': {
            'id': payload.get('id'),
            'type': payload.get('type'),
            'created_on': payload.get('createdOn'),
            'api_version': payload.get('apiVersion'),
            'host': hosts[0] if hosts else None,
            'hosts': hosts,
            'data': data,
            'org': org,
            'hook_id': hook_id,
            'test': payload.get('id') == 0,
        },
        'meta': {'received_at': received_at(), 'signature_age': round(age, 3) if age is not None else None},
    }


class Deduplicator(object):
    """Event ids put on the queue within the last ``window`` seconds (at most ``capacity`` of them).

    Without ``path`` they are kept in memory only: a delivery retried after a restart is queued again. With ``path``
    (the ``seen_ids_file`` argument) they are also kept in that file: read at start (ids older than ``window`` are
    dropped), and rewritten whole and atomically - a temporary file in the same directory, flushed to disk, then
    renamed over the old one - right after a change, at most once per SEEN_IDS_SAVE_INTERVAL seconds, and when the
    source stops. The file is JSON, ``{"format": "hardenize_webhook seen ids", "version": 1, "window": <seconds>,
    "ids": [[<key>, <unix time the id was queued>], ...]}``, oldest first, at most ``capacity`` ids; a key is the JSON
    text of ``[<X-Hardenize-Org>, <event id>]``.
    """

    def __init__(self, window, capacity=DEDUP_CAPACITY, path=None):
        self.window = window
        self.capacity = capacity
        self.path = path if window else None
        self.seen = collections.OrderedDict()
        self._save_handle = None
        self._last_save = None  # time.monotonic() of the last write
        self._dirty = False
        if self.path is not None:
            self._load()
            try:
                self.save()  # a file that cannot be written fails the start, not a delivery
            except OSError as exc:
                raise ValueError('hardenize_webhook: cannot write seen_ids_file %s: %s' % (self.path, exc))

    def _load(self):
        try:
            with open(self.path, 'rb') as handle:
                data = json.loads(handle.read().decode('utf-8'))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            logger.warning('hardenize_webhook: seen_ids_file %s cannot be read (%s); starting with no seen ids',
                           self.path, exc)
            return
        ids = data.get('ids') if isinstance(data, dict) and data.get('format') == SEEN_IDS_FORMAT else None
        if not isinstance(ids, list):
            logger.warning('hardenize_webhook: seen_ids_file %s is not a seen ids file; starting with no seen ids',
                           self.path)
            return
        now_wall, now_mono = time.time(), time.monotonic()
        entries = []
        for entry in ids:
            if (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                    and isinstance(entry[1], (int, float)) and not isinstance(entry[1], bool)):
                age = max(0.0, now_wall - entry[1])  # a time ahead of the clock counts as now
                if age <= self.window:
                    entries.append((now_mono - age, entry[0]))
        for stamp, key in sorted(entries)[-self.capacity:]:
            self.seen.pop(key, None)
            self.seen[key] = stamp
        logger.info('hardenize_webhook: %d seen event ids read from %s', len(self.seen), self.path)

    def save(self):
        """Write the seen ids to ``path`` atomically (OSError when that fails)."""
        if self._save_handle is not None:
            self._save_handle.cancel()
            self._save_handle = None
        now_wall, now_mono = time.time(), time.monotonic()
        self._prune(now_mono)
        ids = [[key, round(now_wall - (now_mono - stamp), 3)] for key, stamp in self.seen.items()]
        text = json.dumps({'format': SEEN_IDS_FORMAT, 'version': 1, 'window': self.window, 'ids': ids},
                          separators=(',', ':'))
        directory = os.path.dirname(os.path.abspath(self.path))
        handle, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(self.path), suffix='.tmp',
                                             dir=directory)
        try:
            with os.fdopen(handle, 'w', encoding='utf-8') as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
        self._dirty = False
        self._last_save = now_mono

    def _save_quietly(self):
        self._save_handle = None
        try:
            self.save()
        except OSError as exc:  # kept in memory; the next change or the stop tries again
            logger.warning('hardenize_webhook: cannot write seen_ids_file %s: %s', self.path, exc)

    def _changed(self):
        if self.path is None:
            return
        self._dirty = True
        if self._save_handle is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # used outside an event loop: write now
            self._save_quietly()
            return
        delay = 0.0
        if self._last_save is not None:
            delay = max(0.0, self._last_save + SEEN_IDS_SAVE_INTERVAL - time.monotonic())
        self._save_handle = loop.call_later(delay, self._save_quietly)

    def close(self):
        """Write the seen ids now when they changed since the last write (the source stops)."""
        if self._save_handle is not None:
            self._save_handle.cancel()
            self._save_handle = None
        if self.path is not None and self._dirty:
            self._save_quietly()

    def _prune(self, now):
        while self.seen and (len(self.seen) > self.capacity or next(iter(self.seen.values())) < now - self.window):
            self.seen.popitem(last=False)

    def add(self, key):
        """True when ``key`` is new (now remembered), False for a duplicate."""
        if not self.window:
            return True
        now = time.monotonic()
        self._prune(now)
        if key in self.seen:
            return False
        self.seen[key] = now
        self._prune(now)
        self._changed()
        return True

    def forget(self, key):
        if self.seen.pop(key, None) is not None:
            self._changed()


# -- HTTP ----------------------------------------------------------------------------------
class Request(object):

    def __init__(self, method, target, version, headers):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers  # lower-case name -> value (repeated fields joined with ", ")
        self.body = b''
        self.complete = False  # the body is read: what fails from here on is this source's fault

    @property
    def path(self):
        if self.target.startswith('/'):
            return self.target.split('?', 1)[0]
        try:
            return urllib.parse.urlsplit(self.target).path or '/'  # absolute-form (RFC 9112 3.2.2) or *
        except ValueError:  # read_head refuses such a target; never fail here
            return self.target

    def keep_alive(self):
        tokens = [t.strip().lower() for t in self.headers.get('connection', '').split(',')]
        if self.version == 'HTTP/1.0':
            return 'keep-alive' in tokens
        return 'close' not in tokens


async def _readline(reader):
    try:
        return await reader.readline()
    except ValueError:  # asyncio.LimitOverrunError, re-raised as ValueError by readline
        raise HttpError(431, 'request line or header field longer than %d bytes' % LINE_LIMIT, close=True)


def _strip_line_end(line, what):
    """``line`` without its CRLF (or bare LF); 400 when the connection ended inside it."""
    if line.endswith(b'\r\n'):
        return line[:-2]
    if line.endswith(b'\n'):
        return line[:-1]
    raise HttpError(400, 'connection ended inside the %s' % what, close=True)


async def read_head(reader, first=b''):
    """The request line and header fields, ``first`` being the request's first byte, already read.

    None when the connection ends before a request; HttpError (400, 431, 505) for a malformed one.
    """
    line = first if first == b'\n' else first + await _readline(reader)
    for _count in range(MAX_HEADERS + 1):  # tolerate empty lines before a request (RFC 9112, 2.2)
        if line not in (b'\r\n', b'\n'):
            break
        line = await _readline(reader)
    else:
        raise HttpError(400, 'empty lines instead of a request line', close=True)
    if not line:
        return None
    text = _strip_line_end(line, 'request line')
    try:
        method, target, version = text.decode('ascii').split(' ')
    except (UnicodeDecodeError, ValueError):
        raise HttpError(400, 'malformed request line', close=True, detail=text)
    if not _TOKEN.match(method):
        raise HttpError(400, 'malformed method', close=True, detail=method)
    if not _VERSION.match(version):
        raise HttpError(400, 'malformed HTTP version', close=True, detail=version)
    if version not in ('HTTP/1.0', 'HTTP/1.1'):
        raise HttpError(505, 'only HTTP/1.0 and HTTP/1.1 are supported', close=True, detail=version)
    if (not target or _TARGET_BAD.search(target) or not (
            target.startswith('/') or target.lower().startswith(('http://', 'https://'))
            or (target == '*' and method == 'OPTIONS'))):
        raise HttpError(400, 'malformed request target', close=True, detail=target)
    if not target.startswith('/'):
        try:
            urllib.parse.urlsplit(target)
        except ValueError:  # an absolute-form target such as http://[::1/
            raise HttpError(400, 'malformed request target', close=True, detail=target)
    headers = {}
    for _count in range(MAX_HEADERS + 1):
        line = await _readline(reader)
        if line in (b'\r\n', b'\n'):
            return Request(method, target, version, headers)
        text = _strip_line_end(line, 'header fields').decode('latin-1')
        if text[:1] in (' ', '\t'):
            raise HttpError(400, 'obsolete header line folding', close=True)
        name, colon, value = text.partition(':')
        if not colon:
            raise HttpError(400, 'header field without a colon', close=True, detail=name[:40])
        if not _TOKEN.match(name):
            raise HttpError(400, 'malformed header field name', close=True, detail=name[:40])
        if _FIELD_VALUE_BAD.search(value):  # bare CR, NUL, ESC, DEL...: the value is not logged
            raise HttpError(400, 'control character in header field', close=True, detail=name)
        name, value = name.lower(), value.strip(' \t')
        if name in headers:
            if name == 'content-length' and headers[name] != value:
                raise HttpError(400, 'conflicting Content-Length fields', close=True)
            if name != 'content-length':
                headers[name] = headers[name] + ', ' + value
        else:
            headers[name] = value
    raise HttpError(431, 'more than %d header fields' % MAX_HEADERS, close=True)


async def read_body(reader, writer, request, limit):
    """The request body (Content-Length or chunked), at most ``limit`` bytes; 413 beyond."""
    encoding = request.headers.get('transfer-encoding')
    length = request.headers.get('content-length')
    if encoding is not None:
        if length is not None:
            raise HttpError(400, 'both Transfer-Encoding and Content-Length', close=True)
        if request.version == 'HTTP/1.0':
            raise HttpError(400, 'Transfer-Encoding in an HTTP/1.0 request', close=True)
        if encoding.lower() != 'chunked':
            raise HttpError(400, 'unsupported Transfer-Encoding', close=True, detail=encoding)
    if length is not None:
        if not _DIGITS.match(length):  # ASCII digits only: no sign, space, list, '\xb2' or other Unicode digit
            raise HttpError(400, 'malformed Content-Length', close=True, detail=length)
        digits = length.lstrip('0') or '0'
        if len(digits) > 15:  # not given to int() (at most 4300 digits there)
            raise HttpError(413, 'body of more than 10**15 bytes; the limit is %d' % limit, close=True)
        length = int(digits)
        if length > limit:
            raise HttpError(413, 'body of %d bytes; the limit is %d' % (length, limit), close=True)
    await _continue(writer, request)
    if encoding is None:
        if not length:
            return b''
        try:
            return await reader.readexactly(length)
        except asyncio.IncompleteReadError:
            raise HttpError(400, 'body shorter than Content-Length', close=True)
    return await _read_chunked(reader, limit)


async def _continue(writer, request):
    if request.version == 'HTTP/1.1' and request.headers.get('expect', '').lower() == '100-continue':
        writer.write(b'HTTP/1.1 100 Continue\r\n\r\n')
        await writer.drain()


async def _read_chunked(reader, limit):
    body = bytearray()
    while True:
        line = await _readline(reader)
        if not line.endswith(b'\n'):
            raise HttpError(400, 'truncated chunked body', close=True)
        size_text = line.rstrip(b'\r\n').split(b';', 1)[0].strip(b' \t')
        if not _CHUNK_SIZE.match(size_text):  # int(x, 16) would take '0x1f', '+1f', '1_f'
            raise HttpError(400, 'malformed chunk size', close=True, detail=size_text[:40])
        size = int(size_text, 16)
        if size == 0:
            break
        if len(body) + size > limit:
            raise HttpError(413, 'chunked body larger than %d bytes' % limit, close=True)
        try:
            body += await reader.readexactly(size)
            if await reader.readexactly(2) != b'\r\n':
                raise HttpError(400, 'malformed chunk', close=True)
        except asyncio.IncompleteReadError:
            raise HttpError(400, 'truncated chunked body', close=True)
    for _count in range(MAX_HEADERS + 1):  # trailer fields, ignored
        line = await _readline(reader)
        if line in (b'\r\n', b'\n', b''):
            return bytes(body)
    raise HttpError(431, 'too many trailer fields', close=True)


def check_content_type(request):
    """415 for a body that is declared as something else than JSON (no Content-Type is taken as JSON)."""
    value = request.headers.get('content-type')
    if value is not None and value.split(';', 1)[0].strip(' \t').lower() != 'application/json':
        raise HttpError(415, 'Content-Type must be application/json', detail=value)


def response_bytes(status, message='', headers=None, close=False):
    lines = ['HTTP/1.1 %d %s' % (status, REASONS.get(status, 'Error'))]
    for name, value in (headers or {}).items():
        lines.append('%s: %s' % (name, value))
    body = b''
    if status != 204:
        body = (message + '\n').encode('utf-8') if message else b''
        lines.append('Content-Type: text/plain; charset=utf-8')
        lines.append('Content-Length: %d' % len(body))
    if close:
        lines.append('Connection: close')
    return ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1') + body


# -- the receiver --------------------------------------------------------------------------
class Receiver(object):
    """Serves one listening socket: reads requests, verifies deliveries, puts events on ``queue``."""

    def __init__(self, queue, settings):
        self.queue = queue
        self.settings = settings
        self.dedup = Deduplicator(settings.dedup_window, path=settings.seen_ids_file)
        self.connections = set()
        self.stats = collections.Counter()

    async def handle(self, reader, writer):
        """One connection. Every request read is answered, and no exception reaches asyncio's stream callback."""
        task = asyncio.current_task()
        self.connections.add(task)
        peer = writer.get_extra_info('peername')
        state = {'pending': False}  # a request was read and not answered yet
        try:
            await self._serve(reader, writer, peer, state)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError, ssl.SSLError, OSError):
            pass  # the client went away, or an idle keep-alive connection timed out: nothing to answer
        except asyncio.CancelledError:
            # Shutdown (Receiver.close). Ending normally keeps asyncio's stream callback (Python 3.11) from logging
            # the cancelled connection task as an error; main itself still ends cancelled.
            pass
        except Exception as exc:  # pylint: disable=broad-except
            # Last resort (_answer has its own guard): a fault of this source while it answered.
            self.stats['failed'] += 1
            logger.error('hardenize_webhook: connection from %s failed: %s\n%s', _peer(peer), _fault(exc), _frames(exc))
            if state['pending']:
                try:
                    writer.write(response_bytes(500, 'internal error', close=True))
                    await writer.drain()
                except Exception:  # pylint: disable=broad-except
                    pass
        finally:
            self.connections.discard(task)
            writer.close()

    async def _serve(self, reader, writer, peer, state):
        while True:
            first = await asyncio.wait_for(reader.read(1), IDLE_TIMEOUT)  # idle keep-alive: closed, no answer
            if not first:
                return
            state['pending'] = True
            answer = await self._answer(reader, writer, peer, first)
            if answer is None:  # empty lines, then the end of the connection: no request
                return
            status, message, extra, close = answer
            writer.write(response_bytes(status, message, extra, close))
            state['pending'] = False
            await writer.drain()
            if close:
                await _linger(reader, writer)
                return

    async def _answer(self, reader, writer, peer, first):
        """``(status, message, headers, close)`` for the request that begins with ``first``; None for no request.

        Raises only when the connection failed (the client went away) or the task is cancelled.
        """
        request = None
        try:
            try:
                request = await asyncio.wait_for(read_head(reader, first), IDLE_TIMEOUT)
            except asyncio.TimeoutError:
                raise HttpError(408, 'request line and header fields not received within %g s' % IDLE_TIMEOUT,
                                close=True)
            if request is None:
                return None
            status, message, extra = await self.process(reader, writer, request, peer)
            return status, message, extra, not request.keep_alive()
        except HttpError as exc:
            self.stats['refused'] += 1
            detail = '' if exc.detail is None else ' (%s)' % escape_for_log(self._without_hook_path(exc.detail))
            logger.warning('hardenize_webhook: %d for %s from %s: %s%s', exc.status, self._describe(request),
                           _peer(peer), escape_for_log(str(exc)), detail)
            return exc.status, str(exc), exc.headers, exc.close or request is None or not request.keep_alive()
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError, asyncio.CancelledError):
            raise
        except Exception as exc:  # pylint: disable=broad-except
            # Last-resort guard: a request this code did not foresee. Before the body is read it is the request's
            # fault (400, one log line); after, this source's (500, with the frames of the traceback).
            if request is not None and request.complete:
                self.stats['failed'] += 1
                logger.error('hardenize_webhook: 500 for %s from %s: %s\n%s', self._describe(request), _peer(peer),
                             _fault(exc), _frames(exc))
                return 500, 'internal error', {}, True
            self.stats['refused'] += 1
            logger.warning('hardenize_webhook: 400 for %s from %s: malformed request (%s)', self._describe(request),
                           _peer(peer), _fault(exc))
            return 400, 'malformed request', {}, True

    def _without_hook_path(self, text):
        """``text`` (str or bytes) with the configured path replaced by ``<hook path>``: it is not logged."""
        path = self.settings.path
        if not path:
            return text
        if isinstance(text, bytes):
            return text.replace(path.encode('utf-8'), b'<hook path>')
        return text.replace(path, '<hook path>')

    def _describe(self, request):
        """The method and path of ``request`` for a log line, escaped; the configured hook path is not logged."""
        if request is None:
            return 'a request'
        if self.settings.path is not None and request.path == self.settings.path:
            return '%s at the hook path' % escape_for_log(request.method, 20)
        return '%s %s' % (escape_for_log(request.method, 20), escape_for_log(request.path, 80))

    async def process(self, reader, writer, request, peer):
        """(status, message, headers) for one request; raises HttpError for the refusals."""
        if request.method != 'POST':
            raise HttpError(405, 'only POST is accepted', close=True, headers={'Allow': 'POST'})
        if self.settings.path is not None and request.path != self.settings.path:
            raise HttpError(404, 'no hook at this path', close=True)
        try:
            request.body = await asyncio.wait_for(read_body(reader, writer, request, self.settings.max_body_size),
                                                  REQUEST_TIMEOUT)
        except asyncio.TimeoutError:
            raise HttpError(408, 'body not received within %g s' % REQUEST_TIMEOUT, close=True)
        request.complete = True
        try:
            return await asyncio.wait_for(self.deliver(request, peer), REQUEST_TIMEOUT)
        except HttpError:
            raise
        except asyncio.TimeoutError:  # the queue did not take the event: Hardenize retries
            raise HttpError(503, 'the event could not be queued within %g s' % REQUEST_TIMEOUT)
        except Exception as exc:  # pylint: disable=broad-except
            logger.error('hardenize_webhook: failed to process a delivery from %s: %s\n%s', _peer(peer), _fault(exc),
                         _frames(exc))
            raise HttpError(500, 'processing failed: %s' % type(exc).__name__)

    async def deliver(self, request, peer):
        settings = self.settings
        check_content_type(request)
        org = request.headers.get('x-hardenize-org')
        hook_id = request.headers.get('x-hardenize-eventhookid')
        if settings.org is not None and org != settings.org:
            raise HttpError(400, 'unknown organization', detail=org)
        if settings.hook_ids and hook_id not in settings.hook_ids:
            raise HttpError(400, 'unknown event hook id', detail=hook_id)
        reason, age = hardenize_signature.verify_signature(
            request.body, request.headers.get('x-hardenize-signature'), settings.secrets, max_age=settings.max_age)
        if reason:
            raise HttpError(400, reason)
        try:
            payload = json.loads(request.body.decode('utf-8'))
        except ValueError:  # UnicodeDecodeError is a ValueError
            raise HttpError(400, 'body is not JSON')
        if not isinstance(payload, dict) or not isinstance(payload.get('type'), str) or 'id' not in payload:
            raise HttpError(400, 'body is not a Hardenize event (an object with id and type)')
        event = make_event(payload, org, hook_id, age)
        key = None
        if not event['hardenize']['test']:
            key = json.dumps([org, payload.get('id')])
            if not self.dedup.add(key):
                self.stats['duplicates'] += 1
                logger.info('hardenize_webhook: duplicate delivery of event %s (%s) from %s acknowledged, not queued',
                            escape_for_log(payload.get('id'), 40), escape_for_log(payload.get('type'), 60),
                            _peer(peer))
                return 204, '', {}
        try:
            await self.queue.put(event)
        except BaseException:
            if key is not None:
                self.dedup.forget(key)  # not queued: a retry must get through
            raise
        self.stats['accepted'] += 1
        logger.info('hardenize_webhook: event %s (%s) queued', escape_for_log(payload.get('id'), 40),
                    escape_for_log(payload.get('type'), 60))
        return 204, '', {}

    async def close(self):
        for task in list(self.connections):
            task.cancel()
        if self.connections:
            await asyncio.wait(list(self.connections), timeout=SHUTDOWN_TIMEOUT)
        self.dedup.close()


async def _linger(reader, writer):
    """After an answer that closes the connection: let the client read it before the socket is closed.

    Closing a socket with unread input resets the connection, and a reset can destroy the answer on its way; so the
    end of the output is signalled (plain TCP) and input is read and dropped until the client's end, at most
    LINGER_TIMEOUT seconds and LINGER_BYTES bytes, and no longer than LINGER_IDLE seconds without input.
    """
    async def discard():
        left = LINGER_BYTES
        while left > 0:
            data = await asyncio.wait_for(reader.read(min(65536, left)), LINGER_IDLE)
            if not data:
                return
            left -= len(data)

    try:
        if writer.can_write_eof():
            writer.write_eof()
        await asyncio.wait_for(discard(), LINGER_TIMEOUT)
    except (ConnectionError, asyncio.TimeoutError, asyncio.IncompleteReadError, ssl.SSLError, OSError):
        pass


def _fault(exc):
    """``Type: message`` of an exception, escaped: the message may quote a request."""
    return '%s: %s' % (type(exc).__name__, escape_for_log(exc, 200))


def _frames(exc):
    """The traceback's frames (file, line, code of this source); the exception's text is in _fault()."""
    return 'Traceback (most recent call last):\n' + ''.join(traceback.format_tb(exc.__traceback__)).rstrip()


def _peer(peer):
    if isinstance(peer, tuple) and len(peer) >= 2:
        return '%s:%s' % (peer[0], peer[1])
    return str(peer)


async def main(queue, args):
    """Serve the hook destination until cancelled, putting one event per accepted delivery on ``queue``."""
    settings = Settings(args)
    receiver = Receiver(queue, settings)
    server = await asyncio.start_server(receiver.handle, settings.host, settings.port, ssl=settings.ssl_context(),
                                        limit=LINE_LIMIT)
    addresses = ', '.join(_peer(sock.getsockname()) for sock in server.sockets or [])
    if settings.tls:
        logger.info('hardenize_webhook: listening on https://%s', addresses)
    else:
        logger.warning('hardenize_webhook: listening on plain http://%s (tls: false); only behind a TLS-terminating '
                       'proxy or for a test', addresses)
    try:
        await asyncio.Event().wait()  # until cancelled
    finally:
        server.close()
        await receiver.close()
        try:
            await asyncio.wait_for(server.wait_closed(), SHUTDOWN_TIMEOUT)
        except asyncio.TimeoutError:
            pass
        logger.info('hardenize_webhook: stopped (%s)', ', '.join('%s %d' % item for item in sorted(receiver.stats.items()))
                    or 'no deliveries')


if __name__ == '__main__':
    # Manual run: HARDENIZE_HOOK_SECRET=... python hardenize_webhook.py  (plain HTTP on 127.0.0.1:5000)

    class MockQueue(object):
        async def put(self, event):
            print(json.dumps(event, indent=2))

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(MockQueue(), {'host': '127.0.0.1', 'port': 5000, 'tls': False,
                                   'secret': os.environ.get('HARDENIZE_HOOK_SECRET', '')}))
