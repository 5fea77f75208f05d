# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A customer's webhook endpoint for Hardenize event deliveries (test double).

Served over HTTPS by the same server class and test CA as the emulators; it
is the ``receiver`` entry of ``harness.APPS`` and a companion of the Hardenize
emulator (started whenever that one is). The harness exports
``HARDENIZE_TEST_RECEIVER_URL`` (``https://127.0.0.1:<port>/hooks``) and
``EMULATOR_RECEIVER_ADMIN`` (``https://127.0.0.1:<port>/_receiver``).

``POST /hooks/<anything>`` records the delivery and answers as the vendor
document asks a receiver to: 204 with no body when the metadata validates
(``X-Hardenize-Org`` is the configured org, ``X-Hardenize-EventHookId`` has a
configured secret, ``X-Hardenize-Signature`` is the HMAC-SHA256 of
``<t>;<body>`` with that secret and ``t`` is at most ``max_age`` seconds
away) and the body is JSON; 400 otherwise. ``force_status`` overrides the
answer. The check is written here on purpose, independently of the
collection's own verifier.

Admin API (JSON): ``GET|POST|DELETE /_receiver/config`` (``org``,
``secrets`` {hook id: secret} merged on POST (null clears), ``secrets_dir``
(a directory where ``<hook id>.secret`` files hold further secrets, read at
each delivery: how a receiver that is handed the secret as a file works; the
onboard_domain role writes them there), ``max_age``
(0: no age check), ``force_status`` (null: off)); ``GET|DELETE
/_receiver/deliveries``. The emulator admin API (``/_emulator/``: counters,
faults such as ``drop`` or ``slow``, ``reset``, ``secrets``) works here too.
``secrets()`` holds every shared secret it was ever configured with, resets
and ``DELETE /_receiver/config`` included.
"""

import copy
import hashlib
import hmac
import json
import os
import re
import threading
import time

from .base import EmulatorApp, Response

ADMIN = '/_receiver'
HOOKS = '/hooks'
# Header names as Hardenize sends them (the server hands them over in lower case).
_HEADER_NAMES = dict((name.lower(), name) for name in (
    'X-Hardenize-Org', 'X-Hardenize-EventHookId', 'X-Hardenize-Signature', 'Content-Type', 'Content-Length',
    'User-Agent', 'Host', 'Accept-Encoding', 'Connection'))
_SIGNATURE = re.compile(r'^\s*t\s*=\s*(\d+)\s*;\s*hmac-sha256\s*=\s*([0-9a-fA-F]{64})\s*$')
DEFAULT_CONFIG = {'org': None, 'secrets': {}, 'secrets_dir': None, 'max_age': 300, 'force_status': None}
_HOOK_ID = re.compile(r'^[0-9A-Za-z_-]{1,128}$')


def header_name(lower):
    return _HEADER_NAMES.get(lower) or '-'.join(part.capitalize() for part in lower.split('-'))


def read_secret_file(path):
    """The secret in ``path`` (surrounding white space dropped), or None when there is no such file."""
    try:
        with open(path, encoding='utf-8') as handle:
            return handle.read().strip() or None
    except (IOError, OSError):
        return None


def check_delivery(headers, body, config, now=None):
    """'' when the delivery validates, else the reason it does not."""
    org = headers.get('X-Hardenize-Org')
    if not config['org'] or org != config['org']:
        return 'unknown organization %r' % org
    hook_id = headers.get('X-Hardenize-EventHookId')
    secret = config['secrets'].get(hook_id) if hook_id else None
    if not secret:
        return 'unknown event hook id %r' % hook_id
    match = _SIGNATURE.match(headers.get('X-Hardenize-Signature') or '')
    if not match:
        return 'missing or malformed X-Hardenize-Signature'
    stamp = int(match.group(1))
    now = time.time() if now is None else now
    if config['max_age'] and abs(now - stamp / 1000.0) > config['max_age']:
        return 'signature timestamp too far from now'
    expected = hmac.new(secret.encode('utf-8'), match.group(1).encode('ascii') + b';' + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, match.group(2).lower()):
        return 'signature does not match'
    try:
        json.loads(body.decode('utf-8'))
    except ValueError:
        return 'body is not JSON'
    return ''


class WebhookReceiverApp(EmulatorApp):
    """The webhook receiver (see the module docstring)."""

    name = 'receiver'

    def __init__(self):
        self.receiver_lock = threading.Lock()
        super(WebhookReceiverApp, self).__init__()

    def reset_state(self):
        self.receiver_config = copy.deepcopy(DEFAULT_CONFIG)
        self.deliveries = []

    def endpoint_key(self, request):
        if request.path == HOOKS or request.path.startswith(HOOKS + '/'):
            return '%s %s' % (request.method, HOOKS)
        if request.path.startswith(ADMIN + '/'):
            return 'admin'
        return '%s %s' % (request.method, request.path)

    def is_write(self, key):
        return key == 'POST ' + HOOKS

    def dump_state(self):
        with self.receiver_lock:
            return {'config': self.public_config(), 'deliveries': copy.deepcopy(self.deliveries)}

    def env(self):
        return {'HARDENIZE_TEST_RECEIVER_URL': self.base_url + HOOKS, 'EMULATOR_RECEIVER_ADMIN': self.base_url + ADMIN}

    def public_config(self):
        """The config with the secrets' values masked."""
        config = dict(self.receiver_config)
        config['secrets'] = dict((hook_id, '********') for hook_id in self.receiver_config['secrets'])
        return config

    # -- requests --------------------------------------------------------------------
    def handle(self, request):
        if request.path == HOOKS or request.path.startswith(HOOKS + '/'):
            if request.method != 'POST':
                return Response.text('Only POST\n', 405, {'Allow': 'POST'})
            return self.receive(request)
        if request.path.startswith(ADMIN + '/'):
            try:
                return self.admin(request, request.path[len(ADMIN) + 1:].strip('/'))
            except ValueError as exc:
                return Response.json({'error': str(exc)}, 400)
        return Response.text('Not found\n', 404)

    def receive(self, request):
        headers = dict((header_name(k), v) for k, v in request.headers.items())
        with self.receiver_lock:
            config = copy.deepcopy(self.receiver_config)
        hook_id = request.headers.get('X-Hardenize-EventHookId') or ''
        if config.get('secrets_dir') and _HOOK_ID.match(hook_id) and not config['secrets'].get(hook_id):
            # Read once per delivery, into this delivery's copy of the config: check_delivery sees it as configured.
            from_file = read_secret_file(os.path.join(config['secrets_dir'], hook_id + '.secret'))
            if from_file:
                self.remember_secret(from_file)  # the suite's secret grep covers it too
                config['secrets'][hook_id] = from_file
        reason = check_delivery(request.headers, request.body, config)
        if config['force_status'] is not None:
            status = config['force_status']
        else:
            status = 400 if reason else 204
        now = time.time()
        delivery = {'method': request.method, 'path': request.path, 'headers': headers,
                    'body': request.body.decode('utf-8', 'replace'), 'received': now,
                    'receivedOn': time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(now)) + '.%03dZ' % (int(now * 1000) % 1000),
                    'valid': not reason, 'reason': reason, 'status': status}
        with self.receiver_lock:
            self.deliveries.append(delivery)
        if status == 204:
            return Response.empty(204)
        return Response.text((reason or 'forced status %d' % status) + '\n', status)

    def admin(self, request, route):
        if route == 'deliveries':
            if request.method == 'GET':
                with self.receiver_lock:
                    return Response.json(copy.deepcopy(self.deliveries))
            if request.method == 'DELETE':
                with self.receiver_lock:
                    self.deliveries = []
                return Response.empty(204)
        elif route == 'config':
            if request.method == 'GET':
                with self.receiver_lock:
                    return Response.json(self.public_config())
            if request.method == 'DELETE':
                with self.receiver_lock:
                    self.receiver_config = copy.deepcopy(DEFAULT_CONFIG)
                    return Response.json(self.public_config())
            if request.method == 'POST':
                return Response.json(self.update_config(request.json() or {}))
        else:
            return Response.json({'error': 'no receiver route %s' % route}, 404)
        return Response.json({'error': 'method %s not allowed' % request.method}, 405)

    def update_config(self, body):
        if not isinstance(body, dict):
            raise ValueError('the config must be a JSON object')
        unknown = set(body) - set(DEFAULT_CONFIG)
        if unknown:
            raise ValueError('unknown config keys: %s; known: %s' % (', '.join(sorted(unknown)), ', '.join(sorted(DEFAULT_CONFIG))))
        if 'org' in body and body['org'] is not None and not isinstance(body['org'], str):
            raise ValueError('org must be a string or null')
        secrets = body.get('secrets')
        if secrets is not None and (not isinstance(secrets, dict) or
                                    not all(isinstance(k, str) and isinstance(v, str) and v for k, v in secrets.items())):
            raise ValueError('secrets must map hook ids to non-empty secrets')
        if 'max_age' in body and (isinstance(body['max_age'], bool) or not isinstance(body['max_age'], (int, float))
                                  or body['max_age'] < 0):
            raise ValueError('max_age must be a number >= 0 (0: no age check)')
        if body.get('secrets_dir') is not None and not isinstance(body['secrets_dir'], str):
            raise ValueError('secrets_dir must be a directory path or null')
        force = body.get('force_status')
        if force is not None and (isinstance(force, bool) or not isinstance(force, int) or not 200 <= force <= 599):
            raise ValueError('force_status must be an HTTP status (200-599) or null')
        for secret in (secrets or {}).values():
            self.remember_secret(secret)
        with self.receiver_lock:
            config = self.receiver_config
            if 'org' in body:
                config['org'] = body['org']
            if 'secrets' in body:
                config['secrets'] = dict(config['secrets'], **secrets) if secrets is not None else {}
            if 'max_age' in body:
                config['max_age'] = body['max_age']
            if 'secrets_dir' in body:
                config['secrets_dir'] = body['secrets_dir']
            if 'force_status' in body:
                config['force_status'] = force
            return self.public_config()
