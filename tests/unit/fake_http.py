# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one in-process fake of the network for the unit tests.

:class:`FakeHttp` is a ``requests`` transport adapter. Mounted on a client's
own session it answers in place of the server, so the real request path runs
(auth applied to the prepared request, form/JSON encoding, the transport's
retries and write guard, redaction) without a socket::

    fake = FakeHttp(key_of=lambda sent: sent.path)       # how requests are told apart
    fake.on('/hosts', {'hosts': []}, (503, b''), dropped())  # scripted outcomes, in order
    http = H.HttpClient('Vendor', sleep=sleeps.append)
    fake.mount(http)

An outcome is a dict or list (HTTP 200 JSON), a ``(status, body)`` or
``(status, body, headers)`` tuple (a dict/list body is sent as JSON), bytes
(HTTP 200 with that body), an exception to raise (a dropped connection), or
a callable taking the :class:`Sent` request and returning an outcome.
Requests without a scripted outcome go to ``default(sent)`` (a success by
default); ``FakeHttp.for_app(app)`` answers them with an emulator app of
tests/emulators, in process.
"""

import json
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


class Sent(object):
    """A request as it left the client (after auth and encoding)."""

    def __init__(self, request):
        self.method = request.method
        self.url = request.url
        split = urlsplit(request.url)
        self.path = split.path
        self.path_url = request.path_url
        self.query = dict(parse_qsl(split.query, keep_blank_values=True))
        self.headers = request.headers
        body = request.body or b''
        self.raw_body = body if isinstance(body, bytes) else body.encode('utf-8')
        self.body = self.raw_body.decode('utf-8', 'replace')
        self.form = dict(parse_qsl(self.body, keep_blank_values=True)) if 'form-urlencoded' in (
            request.headers.get('Content-Type') or '') else {}

    def json(self):
        return json.loads(self.body) if self.body else None


class FakeHttp(BaseAdapter):
    """Scripted answers per request key, else ``default``; records every request in ``sent``."""

    def __init__(self, key_of=None, default=None):
        super(FakeHttp, self).__init__()
        self.key_of = key_of or (lambda sent: '%s %s' % (sent.method, sent.path))
        self.default = default or (lambda sent: {})
        self.sent = []
        self.scripts = {}

    def mount(self, http, prefix='https://'):
        """Answer every request of ``http`` (an HttpClient) whose URL starts with ``prefix``."""
        http.session.trust_env = False
        http.session.mount(prefix, self)
        return self

    def serve_every_client(self, monkeypatch):
        """Answer every HttpClient made while ``monkeypatch`` is active: for a module's ``main()`` run in process,
        which builds its own client (see tests/unit/plugins/module_utils/test_redaction.py)."""
        from ansible_collections.domainsec.onboard.plugins.module_utils import http_transport  # pylint: disable=import-outside-toplevel
        original = http_transport.HttpClient.__init__
        fake = self

        def init(client, *args, **kwargs):
            original(client, *args, **kwargs)
            client.sleep = lambda seconds: None
            fake.mount(client)
        monkeypatch.setattr(http_transport.HttpClient, '__init__', init)
        return self

    def on(self, key, *outcomes):
        """Queue ``outcomes`` for requests with ``key`` (``'*'``: any request)."""
        self.scripts.setdefault(key, []).extend(outcomes)
        return self

    def keys(self):
        return [self.key_of(s) for s in self.sent]

    def to(self, key):
        return [s for s in self.sent if self.key_of(s) == key]

    def _outcome(self, sent):
        for key in (self.key_of(sent), '*'):
            queue = self.scripts.get(key)
            if queue:
                return queue.pop(0)
        return self.default(sent)

    def send(self, request, **kwargs):
        sent = Sent(request)
        self.sent.append(sent)
        outcome = self._outcome(sent)
        while callable(outcome) and not isinstance(outcome, Exception):
            outcome = outcome(sent)
        if isinstance(outcome, Exception):
            raise outcome
        headers = {'Content-Type': 'application/json'}
        if isinstance(outcome, tuple):
            status, body = outcome[0], outcome[1]
            if len(outcome) > 2:
                headers = dict(outcome[2])
                headers.setdefault('Content-Type', 'application/json')
        elif isinstance(outcome, bytes):
            status, body, headers = 200, outcome, {'Content-Type': 'application/octet-stream'}
        else:
            status, body = 200, outcome
        if not isinstance(body, bytes):
            body = json.dumps(body).encode('utf-8')
        response = requests.Response()
        response.status_code = status
        response._content = body  # pylint: disable=protected-access
        response.headers = CaseInsensitiveDict(headers)
        response.url = request.url
        response.request = request
        response.encoding = 'utf-8'
        return response

    def close(self):
        pass

    @classmethod
    def for_app(cls, app, key_of=None):
        """Answer with an emulator app of tests/emulators (its faults included), in process."""
        from emulators.base import CLOSE, Request, _apply_fault  # pylint: disable=import-outside-toplevel

        def answer(sent):
            request = Request(sent.method, sent.path_url, sent.headers.items(), sent.raw_body)
            key = app.endpoint_key(request)
            app.count(key)
            fault = app.faults.take(key)
            reply = _apply_fault(app, fault, request, lambda: app.handle(request)) if fault else app.handle(request)
            if reply is CLOSE:
                return requests.exceptions.ConnectionError('Connection aborted. RemoteDisconnected')
            return (reply.status, reply.body, reply.headers)
        return cls(key_of=key_of, default=answer)


def dropped():
    """A connection closed after the request went out (outcome unknown)."""
    return requests.exceptions.ConnectionError('Connection aborted. RemoteDisconnected')


def refused():
    """A connection refused (the request provably never reached the server)."""
    return requests.exceptions.ConnectionError('HTTPSConnectionPool: Max retries exceeded (Caused by '
                                               'NewConnectionError(Connection refused))')


def read_timeout():
    return requests.exceptions.ReadTimeout('read timed out')
