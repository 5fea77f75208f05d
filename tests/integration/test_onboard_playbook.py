# -*- coding: utf-8 -*-
"""The collection playbook domainsec.onboard.onboard (playbooks/onboard.yml) run by FQCN against the emulators:
many domains where one vendor call fails for one domain, and check mode on a new domain through every stage."""

import json
import os
import re

import pytest

from test_targets import assert_no_secrets, failure_excerpt, run_playbook
from web_hosts import inventory, web_files

# The role runs on the second core in the onboard_domain target; the playbook at scale runs on the main core.
pytestmark = pytest.mark.main_core_only

VENDORS = ('securityspace', 'cyberssl', 'hardenize', 'virusdie', 'sigsci')


def write_vars(path, data):
    path.write_text(json.dumps(data))
    return '@%s' % path


def reset_all(emulators):
    for vendor in emulators.harness.emulators:
        emulators.reset(vendor)


def writes(emulators):
    return dict((vendor, emulators.counters(vendor)['writes']) for vendor in VENDORS)


def test_many_domains_one_failing(emulators, tmp_path):
    """6 domains side by side (forks 6), DNS + monitoring + WAF each; every request naming d04's WAF site fails
    with HTTP 500 (more often than the transport retries): 5 domains are onboarded, d04 is named with the reason, the
    others are whole. (6, not more: each domain costs about 3.5 CPU-seconds and the suite has a time budget; the
    fleet's scale is measured by scripts/bench.sh.)"""
    reset_all(emulators)
    domains = ['d%02d.example' % n for n in range(1, 7)]
    summary_path = tmp_path / 'summary.json'
    extra = write_vars(tmp_path / 'domains.json', {
        'onboard_domains': [{'name': d, 'records': [{'type': 'A', 'name': '', 'value': '192.0.2.%d' % n}]}
                            for n, d in enumerate(domains, 1)],
        'onboard_defaults': {'monitoring': True, 'waf': True, 'waf_agent_level': 'log'},
        'onboard_summary_path': str(summary_path)})
    emulators.fault('sigsci', '*', 'http_500', count=50, match='d04-example')
    result = run_playbook('domainsec.onboard.onboard', ['-e', extra, '-f', '6'])
    (tmp_path / 'output.txt').write_text(result.stdout)
    assert result.returncode == 2, failure_excerpt(result.stdout)  # 2: a host failed
    summary = json.loads(summary_path.read_text())
    assert sorted(summary['onboarded']) == [d for d in domains if d != 'd04.example']
    assert list(summary['failed']) == ['d04.example']
    reason = summary['failed']['d04.example']
    assert reason.startswith('WAF stage (sigsci_site): Signal Sciences refused') and 'd04-example (HTTP 500)' in reason, reason
    assert 'd04.example: FAILED - WAF stage (sigsci_site)' in result.stdout
    assert '5 onboarded, 1 failed' in result.stdout
    # The others are whole: 6 zones (d04's DNS stage ran before its WAF stage), 5 WAF sites, 6 monitored hosts.
    zones = list(emulators.state('securityspace')['domains'])
    assert sorted(d for d in zones if d.endswith('.example')) == domains
    sites = sorted(s['name'] for s in emulators.state('sigsci')['sites'])
    assert sites == sorted(d.replace('.', '-') for d in domains if d != 'd04.example')
    hosts = sorted(h['hostname'] for h in emulators.state('hardenize')['hosts'])
    assert hosts == domains
    for domain in summary['onboarded']:
        assert summary['results'][domain]['waf']['site'] == domain.replace('.', '-')
        assert summary['results'][domain]['dns']['records'] == 1
    assert_no_secrets(result.stdout, emulators)


def test_check_mode_new_domain_every_stage(emulators, tmp_path):
    """Check mode on a domain no vendor knows, served by two web hosts: every stage runs, no vendor receives a write,
    nothing is written on the controller or a web host, the summary says what would be done, and --diff shows each
    vendor's change."""
    reset_all(emulators)
    receiver = emulators.env['HARDENIZE_TEST_RECEIVER_URL']
    extra = write_vars(tmp_path / 'domains.json', {'onboard_domains': [{
        'name': 'check.example', 'admin_email': 'hostmaster@check.example',
        'records': [{'type': 'A', 'name': '', 'value': '192.0.2.44'}, {'type': 'CNAME', 'name': 'www', 'value': 'check.example'}],
        'certificate': True, 'certificate_dir': str(tmp_path / 'tls'),
        'certificate_csr_subject': {'city': 'Springfield', 'state': 'Oregon', 'country': 'US', 'organization': 'Check'},
        'certificate_admin_contact': {'first_name': 'Jane', 'last_name': 'Doe', 'phone': '+1.5555550100', 'title': 'Ops',
                                      'email': 'hostmaster@check.example'},
        'monitoring': True, 'monitor_groups': ['production'],
        'hook': True, 'hook_destination': receiver + '/check', 'hook_secret_dir': str(tmp_path / 'secrets'),
        'virusdie': True, 'virusdie_syncfile_dir': str(tmp_path), 'virusdie_webroot': str(tmp_path / 'www'),
        'virusdie_scan': True,
        'waf': True, 'waf_members': [{'email': 'secops@example.com', 'role': 'admin'}],
        'waf_keys_file': str(tmp_path / 'agent.conf'),
        'web_hosts': 'web', 'certificate_key_host': 'web01'}],
        'onboard_summary_path': str(tmp_path / 'summary.json')})
    result = run_playbook('domainsec.onboard.onboard', ['-i', inventory(tmp_path), '-e', extra, '--check', '--diff'])
    (tmp_path / 'output.txt').write_text(result.stdout)
    assert result.returncode == 0, failure_excerpt(result.stdout)
    assert writes(emulators) == dict((vendor, 0) for vendor in VENDORS)
    summary = json.loads((tmp_path / 'summary.json').read_text())
    r = summary['results']['check.example']
    assert r['check_mode'] is True and r['changed'] is True
    assert r['stages'] == ['dns', 'certificate', 'monitoring', 'hook', 'virusdie', 'waf', 'web']
    assert r['dns']['added'] == 2 and r['certificate']['status'] == 'would be ordered'
    assert r['monitoring']['created'] == ['check.example'] and r['hook']['changed'] is True
    assert r['virusdie']['added'] == ['check.example'] and r['waf']['changed'] is True
    # Nothing was written on the controller, nor on the two web hosts, which would get the key (made on web01), the
    # certificate, the sync file and the agent keys.
    assert not os.path.exists(str(tmp_path / 'tls')) and not os.path.exists(str(tmp_path / 'agent.conf'))
    assert web_files(tmp_path) == {}
    assert 'its agent keys would be written to %s, web01:agent.conf, web02:agent.conf' % (tmp_path / 'agent.conf') in result.stdout
    assert r['web']['hosts'] == ['web01', 'web02'] and r['web']['key_host'] == 'web01' and r['web']['unreachable'] == {}
    assert '1 would be onboarded (check mode), 0 failed' in result.stdout
    assert 'check mode: the order would be placed' in result.stdout
    # --diff: a diff per vendor (zone records, order, hosts, hook, site, WAF site).
    for marker in ('192.0.2.44', 'check.example', 'hookType', 'check-example'):
        assert marker in result.stdout
    assert result.stdout.count('--- before') >= 6


def recap_changed(output):
    """The sum of changed= over the PLAY RECAP lines."""
    return sum(int(n) for n in re.findall(r'^\S+\s+: ok=\d+\s+changed=(\d+)', output.split('PLAY RECAP')[-1], re.M))


def test_offboard_playbook_same_file(emulators, tmp_path):
    """domainsec.onboard.offboard with the onboarding's own file: hosts archived (not deleted), zones and WAF sites
    kept; a second offboarding changes nothing; offboard_defaults delete_zone deletes the zones."""
    reset_all(emulators)
    extra = write_vars(tmp_path / 'domains.json', {
        'onboard_domains': [{'name': 'off1.example', 'records': [{'type': 'A', 'name': '', 'value': '192.0.2.61'}],
                             'monitor_hostnames': ['off1.example', 'www.off1.example']},
                            'off2.example'],
        'onboard_defaults': {'monitoring': True, 'waf': True}})
    onboarded = run_playbook('domainsec.onboard.onboard', ['-e', extra])
    assert onboarded.returncode == 0, failure_excerpt(onboarded.stdout)
    first = run_playbook('domainsec.onboard.offboard', ['-e', extra])
    assert first.returncode == 0, failure_excerpt(first.stdout)
    hosts = dict((h['hostname'], h['status']) for h in emulators.state('hardenize')['hosts'])
    assert hosts == {'off1.example': 'archived', 'www.off1.example': 'archived', 'off2.example': 'archived'}
    assert sorted(emulators.state('securityspace')['domains']) == ['off1.example', 'off2.example']
    assert sorted(s['name'] for s in emulators.state('sigsci')['sites']) == ['off1-example', 'off2-example']
    assert 'off1.example: changed - Hardenize hosts archived, zone kept' in first.stdout
    assert '2 offboarded, 0 failed' in first.stdout
    emulators.reset('hardenize', counters_only=True)
    again = run_playbook('domainsec.onboard.offboard', ['-e', extra])
    assert again.returncode == 0 and recap_changed(again.stdout) == 0, failure_excerpt(again.stdout)
    assert emulators.counters('hardenize')['writes'] == 0
    deleting = run_playbook('domainsec.onboard.offboard', ['-e', extra, '-e', '{"offboard_defaults": {"delete_zone": true}}'])
    assert deleting.returncode == 0, failure_excerpt(deleting.stdout)
    assert sorted(emulators.state('securityspace')['domains']) == []
    unknown = run_playbook('domainsec.onboard.offboard', ['-e', extra, '-e', '{"offboard_defaults": {"delete_everything": true}}'])
    assert unknown.returncode != 0 and 'unknown here: delete_everything' in unknown.stdout
    assert_no_secrets(first.stdout + again.stdout + deleting.stdout, emulators)
