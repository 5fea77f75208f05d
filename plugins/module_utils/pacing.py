# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pacing shared by every run of one vendor account on one controller.

Every fork of a playbook is a module process of its own, but a vendor counts the
requests of the account, not of a process: twenty forks that each keep to the
allowance together exceed it twenty times. A :class:`Pacer` keeps the pace in a
small state file in the lock directory (:func:`locks.lock_directory`: the
``lock_dir`` option, else ``DOMAINSEC_LOCK_DIR``, else the controller's
temporary directory), named ``pace-<scope>-<sha256 of base URL and account>``
(no secret in the name or the file: only numbers and times) and read and written
under an ``flock``, which the kernel releases when a process dies. Every request
of the account, of every fork and thread, takes its turn from it
(:meth:`Pacer.before_request`, called by the transport before each attempt):

* a **token bucket** for a vendor that reports its allowance (Hardenize's
  ``X-Request-Allowance``): the last allowance reported and when, refilled at
  the reported rate; a request goes while ``reserve`` tokens are left, else
  waits until they are back. Each request takes its token when it is let go, so
  the forks queue behind each other instead of all seeing the same allowance;
* a **concurrency cap** (``slots``): that many slot files, each held with a
  non-blocking ``flock`` for one attempt; a request waits for a free one;
* **blocked until**: a refusal (a 429, a vendor's "too many requests") met by
  one process holds every process of the account until the refusal's wait is
  over (:meth:`Pacer.refused`, called by ``HttpClient.rate_limit_pause``); a
  request that was already waiting for its turn looks again when it wakes;
* an **adaptive interval** between two requests of the account, learned from
  refusals: 0 until the first refusal, doubled (from ``STEP``) by the refusal
  of a request that kept the current interval (the requests sent at an older,
  faster pace are refused too, and say nothing new), shrunk by ``DECAY`` for
  each answer that is not a refusal, and forgotten ``FORGET`` seconds after
  the last refusal. It is for a vendor whose limit is not published
  (Virusdie): the pace comes from what the vendor answered, not from a number.

None of this decides whether a request is sent again: a refused request was not
processed, and the transport re-sends it as before (a write only when a re-read
shows it did not land). A lock directory that cannot be made or written leaves
the pacing in the process (one fork paces itself, as before) with a warning;
it never fails a task. A state file left by a dead run is harmless: its times
are in the past (a bucket refilled, a block over), a refusal is forgotten after
``FORGET`` seconds, an unreadable file is read as empty, and a file from the
future (a clock set back) is ignored.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import os
import threading
import time

from ansible_collections.domainsec.onboard.plugins.module_utils.locks import LOCK_DIR_ENV, lock_directory, make_lock_directory, try_flock

try:
    import fcntl
    HAS_FCNTL = True
except ImportError:  # pragma: no cover (not POSIX)
    HAS_FCNTL = False

STEP = 0.05  # the interval after a first refusal (then doubled): a starting point, not a vendor's limit
DECAY = 0.97  # the interval's factor after each answer that is not a refusal
FORGET = 300.0  # seconds after the last refusal when the interval is dropped
MAX_INTERVAL = 10.0
MAX_BLOCK = 120.0  # a refusal holds the account for at most this long (a broken Retry-After, a stale file)
SLOT_POLL = 0.02  # how often a request waiting for a free slot looks again
SLOT_PATIENCE = 600.0  # a request that found no free slot for this long goes without one (the vendor refuses or not)
_NOFOLLOW = getattr(os, 'O_NOFOLLOW', 0)


def attach(http, pacer):
    """Make ``pacer`` the pacer of the transport ``http`` (an HttpClient): its waits go through ``http.sleep``, its
    warning joins the task's warnings. Returns the pacer."""
    def sleep(seconds):
        http.sleep(seconds)  # looked up at each wait: a test may replace it once the client is made

    pacer.sleep = sleep
    http.pacer = pacer
    http.warnings.extend(pacer.warnings)
    return pacer


class MemoryState(object):
    """The state of one process (threads share it): the fallback, and what a test without a directory uses."""

    def __init__(self):
        self._data = {}
        self._lock = threading.Lock()

    def update(self, change):
        """``change(state)`` (a dict it may change) under the lock; its return value."""
        with self._lock:
            return change(self._data)


class FileState(object):
    """The state shared by every process that opens ``path``: a JSON object, changed under ``flock``."""

    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()  # threads of one process share the descriptor, and with it the flock
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o600)

    def update(self, change):
        with self._lock:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                data = self._read()
                result = change(data)
                text = json.dumps(data, sort_keys=True).encode('ascii')
                os.ftruncate(self._fd, 0)
                os.lseek(self._fd, 0, os.SEEK_SET)
                os.write(self._fd, text)
                return result
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _read(self):
        os.lseek(self._fd, 0, os.SEEK_SET)
        chunks = []
        while True:
            chunk = os.read(self._fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        try:
            data = json.loads(b''.join(chunks).decode('utf-8'))
        except ValueError:  # empty, or cut short by a process that died while writing
            return {}
        return data if isinstance(data, dict) else {}

    def close(self):
        os.close(self._fd)


class MemorySlots(object):
    """The concurrency cap within one process."""

    def __init__(self, count):
        self._semaphore = threading.BoundedSemaphore(count)

    def acquire(self, limit=None):
        self._semaphore.acquire()
        return self._semaphore.release


class FileSlots(object):
    """The concurrency cap across processes: ``count`` slot files, each held by one attempt with a non-blocking
    ``flock`` on a descriptor of its own (so threads of one process count one each)."""

    def __init__(self, directory, stem, count, poll=time.sleep, clock=time.time):
        self.paths = [os.path.join(directory, '%s-slot%d.lock' % (stem, n)) for n in range(count)]
        self.poll = poll
        self.clock = clock

    def try_acquire(self, limit=None):
        """The release callable of a free slot among the first ``limit`` (all by default), or None."""
        for path in self.paths[:limit or len(self.paths)]:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o600)
            try:
                taken = try_flock(fd)
            except (IOError, OSError):
                os.close(fd)
                raise
            if taken:
                return lambda fd=fd: os.close(fd)  # closing releases the flock
            os.close(fd)
        return None

    def acquire(self, limit=None):
        deadline = self.clock() + SLOT_PATIENCE
        while True:
            release = self.try_acquire(limit)
            if release is not None or self.clock() >= deadline:
                return release
            self.poll(SLOT_POLL)


class Ticket(object):
    """One attempt's turn: ``waited`` seconds of pacing; :meth:`release` frees its slot (once)."""

    def __init__(self, waited, release=None):
        self.waited = waited
        self._release = release

    def release(self):
        release, self._release = self._release, None
        if release is not None:
            release()


class Pacer(object):
    """The pace of one vendor account (see the module docstring).

    ``state`` is a :class:`FileState` (shared) or :class:`MemoryState` (this process, the default); ``slots`` a
    :class:`FileSlots`, :class:`MemorySlots` or None (no cap); ``reserve`` the tokens a bucket keeps. ``sleep`` and
    ``clock`` are injected by tests. A vendor that reports its allowance overrides :meth:`allowance`.
    """

    def __init__(self, state=None, slots=None, reserve=2, sleep=time.sleep, clock=time.time):
        self.state = state if state is not None else MemoryState()
        self.slots = slots
        self.reserve = reserve
        self.sleep = sleep
        self.clock = clock
        self.waited = 0.0
        self.warnings = []
        self._local = threading.local()  # ``cleared``: the end of the block this thread's own refusal pause waits out

    @classmethod
    def shared(cls, scope, key, directory=None, slots=0, vendor='the vendor', **kwargs):
        """A pacer on the state file ``pace-<scope>-<key>.json`` in the lock directory (``directory``, else
        ``DOMAINSEC_LOCK_DIR``, else the default), with ``slots`` slot files; in the process, with a warning in
        ``warnings``, when that directory cannot be used."""
        directory = lock_directory(directory)
        stem = 'pace-%s-%s' % (scope, key)
        try:
            if not HAS_FCNTL:  # pragma: no cover
                raise OSError(errno.ENOTSUP, 'no fcntl on this system')
            make_lock_directory(directory)
            state = FileState(os.path.join(directory, stem + '.json'))
            state.update(lambda data: None)  # proves it can be locked and written
            limiter = FileSlots(directory, stem, slots) if slots else None
            if limiter is not None:
                os.close(os.open(limiter.paths[0], os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o600))  # a slot file can be made
        except (IOError, OSError) as exc:
            pacer = cls(slots=MemorySlots(slots) if slots else None, **kwargs)
            pacer.warnings.append(
                'lock_dir (or %s): the pace of %s requests cannot be shared with the other runs on this controller, '
                'so this run paces only itself (%s: %s). Give a directory this user can write.'
                % (LOCK_DIR_ENV, vendor, directory, getattr(exc, 'strerror', None) or exc))
            return pacer
        return cls(state=state, slots=limiter, **kwargs)

    # -- the vendor's report ---------------------------------------------------------------------------------------
    def allowance(self, response):
        """``{remaining, capacity, rate[, concurrency]}`` the vendor reported in ``response``, or None."""
        return None

    # -- the transport's calls -------------------------------------------------------------------------------------
    # What a thread learnt of its last attempt is kept in ``_local`` and told to the state with its next turn:
    # ``cleared`` (the end of the block its own refusal pause waited out), ``answered`` (the attempt was not refused:
    # for Virusdie a refusal is an ordinary HTTP 200 answer, known only when refused() is called after it) and
    # ``paced`` (the generation of the interval the attempt kept: a count of the interval's growths).
    def before_request(self):
        """Wait for this attempt's turn; its :class:`Ticket` (release it when the answer is in)."""
        local = self._local
        cleared, answered = getattr(local, 'cleared', 0), getattr(local, 'answered', False)
        local.cleared, local.answered = 0, False
        start, wait, concurrency, local.paced = self._update(lambda data: self._turn(data, cleared, answered))
        waited = 0.0
        while wait > 0:  # a refusal met while this one waited voids its place: it takes a new one
            waited += wait
            self.sleep(wait)
            start, wait, concurrency, local.paced = self._update(
                lambda data: self._again(data, cleared, local.paced, start))
        self.waited += waited
        return Ticket(waited, self._slot(concurrency))

    def after_response(self, response):
        """Note the vendor's report of its allowance, and whether the answer was a refusal (HTTP 429)."""
        self._local.answered = getattr(response, 'status', None) != 429
        report = self.allowance(response)
        if report:
            self._update(lambda data: self._observe(data, report))

    def refused(self, wait):
        """A refusal met by this thread, which now pauses ``wait`` seconds: every other request of the account waits
        as long, and when this attempt had kept the current interval, the interval grows."""
        self._local.answered = False
        paced = getattr(self._local, 'paced', None)
        self._local.cleared = self._update(lambda data: self._refusal(data, wait, paced))

    def close(self):
        if isinstance(self.state, FileState):
            self.state.close()
            self.state = MemoryState()

    # -- the state ---------------------------------------------------------------------------------------------------
    def _slot(self, concurrency):
        """The release callable of a slot (None without a cap)."""
        if self.slots is None:
            return None
        try:
            return self.slots.acquire(concurrency)
        except (IOError, OSError) as exc:  # the slot files went away: cap this process alone from now on
            self.slots = MemorySlots(len(self.slots.paths))
            self.warnings.append('the shared concurrency limit could not be kept (%s); this run keeps its own' % exc)
            return self.slots.acquire(concurrency)

    def _update(self, change):
        try:
            return self.state.update(change)
        except (IOError, OSError) as exc:  # the directory went away or filled up: pace this process alone from now on
            self.state = MemoryState()
            self.warnings.append('the shared pace could not be kept (%s); this run paces only itself' % exc)
            return self.state.update(change)

    def _fresh(self, data, now):
        """``data`` without what a clock set back or a stale file would make wrong."""
        if data.get('updated', 0) > now + 5:  # written "in the future": the clock went back
            data.clear()
        if now - data.get('refused_at', now) > FORGET:
            for name in ('interval', 'next_at', 'refused_at', 'generation'):
                data.pop(name, None)
        data['updated'] = now
        return data

    def _turn(self, data, cleared=0, answered=False):
        """(start, seconds to wait, slots to use, generation of the interval kept) for one attempt, its token and
        place taken; a block that ends by ``cleared`` was waited out already; ``answered``: the thread's previous attempt was
        not refused."""
        now = self.clock()
        self._fresh(data, now)
        if answered and data.get('interval'):
            data['interval'] *= DECAY
            if data['interval'] < 0.001:
                data.pop('interval')
        start = self._place(data, now, cleared)
        if data.get('rate'):
            rate, at = data['rate'], data.get('at', now)
            tokens = min(data.get('capacity', 1), data.get('remaining', 0) + (start - at) * rate)
            if tokens < self.reserve:
                start += (self.reserve - tokens) / rate
                tokens = self.reserve
            data['remaining'], data['at'] = tokens - 1, start
        return start, start - now, data.get('concurrency'), data.get('generation', 0)

    def _again(self, data, cleared, paced, start):
        """After the wait for ``start``: no more wait when no refusal came meanwhile (the interval's generation is
        the same, no block ends after ``start``); else a new start in the queue of the current interval (the token
        was taken already). The same tuple as :meth:`_turn`."""
        now = self.clock()
        self._fresh(data, now)
        if data.get('generation', 0) == paced and data.get('blocked_until', 0) <= max(start, cleared):
            return start, 0.0, data.get('concurrency'), paced
        start = self._place(data, now, cleared)
        return start, start - now, data.get('concurrency'), data.get('generation', 0)

    @staticmethod
    def _place(data, now, cleared):
        """The start of a request: after the block and its place in the queue of the account's requests (the
        interval), except what ends by ``cleared`` (waited out already); the place is taken."""
        start = now
        blocked = min(data.get('blocked_until', 0), now + MAX_BLOCK)
        if blocked > cleared:
            start = max(start, blocked)
        interval = min(data.get('interval', 0), MAX_INTERVAL)
        if interval > 0:
            if data.get('next_at', 0) > cleared:
                start = max(start, data['next_at'])
            data['next_at'] = max(start, cleared) + interval
        return start

    def _observe(self, data, report):
        """The vendor's report: the bucket is the lower of what the account's runs counted and what it says."""
        now = self.clock()
        self._fresh(data, now)
        rate = float(report['rate'])
        if rate > 0:
            remaining = float(report['remaining'])
            if data.get('rate'):
                counted = min(data.get('capacity', remaining), data.get('remaining', 0) + (now - data['at']) * data['rate'])
                remaining = min(remaining, counted)
            data.update(remaining=remaining, at=now, rate=rate, capacity=float(report['capacity']))
        if report.get('concurrency'):
            data['concurrency'] = int(report['concurrency'])

    def _refusal(self, data, wait, paced):
        """Hold the account ``wait`` seconds; the end of the block. The interval doubles only for an attempt that
        kept the current interval (its generation): the requests that took their turn at an older, faster pace (in
        flight when the vendor began refusing, or queued before) are refused too, and say nothing new."""
        now = self.clock()
        self._fresh(data, now)
        until = now + min(wait, MAX_BLOCK)
        data['blocked_until'] = max(min(data.get('blocked_until', 0), now + MAX_BLOCK), until)
        if paced is None or paced == data.get('generation', 0):
            data['interval'] = min(MAX_INTERVAL, max(STEP, data.get('interval', 0) * 2))
            data['generation'] = data.get('generation', 0) + 1
            data['next_at'] = data['blocked_until']  # the places taken at the old pace are void (see _again)
        data['refused_at'] = now
        return until
