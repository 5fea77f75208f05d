# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: the collection against hand-written ansible.builtin.uri playbooks, over a latency proxy.

    python tests/perf/bench.py [--latency-ms 0,30] [--repeat 3] [--scenarios records-50,hosts-200]
                               [--repeat-for records-1000=1] [--collection-root DIR] [--output NAME] [--quick]
                               [--forks 5,20]

(``scripts/bench.sh`` runs it in .venv.) The emulators (tests/emulators/harness.py) run in this process, each
behind a :class:`latency_proxy.LatencyProxy`; the playbooks of tests/perf/playbooks run with ansible-playbook
against the proxies (``*_API_URL``). Every scenario runs for the collection and for its uri baseline, alternating
which side goes first from one repetition to the next; each side starts from empty emulators, runs once (``first``)
and again (``rerun``), and the emulators' admin counters give its requests. Checked on every run: the playbook
succeeds, the zones/records/hosts exist afterwards, and both re-runs report changed=0 and send no write.

The ``fleet-N`` scenarios (not run unless named) run the collection playbook ``domainsec.onboard.onboard`` of the
checkout for N domains (DNS, monitoring, Virusdie, WAF) at each ``--forks``, beside their uri baseline
(``uri_fleet.yml``: the same four vendors' work with ansible.builtin.uri, on localhost, vendor after vendor), and
count what the vendors refused: Hardenize's 429s and Virusdie's "Too many requests" answers.

Writes ``build/bench/<output>.md`` (the table) and ``<output>.json`` (every sample), and the playbook output of the
last repetition of each run to ``build/bench/logs/<output>/``. Exit status 1 when a scenario broke.
"""

import argparse
import collections
import datetime
import json
import os
import re
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
ROOT = os.path.dirname(TESTS)
PLAYBOOKS = os.path.join(HERE, 'playbooks')
sys.path.insert(0, TESTS)
sys.path.insert(0, HERE)

from emulators import harness  # noqa: E402  pylint: disable=wrong-import-position
from latency_proxy import LatencyProxy  # noqa: E402  pylint: disable=wrong-import-position

VENDORS = ('securityspace', 'hardenize')
FLEET_VENDORS = VENDORS + ('virusdie', 'sigsci')
VENDOR_SHORT = {'securityspace': 'ss', 'hardenize': 'hz', 'virusdie': 'vd', 'sigsci': 'sg'}
URL_VARS = {'securityspace': ('SECURITYSPACE_API_URL', '/api'), 'hardenize': ('HARDENIZE_API_URL', ''),
            'virusdie': ('VIRUSDIE_API_URL', '/api'), 'sigsci': ('SIGSCI_API_URL', '/api/v0')}
VIRUSDIE_TOO_MANY = 145905  # Virusdie's rate-limit error (tests/emulators/virusdie.py E_TOO_MANY)
SIDES = ('collection', 'uri')
PHASES = ('first', 'rerun')

# name -> (kind, size); kind picks the playbooks and the input.
SCENARIOS = collections.OrderedDict([
    ('records-10', ('records', 10)),
    ('records-50', ('records', 50)),
    ('records-200', ('records', 200)),
    ('records-1000', ('records', 1000)),
    ('hosts-200', ('hosts', 200)),
    ('role-1', ('role', 1)),
    ('role-10', ('role', 10)),
    ('fleet-10', ('fleet', 10)),
    ('fleet-30', ('fleet', 30)),
    ('fleet-100', ('fleet', 100)),
])
DEFAULT_SCENARIOS = tuple(name for name, (kind, size) in SCENARIOS.items() if kind != 'fleet')
PLAYBOOK = {
    ('records', 'collection'): 'collection_records.yml', ('records', 'uri'): 'uri_records.yml',
    ('hosts', 'collection'): 'collection_hosts.yml', ('hosts', 'uri'): 'uri_hosts.yml',
    ('role', 'collection'): 'collection_onboard.yml', ('role', 'uri'): 'uri_onboard.yml',
    ('fleet', 'collection'): 'domainsec.onboard.onboard',  # the checkout's own playbook, by its name
    ('fleet', 'uri'): 'uri_fleet.yml',
}
QUICK_SCENARIOS = ('records-10',)
RECAP = re.compile(r'^\S+\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)


class BenchError(Exception):
    """A scenario broke: a playbook failed, a re-run changed something, the end state is wrong."""


# -- input -----------------------------------------------------------------------------------------------------------
def record_list(count):
    """``count`` A records h0001.. with addresses of the benchmarking network 198.18.0.0/15."""
    return [{'type': 'A', 'name': 'h%04d' % i, 'value': '198.18.%d.%d' % (i // 250, i % 250 + 1)}
            for i in range(1, count + 1)]


def domain_records(domain, number):
    """What an onboarded domain gets: apex and mail addresses, www, MX and SPF."""
    return [
        {'type': 'A', 'name': '', 'value': '192.0.2.%d' % number},
        {'type': 'A', 'name': 'mail', 'value': '192.0.2.%d' % (100 + number)},
        {'type': 'CNAME', 'name': 'www', 'value': domain},
        {'type': 'MX', 'name': '', 'value': 'mail.' + domain, 'priority': 10},
        {'type': 'TXT', 'name': '', 'value': 'v=spf1 mx -all'},
    ]


def scenario_input(name):
    """The extra vars of a scenario, the same file for both sides (each playbook reads its keys)."""
    kind, size = SCENARIOS[name]
    if kind == 'records':
        return {'bench_zones': [{'name': 'n%d.bench.example' % size, 'records': record_list(size)}],
                'bench_hostnames': [], 'bench_domains': []}
    if kind == 'hosts':
        return {'bench_zones': [], 'bench_domains': [],
                'bench_hostnames': ['h%03d.hosts.bench.example' % i for i in range(1, size + 1)]}
    domains = []
    for number in range(1, size + 1):
        domain = 'onboard-%02d.bench.example' % number
        domains.append({'name': domain, 'records': domain_records(domain, number), 'hostnames': [domain, 'www.' + domain]})
    data = {'bench_domains': domains,
            'bench_zones': [{'name': d['name'], 'records': d['records']} for d in domains],
            'bench_hostnames': [h for d in domains for h in d['hostnames']]}
    if kind == 'fleet':  # the stages without waits of their own (no certificate, hook or audit); three Virusdie options
        data['onboard_domains'] = [{'name': d['name'], 'records': d['records'], 'monitor_hostnames': d['hostnames']}
                                   for d in domains]
        data['onboard_defaults'] = {'monitoring': True, 'monitor_groups': ['bench'], 'virusdie': True,
                                    'virusdie_scan_period': 43200, 'virusdie_auto_treatment': True, 'waf': True}
        # The same for uri_fleet.yml (the role's defaults: firewall on, WAF agent level log, display name the domain)
        data.update(bench_hz_groups=['bench'], bench_sites=[d['name'] for d in domains],
                    bench_site_options={'scanperiod': 43200, 'firewall': 1, 'autotreatment': 1},
                    bench_waf_sites=[{'name': d['name'].replace('.', '-'), 'displayName': d['name'], 'agentLevel': 'log'}
                                     for d in domains])
    return data


# -- emulators -------------------------------------------------------------------------------------------------------
class Bench(object):
    """The emulators, their proxies, the collection under test, and the runs."""

    def __init__(self, collection_root, output_dir, log_dir, vendors=VENDORS):
        self.vendors = vendors
        self.refused = {}  # vendor -> rate-limit refusals that are no HTTP status of their own (Virusdie's)
        self.collection_root = collection_root
        self.output_dir = output_dir
        self.log_dir = log_dir
        self.state_dir = tempfile.mkdtemp(prefix='domainsec-bench-')
        self.harness = None
        self.proxies = {}
        self.env = None
        self.collections_path = os.path.join(self.state_dir, 'collections')
        link = os.path.join(self.collections_path, 'ansible_collections', 'domainsec', 'onboard')
        os.makedirs(os.path.dirname(link))
        os.symlink(collection_root, link)
        self._ctx = None

    def start(self):
        self.harness = harness.start(os.path.join(self.state_dir, 'emulators'), vendors=list(self.vendors))
        if 'virusdie' in self.harness.emulators:
            self.count_virusdie_refusals(self.harness.emulators['virusdie'])
        self._ctx = ssl.create_default_context(cafile=self.harness.ca_path)
        # This environment, without vendor settings of its own, plus the harness's URLs, credentials and CA.
        env = dict((k, v) for k, v in os.environ.items()
                   if not k.startswith(('SECURITYSPACE_', 'HARDENIZE_', 'CYBERSSL_', 'SIGSCI_', 'VIRUSDIE_', 'DOMAINSEC_',
                                        'EMULATOR_', 'ANSIBLE_')))
        env.update(self.harness.env())
        for vendor in self.vendors:
            upstream = self.harness.servers[vendor].port
            proxy = LatencyProxy('127.0.0.1', upstream, name=vendor).start()
            self.proxies[vendor] = proxy
            var, suffix = URL_VARS[vendor]
            env[var] = proxy.url + suffix
        env.update({
            'ANSIBLE_COLLECTIONS_PATH': self.collections_path,
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_FORCE_COLOR': '0',
            'ANSIBLE_RETRY_FILES_ENABLED': '0',
            'ANSIBLE_LOCALHOST_WARNING': '0',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0',
            'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
        })
        self.env = env

    def count_virusdie_refusals(self, app):
        """Count Virusdie's "Too many requests" answers (HTTP 200 envelopes, so not in the status counters): the
        emulator's admission check, wrapped in this process."""
        admit = app._admit  # pylint: disable=protected-access
        self.refused['virusdie'] = 0
        lock = threading.Lock()  # the emulator answers on many threads

        def counted():
            try:
                admit()
            except Exception as exc:
                if getattr(exc, 'code', None) == VIRUSDIE_TOO_MANY:
                    with lock:
                        self.refused['virusdie'] += 1
                raise
        app._admit = counted  # pylint: disable=protected-access

    def stop(self):
        for proxy in self.proxies.values():
            proxy.stop()
        if self.harness is not None:
            self.harness.stop()
        shutil.rmtree(self.state_dir, ignore_errors=True)

    def set_latency(self, delay_ms):
        for proxy in self.proxies.values():
            proxy.delay_ms = delay_ms

    def admin(self, vendor, path, body=None):
        url = '%s/%s' % (self.harness.admin_urls[vendor], path)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method='GET' if data is None else 'POST',
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, context=self._ctx, timeout=30) as answer:
            return json.loads(answer.read())

    def reset(self, counters_only=False):
        for vendor in self.vendors:
            self.admin(vendor, 'reset', {'counters_only': counters_only})
        for proxy in self.proxies.values():
            proxy.reset_stats()
        for vendor in self.refused:
            self.refused[vendor] = 0

    def counters(self):
        result = {}
        for vendor in self.vendors:
            report = self.admin(vendor, 'counters')
            statuses = dict((k, v) for k, v in report.get('statuses', {}).items() if not k.startswith('2'))
            result[vendor] = {'total': report['total'], 'writes': report['writes'], 'reads': report['total'] - report['writes'],
                              'counts': report['counts'], 'other_statuses': statuses,
                              'connections': self.proxies[vendor].connections}
            if vendor in self.refused:
                result[vendor]['refused'] = self.refused[vendor]
        return result

    # -- a run ---------------------------------------------------------------------------------------------------
    def playbook(self, playbook, vars_file, log_name, forks=None, env=None):
        command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
                   os.path.join(PLAYBOOKS, playbook) if playbook.endswith('.yml') else playbook, '-e', '@' + vars_file]
        if forks:
            command += ['--forks', str(forks)]
        started = time.monotonic()
        result = subprocess.run(command, env=dict(self.env, **(env or {})), cwd=self.state_dir, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                universal_newlines=True, timeout=3600, check=False)
        seconds = time.monotonic() - started
        log_path = os.path.join(self.log_dir, log_name + '.log')
        os.makedirs(self.log_dir, exist_ok=True)  # another run of the same --output may have cleared it
        with open(log_path, 'w', encoding='utf-8') as handle:
            handle.write('$ %s\n%s' % (' '.join(command), result.stdout))
        recap = RECAP.findall(result.stdout)
        if result.returncode != 0 or not recap:
            raise BenchError('%s failed (rc=%d), output in %s:\n%s'
                             % (playbook, result.returncode, log_path, tail(result.stdout, 40)))
        ok, changed, unreachable, failed = (int(n) for n in recap[-1])
        if unreachable or failed:
            raise BenchError('%s: unreachable=%d failed=%d, output in %s' % (playbook, unreachable, failed, log_path))
        return {'seconds': round(seconds, 3), 'ok': ok, 'changed': changed, 'log': log_path}

    def run_side(self, scenario, side, vars_file, tag, forks=None):
        """First run and re-run of one side from empty emulators: {phase: sample}. The two runs share a lock
        directory of their own (the collection's shared pacing state), as two runs on one controller do."""
        kind = SCENARIOS[scenario][0]
        playbook = PLAYBOOK[(kind, side)]
        self.reset()
        samples = {}
        env = {'DOMAINSEC_LOCK_DIR': tempfile.mkdtemp(prefix='locks-', dir=self.state_dir)}
        for phase in PHASES:
            self.reset(counters_only=True)
            sample = self.playbook(playbook, vars_file, '%s-%s-%s-%s' % (scenario, side, phase, tag), forks, env)
            sample['requests'] = self.counters()
            samples[phase] = sample
            where = '%s %s %s run (%s)' % (scenario, side, phase, sample['log'])
            if phase == 'first' and sample['changed'] == 0:
                raise BenchError('%s: nothing changed on a first run' % where)
            if phase == 'rerun':
                writes = sum(v['writes'] for v in sample['requests'].values())
                if sample['changed'] != 0 or writes != 0:
                    raise BenchError('%s: a re-run must change nothing, it reported changed=%d and sent %d writes'
                                     % (where, sample['changed'], writes))
            with open(vars_file, encoding='utf-8') as handle:
                self.check_state(json.load(handle), where)
        return samples

    def check_state(self, data, where):
        """The zones, records and hosts of ``data`` exist (each once) and the zones are published."""
        problems = []
        if data['bench_zones']:
            domains = self.admin('securityspace', 'state')['domains']
            for zone in data['bench_zones']:
                domain = domains.get(zone['name'])
                if domain is None:
                    problems.append('zone %s missing' % zone['name'])
                    continue
                if not domain['published'] or domain['state'] not in (2, 3):
                    problems.append('zone %s not published (state %s)' % (zone['name'], domain['stateText']))
                have = collections.Counter(record_key(r) for r in domain['records']
                                           if r['type'] not in ('SOA', 'NS', 'Options'))
                want = collections.Counter(normal_key(r) for r in zone['records'])
                if have != want:
                    missing, extra = want - have, have - want
                    problems.append('zone %s: %d records missing (%s), %d unexpected (%s)' % (
                        zone['name'], sum(missing.values()), list(missing)[:3], sum(extra.values()), list(extra)[:3]))
        if data['bench_hostnames']:
            hosts = dict((h['hostname'], h) for h in self.admin('hardenize', 'state')['hosts'])
            missing = [h for h in data['bench_hostnames'] if h not in hosts]
            unmonitored = [h for h in data['bench_hostnames'] if h in hosts and hosts[h]['status'] != 'monitored']
            if missing or unmonitored:
                problems.append('hosts: %d missing (%s), %d not monitored' % (len(missing), missing[:3], len(unmonitored)))
        if data.get('onboard_domains'):
            names = sorted(d['name'] for d in data['onboard_domains'])
            sites = collections.Counter(s['domain'] for s in self.admin('virusdie', 'state')['sites'])
            wrong = [s for s in sites.elements() if sites[s] != 1 or s not in names] + [n for n in names if n not in sites]
            unset = [s['domain'] for s in self.admin('virusdie', 'state')['sites']
                     if (s.get('scanperiod'), s.get('firewallstatus'), s.get('autotreatment')) != (43200, 1, 1)]
            waf = collections.Counter(s['name'] for s in self.admin('sigsci', 'state')['sites'])
            waf_wrong = [n for n in names if waf[n.replace('.', '-')] != 1]
            if wrong or unset or waf_wrong:
                problems.append('Virusdie sites missing or twice: %s, options not set: %s; WAF sites missing or twice: %s'
                                % (wrong[:3], unset[:3], waf_wrong[:3]))
        if problems:
            raise BenchError('%s: wrong end state: %s' % (where, '; '.join(problems)))

    def check_proxy(self, delay_ms=30):
        """One HTTPS request over a new connection through the proxy: the certificate verifies, and it costs about
        three round trips (TCP, TLS, the request)."""
        vendor = VENDORS[0]
        self.proxies[vendor].delay_ms = delay_ms
        url = '%s/_emulator/config' % self.proxies[vendor].url
        started = time.monotonic()
        with urllib.request.urlopen(url, context=self._ctx, timeout=30) as answer:
            answer.read()
        seconds = time.monotonic() - started
        self.proxies[vendor].delay_ms = 0
        low, high = 5 * delay_ms / 1000.0, 6 * delay_ms / 1000.0 + 0.5
        if not low <= seconds <= high:
            raise BenchError('the latency proxy is off: one request on a new connection at %d ms took %.3f s '
                             '(expected %.2f-%.2f s)' % (delay_ms, seconds, low, high))
        return seconds


def normal_value(value):
    return str(value).strip().rstrip('.').strip('"').lower()


def normal_key(record):
    """A wanted record as (type, name, value, priority)."""
    return (record['type'], normal_value(record.get('name', '')), normal_value(record['value']),
            str(record.get('priority', 10)) if record['type'] == 'MX' else '')


def record_key(record):
    """A stored record (emulator state) as (type, name, value, priority)."""
    data = record['data']
    if record['type'] == 'MX':
        return ('MX', normal_value(data.get('host', '')), normal_value(data['data']), str(data.get('pri')))
    return (record['type'], normal_value(data.get('name', '')), normal_value(data.get('data', '')), '')


def tail(text, lines):
    return '\n'.join(text.splitlines()[-lines:])


# -- the report ------------------------------------------------------------------------------------------------------
def request_summary(requests):
    """'59 (ss 8r+51w)' from the counters of one run."""
    total = sum(v['total'] for v in requests.values())
    parts = ['%s %dr+%dw' % (VENDOR_SHORT[vendor], v['reads'], v['writes']) for vendor, v in requests.items() if v['total']]
    others = collections.Counter()
    for v in requests.values():
        others.update(v['other_statuses'])
    note = (', ' + ', '.join('%s x%d' % item for item in sorted(others.items()))) if others else ''
    return '%d (%s%s)' % (total, ', '.join(parts) or '-', note)


def seconds_summary(values):
    if len(values) == 1:
        return '%.2f' % values[0]
    return '%.2f [%.2f-%.2f]' % (statistics.median(values), min(values), max(values))


def ratio(a, b):
    return '%.2f' % (a / b) if b else '-'


def aggregate(samples):
    """{(latency, scenario, phase): {side: {'seconds': [...], 'requests': last counters, 'totals': [...]}}}."""
    table = collections.OrderedDict()
    for sample in samples:
        if SCENARIOS[sample['scenario']][0] == 'fleet':
            continue  # fleet_table
        key = (sample['latency_ms'], sample['scenario'], sample['phase'])
        side = table.setdefault(key, {}).setdefault(sample['side'], {'seconds': [], 'totals': [], 'requests': None})
        side['seconds'].append(sample['seconds'])
        side['totals'].append(sum(v['total'] for v in sample['requests'].values()))
        side['requests'] = sample['requests']
    return table


def fleet_table(samples):
    """The fleet runs, one row each: requests per vendor, per domain, what the vendors refused, the wall time, and
    the collection's time over its uri baseline's (the last baseline sample of the same scenario, forks and run)."""
    lines = ['## The collection playbook for N domains (fleet), beside its uri baseline', '',
             'requests: reads r + writes w per vendor (vd Virusdie, sg Signal Sciences); refused: Hardenize HTTP 429s, '
             'Virusdie "Too many requests" answers (each sent again once waited out); time ratio: collection / uri', '',
             '| scenario | latency | forks | side | run | requests | per domain | hz 429 | vd refused | s | time ratio |',
             '|---|---|---|---|---|---|---|---|---|---|---|']
    baseline = dict(((s['scenario'], s['latency_ms'], s.get('forks'), s['phase']), s['seconds'])
                    for s in samples if s['side'] == 'uri')
    for sample in samples:
        requests = sample['requests']
        total = sum(v['total'] for v in requests.values())
        base = baseline.get((sample['scenario'], sample['latency_ms'], sample.get('forks'), sample['phase']))
        lines.append('| %s | %d ms | %s | %s | %s | %s | %.1f | %d | %d | %.1f | %s |' % (
            sample['scenario'], sample['latency_ms'], sample.get('forks') or '5 (default)', sample['side'],
            sample['phase'], request_summary(requests), total / float(SCENARIOS[sample['scenario']][1]),
            requests.get('hardenize', {}).get('other_statuses', {}).get('429', 0),
            requests.get('virusdie', {}).get('refused', 0), sample['seconds'],
            ratio(sample['seconds'], base) if sample['side'] == 'collection' and base else '-'))
    return lines + ['']


def markdown(samples, meta):
    table = aggregate(samples)
    lines = ['# Benchmark: domainsec.onboard against hand-written ansible.builtin.uri playbooks', '',
             '- collection: `%s` (%s)' % (meta['collection_root'], meta['collection_version']),
             '- %s; ansible-core %s; Python %s; %d CPUs; load average %s at the start, %s at the end; %s s in all' % (
                 meta['date'], meta['ansible_core'], meta['python'], meta['cpus'], meta['load_before'], meta.get('load_after', '?'),
                 meta.get('seconds', '?')),
             '- latency proxy: %s ms each way (a new connection pays one more round trip); repetitions: %s' % (
                 ', '.join(str(x) for x in meta['latencies_ms']), meta['repetitions']),
             '- requests: reads r + writes w per vendor (ss SecuritySpace, hz Hardenize), from the emulators\' counters;'
             ' time: wall time of ansible-playbook in seconds, median [min-max]; n: repetitions (collection/uri when they differ);'
             ' ratio: collection / uri', '']
    for latency in meta['latencies_ms']:
        lines += ['## %d ms each way' % latency, '',
                  '| scenario | run | n | collection requests | uri requests | requests ratio | collection s | uri s | time ratio |',
                  '|---|---|---|---|---|---|---|---|---|']
        for (lat, scenario, phase), sides in table.items():
            if lat != latency or not all(side in sides for side in SIDES):
                continue
            coll, base = sides['collection'], sides['uri']
            count = '%d' % len(coll['seconds'])
            if len(base['seconds']) != len(coll['seconds']):
                count += '/%d' % len(base['seconds'])
            lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
                scenario, phase, count, request_summary(coll['requests']), request_summary(base['requests']),
                ratio(statistics.median(coll['totals']), statistics.median(base['totals'])),
                seconds_summary(coll['seconds']), seconds_summary(base['seconds']),
                ratio(statistics.median(coll['seconds']), statistics.median(base['seconds']))))
        lines.append('')
    fleet = [s for s in samples if SCENARIOS[s['scenario']][0] == 'fleet']
    if fleet:
        lines += fleet_table(fleet)
    varying = sorted(set('%s %s %s %d ms' % (s, p, side, lat) for (lat, s, p), sides in table.items()
                         for side, v in sides.items() if len(set(v['totals'])) > 1))
    if varying:
        lines += ['Request counts that varied between repetitions (the last one is shown): %s' % ', '.join(varying), '']
    if meta.get('notes'):
        lines += ['Notes: %s' % '; '.join(meta['notes']), '']
    return '\n'.join(lines)


# -- main ------------------------------------------------------------------------------------------------------------
def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog='Scenarios: %s' % ', '.join(SCENARIOS))
    parser.add_argument('--latency-ms', default=None, help='comma-separated one-way delays (default 0,30; --quick: 0)')
    parser.add_argument('--repeat', type=int, default=None, help='repetitions of each scenario (default 3; --quick: 1)')
    parser.add_argument('--repeat-for', action='append', default=[], metavar='SCENARIO=N[/M]',
                        help='other repetitions for one scenario: N for both sides, or N for the collection and M for '
                             'the uri baseline (records-1000=3/1; M=0 leaves the baseline out, as for the before side '
                             'of a before/after pair); may be repeated')
    parser.add_argument('--scenarios', action='append', default=[],
                        help='comma-separated scenario names (default: all; --quick: records-10)')
    parser.add_argument('--collection-root', default=ROOT,
                        help='the checkout of the collection to benchmark (default: this one)')
    parser.add_argument('--output', default=None, help='name of the result files in build/bench/ (default results; --quick: quick)')
    parser.add_argument('--output-dir', default=os.path.join(ROOT, 'build', 'bench'))
    parser.add_argument('--quick', action='store_true',
                        help='smoke run: records-10 once at 0 ms, plus a check of the latency proxy')
    parser.add_argument('--forks', default=None,
                        help='comma-separated --forks of the fleet scenarios, one run each (default: Ansible\'s, 5)')
    args = parser.parse_args(argv)
    args.latencies = [int(x) for x in (args.latency_ms or ('0' if args.quick else '0,30')).split(',') if x.strip()]
    args.repeat = args.repeat or (1 if args.quick else 3)
    names = [n.strip() for value in args.scenarios for n in value.split(',') if n.strip()]
    args.scenario_names = names or list(QUICK_SCENARIOS if args.quick else DEFAULT_SCENARIOS)
    unknown = [n for n in args.scenario_names if n not in SCENARIOS]
    if unknown:
        parser.error('unknown scenario(s) %s; known: %s' % (', '.join(unknown), ', '.join(SCENARIOS)))
    args.repeats = dict((n, {'collection': args.repeat, 'uri': args.repeat}) for n in args.scenario_names)
    for item in args.repeat_for:
        match = re.match(r'^([a-z0-9-]+)=([1-9][0-9]*)(?:/([0-9]+))?$', item)
        if not match or match.group(1) not in SCENARIOS:
            parser.error('--repeat-for wants SCENARIO=N or SCENARIO=N/M, got %r' % item)
        if match.group(1) in args.repeats:
            args.repeats[match.group(1)] = {'collection': int(match.group(2)), 'uri': int(match.group(3) or match.group(2))}
    args.forks = [int(x) for x in args.forks.split(',') if x.strip()] if args.forks else [None]
    args.output = args.output or ('quick' if args.quick else 'results')
    args.collection_root = os.path.realpath(args.collection_root)
    if not os.path.isfile(os.path.join(args.collection_root, 'galaxy.yml')):
        parser.error('%s holds no galaxy.yml: not a collection checkout' % args.collection_root)
    return args


def collection_version(root):
    try:
        head = subprocess.run(['git', '-C', root, 'rev-parse', '--short', 'HEAD'], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, universal_newlines=True, check=True).stdout.strip()
        dirty = subprocess.run(['git', '-C', root, 'status', '--porcelain', '--', 'plugins', 'roles'],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return 'not a git checkout'
    return 'git %s%s' % (head, ', plugins/ or roles/ modified' if dirty.strip() else '')


def ansible_core_version():
    try:
        from ansible.release import __version__  # pylint: disable=import-outside-toplevel
    except ImportError:
        return 'unknown'
    return __version__


def repetitions_text(args):
    """'3' or '3 (records-1000: collection 3, uri 1)'."""
    others = ['%s: collection %d, uri %d' % (name, n['collection'], n['uri']) for name, n in args.repeats.items()
              if (n['collection'], n['uri']) != (args.repeat, args.repeat)]
    return '%d%s' % (args.repeat, ' (%s)' % '; '.join(others) if others else '')


def load_average():
    try:
        return ' '.join('%.2f' % x for x in os.getloadavg())
    except OSError:
        return 'unknown'


def write_results(args, samples, meta):
    text = markdown(samples, meta)
    with open(os.path.join(args.output_dir, args.output + '.md'), 'w', encoding='utf-8') as handle:
        handle.write(text)
    with open(os.path.join(args.output_dir, args.output + '.json'), 'w', encoding='utf-8') as handle:
        json.dump({'meta': meta, 'samples': samples}, handle, indent=1, sort_keys=True)
    return text


def main(argv=None):
    args = parse_args(argv)
    log_dir = os.path.join(args.output_dir, 'logs', args.output)
    shutil.rmtree(log_dir, ignore_errors=True)
    os.makedirs(log_dir, exist_ok=True)
    meta = {'collection_root': args.collection_root, 'collection_version': collection_version(args.collection_root),
            'date': datetime.datetime.now().strftime('%Y-%m-%d %H:%M'), 'ansible_core': ansible_core_version(),
            'python': '%d.%d.%d' % sys.version_info[:3], 'cpus': os.cpu_count() or 0, 'latencies_ms': args.latencies,
            'repetitions': repetitions_text(args),
            'scenarios': args.scenario_names, 'notes': [], 'load_before': load_average()}
    vars_dir = tempfile.mkdtemp(prefix='domainsec-bench-vars-')
    vars_files = {}
    for name in args.scenario_names:
        vars_files[name] = os.path.join(vars_dir, name + '.json')
        with open(vars_files[name], 'w', encoding='utf-8') as handle:
            json.dump(scenario_input(name), handle)
    fleet = any(SCENARIOS[name][0] == 'fleet' for name in args.scenario_names)
    bench = Bench(args.collection_root, args.output_dir, log_dir, FLEET_VENDORS if fleet else VENDORS)
    samples = []
    started = time.monotonic()
    failure = None
    print('benchmark of %s (%s): scenarios %s, %s ms, repetitions %s; logs in %s' % (
        args.collection_root, meta['collection_version'], ', '.join(args.scenario_names),
        ','.join(str(x) for x in args.latencies), meta['repetitions'], log_dir), flush=True)
    try:
        bench.start()
        if args.quick:
            seconds = bench.check_proxy()
            print('latency proxy: one HTTPS request on a new connection at 30 ms each way took %.3f s' % seconds, flush=True)
            meta['notes'].append('proxy check: one HTTPS request on a new connection at 30 ms took %.3f s' % seconds)
        for latency in args.latencies:
            bench.set_latency(latency)
            for rep in range(max(max(n.values()) for n in args.repeats.values())):
                # Alternate which side goes first, so neither always runs on a warmer machine.
                order = SIDES if rep % 2 == 0 else tuple(reversed(SIDES))
                for scenario, forks in [(n, f) for n in args.scenario_names
                                        for f in (args.forks if SCENARIOS[n][0] == 'fleet' else [None])]:
                    for side in order:
                        if rep >= args.repeats[scenario][side]:
                            continue
                        tag = '%dms' % latency + ('-forks%d' % forks if forks else '')
                        runs = bench.run_side(scenario, side, vars_files[scenario], tag, forks)
                        for phase in PHASES:
                            sample = dict(runs[phase], scenario=scenario, side=side, phase=phase, latency_ms=latency,
                                          rep=rep + 1, forks=forks)
                            samples.append(sample)
                            print('[%3d ms] %-12s rep %d/%d %-10s %-5s %7.2f s  changed=%-4d %s' % (
                                latency, scenario + (' forks %d' % forks if forks else ''), rep + 1,
                                args.repeats[scenario][side], side, phase, sample['seconds'], sample['changed'],
                                request_summary(sample['requests'])), flush=True)
                        write_results(args, samples, meta)  # partial results survive an interrupted run
    except BenchError as exc:
        failure = str(exc)
    except KeyboardInterrupt:
        failure = 'interrupted'
    finally:
        bench.stop()
        shutil.rmtree(vars_dir, ignore_errors=True)
    meta['seconds'] = round(time.monotonic() - started, 1)
    meta['load_after'] = load_average()
    if failure:
        meta['notes'].append('INCOMPLETE: %s' % failure.splitlines()[0])
    text = write_results(args, samples, meta)
    print('\n' + text)
    print('written: %s.md and %s.json in %s (%.0f s)' % (args.output, args.output, args.output_dir, meta['seconds']))
    if failure:
        sys.stderr.write('\nBENCHMARK FAILED: %s\n' % failure)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
