# -*- coding: utf-8 -*-
"""Run the hardenize_webhook event source in a background event loop, and sign deliveries.

Shared by tests/unit/extensions/test_hardenize_webhook.py and
tests/integration/test_eda_hardenize_webhook.py. Signatures are computed here
with hmac directly, independently of the collection's verifier.
"""

import asyncio
import hashlib
import hmac
import json
import logging
import re
import threading
import time

from ansible_collections.domainsec.onboard.extensions.eda.plugins.event_source import hardenize_webhook

LOGGER = logging.getLogger(hardenize_webhook.__name__)
_LISTENING = re.compile(r'listening on (?:plain )?(https?)://[^\s,]*:(\d+)')


def sign(secret, body, stamp_ms=None):
    """The X-Hardenize-Signature value for ``body`` (bytes) signed with ``secret`` at ``stamp_ms``."""
    stamp_ms = int(time.time() * 1000) if stamp_ms is None else int(stamp_ms)
    digest = hmac.new(secret.encode('utf-8'), b'%d;' % stamp_ms + body, hashlib.sha256).hexdigest()
    return 't=%d; hmac-sha256=%s' % (stamp_ms, digest)


def event_body(event_id, event_type='pki.cert.new', data=None):
    payload = {'id': event_id, 'createdOn': '2026-01-01T00:00:00.000Z', 'type': event_type,
               'data': {'hosts': ['www.example.com'], 'sha256': '00' * 32} if data is None else data}
    return json.dumps(payload, separators=(',', ':')).encode('utf-8')


class EventQueue(object):
    """What the source sees as its queue (only ``put`` is used); thread-safe waits for the tests."""

    def __init__(self):
        self.items = []
        self._cond = threading.Condition()

    async def put(self, event):
        with self._cond:
            self.items.append(event)
            self._cond.notify_all()

    def wait_for(self, count, timeout=10.0):
        """The events once there are at least ``count`` of them (AssertionError after ``timeout`` s)."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.items) >= count, timeout):
                raise AssertionError('expected %d events, got %d' % (count, len(self.items)))
            return list(self.items)

    def snapshot(self):
        with self._cond:
            return list(self.items)


class _Listening(logging.Handler):
    """Catches the source's "listening on <scheme>://<host>:<port>" log line."""

    def __init__(self):
        super(_Listening, self).__init__(level=logging.DEBUG)
        self.found = threading.Event()
        self.scheme = self.port = None

    def emit(self, record):
        match = _LISTENING.search(record.getMessage())
        if match and not self.found.is_set():
            self.scheme, self.port = match.group(1), int(match.group(2))
            self.found.set()


class RunningSource(object):
    """``main(queue, args)`` as a task of an event loop in a thread; ``port`` is the port it listens on."""

    def __init__(self, args, timeout=10.0, queue=None):
        self.args = dict(args)
        self.queue = EventQueue() if queue is None else queue
        self.loop = asyncio.new_event_loop()
        self.task = None
        self.port = None
        self.scheme = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name='hardenize-webhook-source', daemon=True)
        handler = _Listening()
        old_level = LOGGER.level
        LOGGER.addHandler(handler)
        if LOGGER.getEffectiveLevel() > logging.INFO:
            LOGGER.setLevel(logging.INFO)
        try:
            self._thread.start()
            self._started.wait(timeout)
            deadline = time.monotonic() + timeout
            while not handler.found.wait(0.05):  # wait for the log line, or for main to fail
                if self.task.done() or time.monotonic() > deadline:
                    self.stop()
                    self.result()  # raises main's exception
                    raise AssertionError('the source did not start listening within %s s' % timeout)
        finally:
            LOGGER.removeHandler(handler)
            LOGGER.setLevel(old_level)
        self.port, self.scheme = handler.port, handler.scheme

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.task = self.loop.create_task(hardenize_webhook.main(self.queue, self.args))
        self._started.set()
        try:
            self.loop.run_until_complete(asyncio.wait([self.task]))
        finally:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    def stop(self, timeout=10.0):
        """Cancel main, wait for the loop to end; True when main ended by the cancellation."""
        if self.task is not None and not self.task.done():
            self.loop.call_soon_threadsafe(self.task.cancel)
        self._thread.join(timeout)
        assert not self._thread.is_alive(), 'the source did not stop within %s s of its cancellation' % timeout
        return self.task.cancelled()

    def result(self):
        if self.task.cancelled():
            return None
        return self.task.result()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()
