# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""parallel_writes: a bounded pool that keeps every guarantee of one write at a time."""

import threading
import time

import pytest

from unit.fake_http import FakeHttp
from ansible_collections.domainsec.onboard.plugins.module_utils import http_transport as H
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace as ss
from ansible_collections.domainsec.onboard.plugins.module_utils import vendor_client as vc


def client(parallel_writes=4, fake=None):
    http = H.HttpClient('Vendor', parallel_writes=parallel_writes, sleep=lambda s: None)
    if fake is not None:
        fake.mount(http)
    return vc.VendorClient(http, {})


class Probe(object):
    """Writes that take a little time and record how many ran at once."""

    def __init__(self, fail_at=None, delay=0.02):
        self.lock = threading.Lock()
        self.running = self.peak = 0
        self.started = []
        self.fail_at = fail_at
        self.delay = delay

    def write(self, vendor, index):
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
            self.started.append(index)
        try:
            vendor.http._log('write %d' % index)
            time.sleep(self.delay)
            if index == self.fail_at:
                raise H.DomainsecError('write %d refused' % index)
            vendor.record_done('write', 'write %d' % index)
            return index * 10
        finally:
            with self.lock:
                self.running -= 1


@pytest.mark.parametrize('workers', [1, 4])
def test_results_trace_and_done_keep_the_plan_order(workers):
    vendor, probe = client(workers), Probe()
    results = vendor.parallel([lambda i=i: probe.write(vendor, i) for i in range(20)])
    assert results == [i * 10 for i in range(20)]
    assert vendor.http.trace == ['write %d' % i for i in range(20)]
    assert [d['what'] for d in vendor.done] == ['write %d' % i for i in range(20)]
    assert probe.peak == workers  # bounded, and used


def test_the_first_failure_stops_new_writes_and_the_done_ones_are_reported():
    vendor, probe = client(4), Probe(fail_at=5, delay=0.05)
    with pytest.raises(H.DomainsecError, match='write 5 refused'):
        vendor.parallel([lambda i=i: probe.write(vendor, i) for i in range(40)])
    started = sorted(probe.started)
    assert len(started) < 12  # the writes in flight finished; no new one started after the failure
    done = [d['what'] for d in vendor.done]
    assert 'write 5' not in done
    assert done == ['write %d' % i for i in started if i != 5]  # in plan order


@pytest.mark.parametrize('jitter, granted', [
    ('least', 3),  # 3.0 s each: three fit in 10 s (9 s), a fourth would not
    ('most', 2),   # 3.75 s each (3 s + a quarter): two fit (7.5 s), a third would not (11.25 s)
])
def test_one_budget_for_429s_across_threads(monkeypatch, jitter, granted):
    # The jitter pinned to either end of its range, so the count is exact (with real jitter it is 2 or 3).
    monkeypatch.setattr(H.random, 'uniform', lambda low, high: low if jitter == 'least' else high)
    vendor = client(4)
    vendor.http.rate_limit_wait = 10
    waited = []
    vendor.http.sleep = waited.append
    pauses = vendor.parallel([lambda: vendor.http.rate_limit_pause(0, retry_after=3) for dummy in range(8)])
    assert pauses.count(True) == granted and pauses.count(False) == 8 - granted
    assert waited == [3.0 if jitter == 'least' else 3.75] * granted


def test_securityspace_adds_over_the_pool_share_one_session_token():
    from emulators.securityspace import SecuritySpaceApp
    app = SecuritySpaceApp()
    fake = FakeHttp.for_app(app)
    params = dict(api_key=app.api_key, userid=app.userid, password=app.password,
                  api_url='https://secure1.securityspace.com/api', parallel_writes=4)
    ss_client = ss.SecuritySpaceClient.from_params(params)
    fake.mount(ss_client.http)
    ss_client.add_domain('pool.example', 'master')
    records = [dict(type='A', name='h%d' % i, value='192.0.2.%d' % (i + 1), ttl=None) for i in range(12)]
    ss_client.parallel([lambda r=r: ss_client.add_record('pool.example', r) for r in records])
    assert ss_client.token_count == 1
    names = sorted(r['name'] for r in ss_client.read_zone('pool.example')[1] if r['type'] == 'A')
    assert names == sorted('h%d' % i for i in range(12))
    assert [d['operation'] for d in ss_client.done].count('add_record') == 12
