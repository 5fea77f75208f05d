# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A TCP forwarder that adds network latency in front of an emulator; TLS passes through untouched.

    proxy = LatencyProxy('127.0.0.1', emulator_port, delay_ms=30)
    proxy.start()             # listens on 127.0.0.1:<proxy.port>, forwards to the emulator
    proxy.delay_ms = 0        # applies to connections opened from now on
    proxy.stop()

The model (one-way delay D = ``delay_ms``, bandwidth unlimited):

* A new connection costs one round trip before its first byte moves, like a
  TCP handshake: the client's bytes are held until ``accept + 2D``.
* Every chunk one side writes (what one ``recv`` on the proxy returns: a TLS
  record burst, an HTTP request or answer, or part of a large one) reaches the
  other side D after the proxy received it. Each direction is a delay line,
  not a queue of sleeps: chunks in flight overlap, so a 200 KB answer costs D
  once, not D per chunk; the order of the bytes is kept.
* The end of a stream (FIN) is delayed like data; a reset closes both sides.

So an HTTPS request on a new connection costs about 3 round trips (TCP, the
TLS 1.3 handshake, the request), one on a kept-alive connection one round trip,
plus the server's own time. The bytes are never looked at: the client still
verifies the emulator's certificate (issued for 127.0.0.1 and localhost).

The forwarder runs an asyncio loop on a thread of its own, so a benchmark can
run it in the same process as the emulators and its own bookkeeping.
"""

import asyncio
import socket
import threading

CHUNK = 65536


class LatencyProxy(object):
    """Forward ``host:port`` (the proxy) to ``upstream_host:upstream_port`` with ``delay_ms`` each way."""

    def __init__(self, upstream_host, upstream_port, delay_ms=0.0, host='127.0.0.1', port=0, name='proxy'):
        self.upstream = (upstream_host, int(upstream_port))
        self.delay_ms = float(delay_ms)
        self.host = host
        self.port = int(port)
        self.name = name
        self.connections = 0  # connections accepted since start (or reset_stats)
        self._loop = None
        self._server = None
        self._thread = None
        self._ready = threading.Event()
        self._error = None
        self._tasks = set()

    # -- public ------------------------------------------------------------------
    def start(self):
        """Start listening (returns once the port is bound); ``self.port`` is the listening port."""
        self._thread = threading.Thread(target=self._run, name='latency-%s' % self.name, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise self._error
        if not self._ready.is_set():
            raise RuntimeError('latency proxy %s did not start' % self.name)
        return self

    def stop(self):
        """Stop listening and close every connection."""
        if self._loop is None:
            return
        loop = self._loop
        loop.call_soon_threadsafe(self._shutdown)
        self._thread.join(10)
        self._loop = None

    def reset_stats(self):
        self.connections = 0

    @property
    def url(self):
        return 'https://%s:%d' % (self.host, self.port)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # -- the loop ----------------------------------------------------------------
    def _run(self):
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            self._server = loop.run_until_complete(asyncio.start_server(self._handle, self.host, self.port, backlog=256))
        except OSError as exc:
            self._error = exc
            self._ready.set()
            return
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def _shutdown(self):
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        self._loop.call_later(0.05, self._loop.stop)

    async def _handle(self, client_reader, client_writer):
        task = asyncio.current_task()
        self._tasks.add(task)
        loop = asyncio.get_running_loop()
        delay = max(self.delay_ms, 0.0) / 1000.0
        accepted = loop.time()
        self.connections += 1
        upstream_writer = None
        try:
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
            except OSError:
                return
            for writer in (client_writer, upstream_writer):
                sock = writer.get_extra_info('socket')
                if sock is not None:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # The client's first byte may only leave once the (emulated) handshake is done.
            established = accepted + 2 * delay
            await asyncio.gather(self._pipe(client_reader, upstream_writer, delay, established),
                                 self._pipe(upstream_reader, client_writer, delay, established))
        except asyncio.CancelledError:
            pass
        finally:
            for writer in (client_writer, upstream_writer):
                if writer is not None:
                    writer.close()
            self._tasks.discard(task)

    @staticmethod
    async def _pipe(reader, writer, delay, established):
        """Copy ``reader`` to ``writer``, each chunk ``delay`` seconds after it arrived (a delay line)."""
        loop = asyncio.get_running_loop()
        queue = asyncio.Queue()

        async def receive():
            while True:
                try:
                    data = await reader.read(CHUNK)
                except (ConnectionError, OSError):
                    data = None  # a reset: end this direction, close both sides
                await queue.put((max(loop.time(), established) + delay, data))
                if not data:
                    return

        async def send():
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if data is None:
                    writer.close()
                    return
                if data == b'':
                    if writer.can_write_eof():
                        try:
                            writer.write_eof()
                        except OSError:
                            pass
                    return
                try:
                    writer.write(data)
                    await writer.drain()
                except (ConnectionError, OSError):
                    return

        receiver = asyncio.ensure_future(receive())
        try:
            await send()
        finally:
            receiver.cancel()
