# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pacing shared by every run of a vendor account (plugins/module_utils/pacing.py): two pacers on one lock directory
are two forks of a playbook; the clock and the sleep are injected, so nothing here sleeps for the pace."""

import json
import multiprocessing
import os
import threading
import time

import pytest

from unit.fake_http import FakeHttp, dropped
from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize as hz
from ansible_collections.domainsec.onboard.plugins.module_utils import http_transport as H
from ansible_collections.domainsec.onboard.plugins.module_utils import locks
from ansible_collections.domainsec.onboard.plugins.module_utils import pacing
from ansible_collections.domainsec.onboard.plugins.module_utils import virusdie as vd

KEY = locks.state_key('https://api.example.test/v1/org/demo')


class Clock(object):
    """A clock that only the recorded sleeps move."""

    def __init__(self, now=1000.0):
        self.now = now
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 3))
        self.now += seconds


class Answer(object):
    def __init__(self, allowance=None, status=200):
        self.status = status
        self.headers = {'X-Request-Allowance': allowance} if allowance else {}


def limiter(directory, clock, slots=0):
    return hz.RateLimiter.shared('hardenize', KEY, str(directory), slots=slots, sleep=clock.sleep, clock=clock)


def test_two_runs_share_one_bucket(tmp_path):
    clock = Clock()
    first, second = limiter(tmp_path, clock), limiter(tmp_path, clock)
    assert isinstance(first.state, pacing.FileState) and first.warnings == []
    first.before_request()  # nothing known yet: it goes
    first.after_response(Answer('r: 3/60 (+1/1s); c: 1/5'))
    second.before_request()  # 3 left, the reserve is 2: it goes, leaving 2
    second.before_request()  # 2 left: it goes, leaving 1
    assert clock.slept == []
    first.before_request()  # 1 left, as the other run counted: it waits until 2 are back
    assert clock.slept == [1.0]
    second.before_request()  # and the next one a second after it
    assert clock.slept == [1.0, 1.0]


def test_the_vendors_report_wins_when_it_says_less(tmp_path):
    clock = Clock()
    run = limiter(tmp_path, clock)
    run.after_response(Answer('r: 50/60 (+1/1s); c: 1/5'))
    run.after_response(Answer('r: 1/60 (+1/1s); c: 1/5'))  # another client of the organization used the rest
    run.before_request()
    assert clock.slept == [1.0]
    run.after_response(Answer('r: 59/60 (+1/1s); c: 1/5'))  # more than this account's runs counted: the count stands
    run.before_request()
    assert clock.slept == [1.0, 1.0]


def turns(directory, count, results):
    """A process's ``count`` turns against a bucket that (nearly) does not refill: how many went without waiting."""
    run = pacing.Pacer.shared('test', KEY, directory, reserve=1, sleep=lambda seconds: None)
    free = 0
    for dummy in range(count):
        waited = run.before_request().waited
        free += waited == 0
    results.put(free)


def test_real_processes_share_the_bucket(tmp_path):
    """Four processes of ten requests each against 20 requests left: exactly 20 go at once, whoever sends them."""
    seed = pacing.Pacer.shared('test', KEY, str(tmp_path), reserve=1)
    seed.state.update(lambda data: data.update(remaining=20, capacity=20, rate=1e-6, at=time.time()))
    context = multiprocessing.get_context('fork')
    results = context.Queue()
    processes = [context.Process(target=turns, args=(str(tmp_path), 10, results)) for dummy in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(30)
    assert sum(results.get(timeout=5) for dummy in processes) == 20


def test_at_most_five_in_flight_across_runs(tmp_path):
    """Six threads of two runs (3 each), each attempt holding its slot a little: never more than 5 at once."""
    clock = Clock()
    runs = [limiter(tmp_path, clock, slots=hz.RateLimiter.SLOTS) for dummy in range(2)]
    lock = threading.Lock()
    state = dict(running=0, peak=0, done=0)
    gate = threading.Barrier(6)

    def attempt(run):
        gate.wait()
        ticket = run.before_request()
        with lock:
            state['running'] += 1
            state['peak'] = max(state['peak'], state['running'])
        time.sleep(0.1)
        with lock:
            state['running'] -= 1
            state['done'] += 1
        ticket.release()
    threads = [threading.Thread(target=attempt, args=(runs[n % 2],), daemon=True) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert state == dict(running=0, peak=5, done=6)


def test_the_vendors_concurrency_limit_is_kept(tmp_path):
    clock = Clock()
    run = limiter(tmp_path, clock, slots=hz.RateLimiter.SLOTS)
    run.after_response(Answer('r: 50/60 (+1/1s); c: 1/2'))
    held = [run.before_request(), run.before_request()]
    assert run.slots.try_acquire(2) is None  # the vendor allows 2: the third waits
    held.pop().release()
    assert run.slots.try_acquire(2) is not None


def test_a_stale_state_and_a_dead_runs_slots_are_harmless(tmp_path):
    clock = Clock()
    state_file = tmp_path / ('pace-hardenize-%s.json' % KEY)
    # A run that died an hour ago: an empty bucket then, a refusal then, a slow interval then.
    state_file.write_text(json.dumps(dict(updated=clock.now - 3600, remaining=0, capacity=60, rate=1.0,
                                          at=clock.now - 3600, blocked_until=clock.now - 3500,
                                          interval=5.0, next_at=clock.now - 3500, refused_at=clock.now - 3600)))
    # ... and it held every slot when it was killed.
    child = os.fork()
    if child == 0:  # pragma: no cover (the child)
        slots = pacing.FileSlots(str(tmp_path), 'pace-hardenize-%s' % KEY, 5)
        for dummy in range(5):
            slots.try_acquire()
        os.kill(os.getpid(), 9)
    os.waitpid(child, 0)
    run = limiter(tmp_path, clock, slots=5)
    tickets = [run.before_request() for dummy in range(5)]
    assert clock.slept == [] and all(t.waited == 0 for t in tickets)
    for ticket in tickets:
        ticket.release()
    # A file cut short by a crash while writing, and one written "in the future" (a clock set back): read as empty.
    future = dict(updated=clock.now + 3600, blocked_until=clock.now + 3600, remaining=-50, rate=1.0, capacity=60,
                  at=clock.now + 3600)
    for text in ('{"remaining": 0, "rat', json.dumps(future)):
        state_file.write_text(text)
        limiter(tmp_path, clock).before_request()
        assert clock.slept == []


def test_an_unusable_lock_dir_paces_the_run_alone_with_a_warning(tmp_path):
    clock = Clock()
    blocker = tmp_path / 'not-a-dir'
    blocker.write_text('')
    run = limiter(blocker / 'locks', clock, slots=5)
    assert isinstance(run.state, pacing.MemoryState) and isinstance(run.slots, pacing.MemorySlots)
    assert len(run.warnings) == 1 and 'paces only itself' in run.warnings[0] and 'not-a-dir' in run.warnings[0]
    run.after_response(Answer('r: 1/60 (+1/1s); c: 1/5'))  # it still paces itself
    run.before_request().release()
    assert clock.slept == [1.0]
    # The client says so once, as a task warning, and works.
    params = dict(api_user='u', api_password='p' * 8, org='demo', api_url='https://hz.test', lock_dir=str(blocker / 'x'))
    client = hz.HardenizeClient.from_params(params)
    FakeHttp(default=lambda sent: (200, {'hosts': []}, {'X-Request-Allowance': 'r: 59/60 (+1/1s); c: 1/5'})).mount(client.http)
    assert client.list_hosts() == []
    assert [w for w in client.http.warnings if 'paces only itself' in w]


def test_a_lock_dir_that_goes_away_mid_run_is_no_failure(tmp_path):
    clock = Clock()
    locks = tmp_path / 'locks'
    run = limiter(locks, clock, slots=5)
    run.after_response(Answer('r: 1/60 (+1/1s); c: 1/5'))
    for name in os.listdir(str(locks)):
        os.remove(str(locks / name))
    os.rmdir(str(locks))
    (tmp_path / 'locks').write_text('')  # and a file in its place
    run.before_request().release()  # the state still open, the slot files gone: the run caps itself
    assert isinstance(run.slots, pacing.MemorySlots) and 'concurrency limit could not be kept' in run.warnings[-1]
    assert clock.slept == [1.0]


def test_a_refusal_holds_every_run_and_slows_the_pace(tmp_path):
    clock = Clock()
    first, second = (pacing.Pacer.shared('virusdie', KEY, str(tmp_path), sleep=clock.sleep, clock=clock)
                     for dummy in range(2))
    first.before_request()
    second.before_request()
    assert clock.slept == []  # nothing refused yet: no pace
    first.refused(2.0)  # the first run pauses 2 s itself (the transport's sleep) ...
    second.refused(1.0)  # (a request of the other run, in flight then, refused too: the same too-fast pace)
    second.before_request()  # ... and the other run waits as long
    assert clock.slept == [2.0]
    first.before_request()  # the refused run has waited its pause: it is not held twice, but the pace is slower now
    assert clock.slept == [2.0, pacing.STEP]
    first.refused(0.0)  # a second refusal doubles the interval
    second.before_request()
    second.before_request()
    assert clock.slept[-1] == pytest.approx(2 * pacing.STEP)
    for dummy in range(100):  # answers that are not refusals shrink the interval (told with the thread's next turn)
        first.after_response(Answer())
        first.before_request()
    interval = first.state.update(lambda data: data.get('interval'))
    assert interval == pytest.approx(2 * pacing.STEP * pacing.DECAY ** 100)
    clock.now += pacing.FORGET + 1  # and it is forgotten a while after the last refusal
    first.before_request()
    second.before_request()
    assert first.state.update(lambda data: data.get('interval')) is None


def test_a_refusal_met_while_a_request_waits_for_its_place_holds_it_too(tmp_path):
    clock = Clock()
    first = pacing.Pacer.shared('virusdie', KEY, str(tmp_path), sleep=clock.sleep, clock=clock)
    first.before_request()
    first.refused(1.0)  # an interval now, and a block of 1 s
    first.before_request()  # its own pause over, it goes (in the fake clock's terms: at once)

    def sleep(seconds):
        clock.sleep(seconds)
        if len(clock.slept) == 1:  # while the other run waits for its place, this run's request is refused again
            first.refused(3.0)
    second = pacing.Pacer.shared('virusdie', KEY, str(tmp_path), sleep=sleep, clock=clock)
    ticket = second.before_request()
    # it waited for the block and its place (1 s and the interval), then for the new block it found when it woke
    assert clock.slept == [pytest.approx(1 + pacing.STEP), 3.0] and ticket.waited == pytest.approx(4 + pacing.STEP)


def test_the_transport_tells_the_pacer_and_frees_the_slot_of_a_failed_attempt(tmp_path):
    clock = Clock()
    run = pacing.Pacer.shared('test', KEY, str(tmp_path), slots=1, sleep=clock.sleep, clock=clock)
    http = H.HttpClient('Vendor', pacer=run, sleep=clock.sleep, retries=0)
    fake = FakeHttp().on('*', dropped(), (429, {'message': 'slow down'}, {'Retry-After': '3'}), {'ok': 1}).mount(http)
    with pytest.raises(H.TransportError):
        http.request('GET', 'https://vendor.test/a')  # no answer ...
    release = run.slots.try_acquire()
    assert release is not None  # ... and the slot is free all the same
    release()
    assert http.request('GET', 'https://vendor.test/a').json() == {'ok': 1}  # a 429 waited out, then the answer
    assert len(fake.sent) == 3
    assert run.state.update(lambda data: data['interval']) == pacing.STEP  # the refusal reached the pacer
    assert len(clock.slept) == 1 and 3.0 <= clock.slept[0] <= 3.75  # the refusal's pause, once (the block was its own)


def test_virusdie_runs_of_one_key_wait_for_each_others_refusals(monkeypatch, tmp_path):
    monkeypatch.setenv('DOMAINSEC_LOCK_DIR', str(tmp_path))
    api_key = 'k' * 32
    params = dict(api_key=api_key, api_url='https://vd.test/api', rate_limit_wait=30)
    envelope = dict(version='1', keyid='k1', method='sites_list', timewait=1500, error=145905,
                    message='Too many requests', errorinfo='', result=None)
    runs = []
    for dummy in range(2):
        client, sleeps = vd.VirusdieClient.from_params(params), []
        client.http.sleep = sleeps.append
        runs.append((client, sleeps))
    (first, first_sleeps), (second, second_sleeps) = runs
    FakeHttp().on('*', envelope, dict(envelope, error=0, message='', result=[])).mount(first.http)
    FakeHttp().on('*', dict(envelope, error=0, message='', result=[])).mount(second.http)
    assert first.list_sites() == {}  # refused, waited out (1.5 s and jitter), sent again
    assert len(first_sleeps) == 1
    assert second.list_sites() == {}
    # held by the first run's refusal (its pause was recorded, not slept), though never refused itself
    assert len(second_sleeps) == 1 and 1.0 < second_sleeps[0] <= 2.0
    # The state names no key and holds none.
    names = os.listdir(str(tmp_path))
    assert names == ['pace-virusdie-%s.json' % locks.state_key('https://vd.test/api', api_key)]
    assert api_key not in names[0] and api_key not in (tmp_path / names[0]).read_text()
