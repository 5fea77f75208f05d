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
import ssl
import sys
import time

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
    type: int
    default: 86400
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
    line and header fields (keep-alive connections idle for longer are closed), 30 seconds for the body and queueing.
  - "Status codes: 204 accepted (or duplicate), 400 refused delivery or malformed request, 404 wrong path, 405 method
    not POST, 413 body too large, 431 header fields too large, 500 unexpected failure."
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
REQUEST_TIMEOUT = 30.0  # seconds, after the header fields, to receive the body and queue the event
IDLE_TIMEOUT = 75.0  # seconds to receive a request's line and header fields (a keep-alive connection's idle time)
DEDUP_CAPACITY = 10000
SHUTDOWN_TIMEOUT = 5.0
REASONS = {204: 'No Content', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed',
           413: 'Content Too Large', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error'}
KNOWN_ARGS = ('host', 'port', 'path', 'secret', 'secrets', 'org', 'hook_id', 'max_age', 'max_body_size',
              'dedup_window', 'tls', 'certfile', 'keyfile')
_TRUE = ('true', 'yes', 'on', '1')
_FALSE = ('false', 'no', 'off', '0')


class HttpError(Exception):
    """An answer other than 204; ``close`` when the connection cannot be reused (body not read)."""

    def __init__(self, status, message, close=False, headers=None):
        super(HttpError, self).__init__(message)
        self.status = status
        self.close = close
        self.headers = headers or {}


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
    """Event ids put on the queue within the last ``window`` seconds (at most ``capacity`` of them)."""

    def __init__(self, window, capacity=DEDUP_CAPACITY):
        self.window = window
        self.capacity = capacity
        self.seen = collections.OrderedDict()

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
        return True

    def forget(self, key):
        self.seen.pop(key, None)


# -- HTTP ----------------------------------------------------------------------------------
class Request(object):

    def __init__(self, method, target, version, headers):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers  # lower-case name -> value (repeated fields joined with ", ")
        self.body = b''

    @property
    def path(self):
        return self.target.split('?', 1)[0]

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


async def read_head(reader):
    """The request line and header fields; None at the end of the connection."""
    line = await _readline(reader)
    while line in (b'\r\n', b'\n'):  # tolerate empty lines before a request (RFC 9112, 2.2)
        line = await _readline(reader)
    if not line:
        return None
    try:
        method, target, version = line.decode('ascii').strip().split(' ')
    except (UnicodeDecodeError, ValueError):
        raise HttpError(400, 'malformed request line', close=True)
    if version not in ('HTTP/1.0', 'HTTP/1.1') or not method.isalpha():
        raise HttpError(400, 'unsupported protocol %s' % version[:16], close=True)
    headers = {}
    for _count in range(MAX_HEADERS + 1):
        line = await _readline(reader)
        if line in (b'\r\n', b'\n'):
            return Request(method.upper(), target, version, headers)
        if not line:
            return None
        if line[:1] in (b' ', b'\t'):
            raise HttpError(400, 'obsolete header line folding', close=True)
        try:
            name, value = line.decode('latin-1').split(':', 1)
        except ValueError:
            raise HttpError(400, 'malformed header field', close=True)
        name = name.strip().lower()
        if not name or name != name.strip() or ' ' in name:
            raise HttpError(400, 'malformed header field name', close=True)
        value = value.strip()
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
    if encoding is not None and length is not None:
        raise HttpError(400, 'both Transfer-Encoding and Content-Length', close=True)
    if encoding is not None and encoding.strip().lower() != 'chunked':
        raise HttpError(400, 'unsupported Transfer-Encoding %s' % encoding[:32], close=True)
    if length is not None:
        if not length.isdigit():
            raise HttpError(400, 'malformed Content-Length', close=True)
        length = int(length)
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
        size_text = line.split(b';', 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise HttpError(400, 'malformed chunk size', close=True)
        if size < 0:
            raise HttpError(400, 'malformed chunk size', close=True)
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
        self.dedup = Deduplicator(settings.dedup_window)
        self.connections = set()
        self.stats = collections.Counter()

    async def handle(self, reader, writer):
        task = asyncio.current_task()
        self.connections.add(task)
        peer = writer.get_extra_info('peername')
        try:
            await self._serve(reader, writer, peer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError, ssl.SSLError, OSError):
            pass
        except asyncio.CancelledError:
            # Shutdown (Receiver.close). Ending normally keeps asyncio's stream callback (Python 3.11) from logging
            # the cancelled connection task as an error; main itself still ends cancelled.
            pass
        finally:
            self.connections.discard(task)
            writer.close()

    async def _serve(self, reader, writer, peer):
        while True:
            request = None
            try:
                request = await asyncio.wait_for(read_head(reader), IDLE_TIMEOUT)
                if request is None:
                    return
                status, message, extra = await asyncio.wait_for(self.process(reader, writer, request, peer),
                                                                REQUEST_TIMEOUT)
                close = not request.keep_alive()
            except HttpError as exc:
                status, message, extra = exc.status, str(exc), exc.headers
                close = exc.close or request is None or not request.keep_alive()
                self.stats['refused'] += 1
                logger.warning('hardenize_webhook: %d for a request from %s: %s', status, _peer(peer), message)
            writer.write(response_bytes(status, message, extra, close))
            await writer.drain()
            if close:
                return

    async def process(self, reader, writer, request, peer):
        """(status, message, headers) for one request; raises HttpError for the refusals."""
        if request.method != 'POST':
            raise HttpError(405, 'only POST is accepted', close=True, headers={'Allow': 'POST'})
        if self.settings.path is not None and request.path != self.settings.path:
            raise HttpError(404, 'no hook at this path', close=True)
        request.body = await read_body(reader, writer, request, self.settings.max_body_size)
        try:
            return await self.deliver(request, peer)
        except HttpError:
            raise
        except Exception as exc:  # pylint: disable=broad-except
            logger.exception('hardenize_webhook: failed to process a delivery from %s', _peer(peer))
            raise HttpError(500, 'processing failed: %s' % type(exc).__name__)

    async def deliver(self, request, peer):
        settings = self.settings
        org = request.headers.get('x-hardenize-org')
        hook_id = request.headers.get('x-hardenize-eventhookid')
        if settings.org is not None and org != settings.org:
            raise HttpError(400, 'unknown organization')
        if settings.hook_ids and hook_id not in settings.hook_ids:
            raise HttpError(400, 'unknown event hook id')
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
                            payload.get('id'), payload.get('type'), _peer(peer))
                return 204, '', {}
        try:
            await self.queue.put(event)
        except BaseException:
            if key is not None:
                self.dedup.forget(key)  # not queued: a retry must get through
            raise
        self.stats['accepted'] += 1
        logger.info('hardenize_webhook: event %s (%s) queued', payload.get('id'), payload.get('type'))
        return 204, '', {}

    async def close(self):
        for task in list(self.connections):
            task.cancel()
        if self.connections:
            await asyncio.wait(list(self.connections), timeout=SHUTDOWN_TIMEOUT)


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
