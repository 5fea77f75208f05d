# -*- coding: utf-8 -*-
"""The collection playbooks domainsec.onboard.onboard and .offboard (playbooks/) run by FQCN against the emulators:
many domains where one vendor call fails for one domain, every domain failing (the summary still comes), check mode
on a new domain through every stage, the offboarding with per-domain keys; and the domain list's checks
(playbooks/templates/domain_plan.j2) for many inputs in one run, given as AWX gives them."""

import json
import os
import re
import subprocess

import pytest
import yaml

from secret_grep import leaked_forms
from test_awx import awx_extravars
from test_targets import ROOT, ansible_bin, assert_no_secrets, failure_excerpt, known_secrets, run_playbook
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


def role_options(role):
    with open(os.path.join(ROOT, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
        options = yaml.safe_load(handle)['argument_specs']['main']['options']
    return [re.sub(r'^%s_' % role, '', name) for name in options]


def plans(tmp_path, awx_cases, plain_cases):
    """playbooks/templates/domain_plan.j2 rendered for each case (its template_vars) by one ansible-playbook run,
    as the playbooks render it. ``awx_cases`` reach it as the controller hands over what a user typed (every string
    tagged !unsafe: an empty one is read as None, a Jinja expression stays text); ``plain_cases`` as a vars file
    gives them (an empty string stays ''). Returns the plans, awx_cases first."""
    cases = tmp_path / 'cases.yml'
    cases.write_text(awx_extravars({'awx_cases': awx_cases}, trusted={'plain_cases': plain_cases}))
    playbook = tmp_path / 'plans.yml'
    playbook.write_text(yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'name': 'Plan each case', 'ansible.builtin.set_fact': {
            'found': "{{ found | default([]) + [lookup('ansible.builtin.template', template, template_vars=item) | from_json] }}"},
         'loop': '{{ awx_cases + plain_cases }}'},
        {'name': 'The plans', 'ansible.builtin.copy': {
            'content': '{{ found | to_json }}', 'dest': str(tmp_path / 'plans.json'), 'mode': '0600'}}]}]))
    template = os.path.join(ROOT, 'playbooks', 'templates', 'domain_plan.j2')
    result = run_playbook(str(playbook), ['-e', '@%s' % cases, '-e', json.dumps({'template': template})])
    assert result.returncode == 0, failure_excerpt(result.stdout)
    found = json.loads((tmp_path / 'plans.json').read_text())
    assert len(found) == len(awx_cases) + len(plain_cases)
    return found


def test_domain_list_checks(tmp_path):
    """The checks of onboard_domains / offboard_domains before any vendor is asked anything (the playbooks' first
    play renders domain_plan.j2), case by case in one run: an empty value (None as AWX's !unsafe '' arrives, or '')
    is not given and the defaults apply; names are trimmed; a Jinja expression from a survey stays text; unknown
    keys, a domain given twice, empty or nameless entries are refused; the onboarding refuses state: absent (in an
    entry or the defaults) and purge_records unless allowed; the offboarding keeps every per-domain key of its role
    and refuses an unknown one, and of the onboarding's list keeps only the keys it documents."""
    onboard, offboard = role_options('onboard_domain'), role_options('offboard_domain')

    def case(domains, defaults=None, options=onboard, onboarding=True, only=None, allow_purge=False):
        return {'plan_list': domains, 'plan_list_var': 'onboard_domains', 'plan_defaults': defaults,
                'plan_defaults_var': 'onboard_defaults', 'plan_options': options, 'plan_only': only,
                'plan_onboarding': onboarding, 'plan_allow_purge': allow_purge}

    record = {'type': 'A', 'name': '', 'value': '192.0.2.8'}
    awx = [
        # 0: an AWX launch with empty answers, a padded name, an expression
        case([{'name': ' a.example ', 'admin_email': '', 'records': [record], 'waf_site': '{{ 7 * 6 }}'}, 'b.example '],
             {'monitoring': True, 'min_ttl': '', 'certificate_dir': '  '}),
        # 1: state absent (and purge_records) in an entry: refused; state present is harmless
        case([{'name': 'gone.example', 'state': 'absent', 'waf': True}, {'name': 'kept.example', 'state': 'present'},
              {'name': 'purge.example', 'purge_records': 'yes'}]),
        # 2: state absent for every domain
        case(['x.example', 'y.example'], {'state': 'absent'}),
        # 3: purge_records allowed beside the list; 'no' never purges
        case([{'name': 'p.example', 'purge_records': True}, {'name': 'q.example', 'purge_records': 'no'}], allow_purge=True),
        # 4: unknown keys, a name given twice (case apart), empty, nameless and odd entries
        case([{'name': 'T.example', 'recods': []}, 't.example', '', {'monitoring': True}, ['z.example'], {'name': ''}],
             {'monitorng': True}),
        # 5..7: no list at all, an empty list, a string
        case(''), case([]), case('a.example'),
    ]
    plain = [
        # 8: the offboarding's own list: every key of its role, an empty one not given; a typo refused
        case([{'name': 'o.example', 'delete_waf_site': True, 'monitoring': False, 'delete_zone': '', 'waf_site': 'o-site'},
              {'name': 'p.example', 'delete_wafsite': True}], {'delete_zone': True}, options=offboard, onboarding=False),
        # 9: the offboarding reading the onboarding's list: its keys left out, not refused
        case([{'name': 'o.example', 'records': [record], 'monitor_hostnames': ['o.example'], 'waf_site': '',
               'web_hosts': 'web', 'state': 'absent'}], {}, options=offboard, onboarding=False,
             only=['name', 'monitor_hostnames', 'waf_site', 'web_hosts']),
        # 10: '' (not None) from a vars file is not given either
        case([{'name': 'e.example', 'admin_email': '', 'records': []}], {'admin_email': 'hostmaster@example.com'}),
    ]
    found = plans(tmp_path, awx, plain)
    ok = [n for n, plan in enumerate(found) if not plan['refused']]
    assert ok == [0, 3, 9, 10], [(n, p['refused']) for n, p in enumerate(found)]

    # Inside a value an empty string from AWX stays None: the modules take a suboption given as None as not given
    # (ssdns_record's record name then is its default, the apex).
    assert found[0]['domains'] == [
        {'name': 'a.example', 'records': [dict(record, name=None)], 'waf_site': '{{ 7 * 6 }}', 'monitoring': True},
        {'name': 'b.example', 'monitoring': True}]
    refused = found[1]['refused']
    assert len(refused) == 2 and refused[0].startswith('gone.example: state absent - the onboarding never deletes;')
    assert 'domainsec.onboard.offboard' in refused[0] and refused[1].startswith('purge.example: purge_records')
    assert [r.split(':')[0] for r in found[2]['refused']] == ['x.example', 'y.example']
    # ansible-core 2.19 reads the answer !unsafe 'no' as false
    assert [d['purge_records'] for d in found[3]['domains']] in ([True, False], [True, 'no'])
    assert found[4]['refused'] == [
        'onboard_defaults: unknown variable(s) monitorng', 'T.example: unknown variable(s) recods',
        't.example: given twice (one entry per domain)', 'onboard_domains[2] is empty', 'onboard_domains[3] has no name',
        'onboard_domains[4] is neither a domain name nor a mapping with name', 'onboard_domains[5] has no name']
    for plan in found[5:8]:
        assert plan['refused'] == ['give onboard_domains, a list of domains: each a name, or a mapping with name']
    assert found[8]['refused'] == ['p.example: unknown variable(s) delete_wafsite']
    assert found[8]['domains'][0] == {'name': 'o.example', 'delete_waf_site': True, 'monitoring': False,
                                      'delete_zone': True, 'waf_site': 'o-site'}
    assert found[9]['domains'] == [{'name': 'o.example', 'monitor_hostnames': ['o.example'], 'web_hosts': 'web'}]
    assert found[10]['domains'] == [{'name': 'e.example', 'admin_email': 'hostmaster@example.com', 'records': []}]


def test_many_domains_one_failing(emulators, tmp_path):
    """6 domains side by side (forks 6), DNS + monitoring + Virusdie + WAF each; every request naming d04's WAF site
    fails with HTTP 500 (more often than the transport retries), and Virusdie refuses d02's site (registered in
    another account): 4 domains are onboarded, d02 and d04 are named with their reasons, the others are whole.
    The fleet-wide stages: the 6 domains' zones are made in one run (one login, one listing), their Hardenize hosts
    in one run (one listing, one bulk create), their Virusdie sites in one run that Virusdie refuses for d02 only: d02
    runs its own and fails there, alone; the WAF sites of the other 5 in one run that fails for d04 only, which
    runs its own and fails there. (6, not more: each
    domain costs about 3.5 CPU-seconds and the suite has a time budget; the fleet's scale is measured by
    scripts/bench.sh.)"""
    reset_all(emulators)
    domains = ['d%02d.example' % n for n in range(1, 7)]
    summary_path = tmp_path / 'summary.json'
    extra = write_vars(tmp_path / 'domains.json', {
        'onboard_domains': [{'name': d, 'records': [{'type': 'A', 'name': '', 'value': '192.0.2.%d' % n}]}
                            for n, d in enumerate(domains, 1)],
        'onboard_defaults': {'monitoring': True, 'virusdie': True, 'waf': True, 'waf_agent_level': 'log'},
        'onboard_summary_path': str(summary_path)})
    emulators.fault('sigsci', '*', 'http_500', count=50, match='d04-example')
    emulators.configure('virusdie', foreign_sites=['d02.example'])
    result = run_playbook('domainsec.onboard.onboard', ['-e', extra, '-f', '6'])
    (tmp_path / 'output.txt').write_text(result.stdout)
    assert result.returncode == 2, failure_excerpt(result.stdout)  # 2: a host failed
    summary = json.loads(summary_path.read_text())
    ok = [d for d in domains if d not in ('d02.example', 'd04.example')]
    assert sorted(summary['onboarded']) == ok
    assert sorted(summary['failed']) == ['d02.example', 'd04.example']
    reason = summary['failed']['d04.example']
    assert reason.startswith('WAF stage (sigsci_sites): d04-example: Signal Sciences refused') and 'd04-example (HTTP 500)' in reason, reason
    reason = summary['failed']['d02.example']
    assert reason.startswith('Virusdie stage (virusdie_site): Virusdie refused 1 of the sites: d02.example'), reason
    assert 'd04.example: FAILED - WAF stage (sigsci_sites)' in result.stdout
    assert '4 onboarded, 2 failed' in result.stdout
    # The others are whole: 6 zones (d04's DNS stage ran before its WAF stage), 4 WAF sites (d02 stopped at Virusdie),
    # 6 monitored hosts, 5 Virusdie sites.
    zones = list(emulators.state('securityspace')['domains'])
    assert sorted(d for d in zones if d.endswith('.example')) == domains
    sites = sorted(s['name'] for s in emulators.state('sigsci')['sites'])
    assert sites == sorted(d.replace('.', '-') for d in ok)
    hosts = sorted(h['hostname'] for h in emulators.state('hardenize')['hosts'])
    assert hosts == domains
    assert sorted(s['domain'] for s in emulators.state('virusdie')['sites']) == [d for d in domains if d != 'd02.example']
    for domain in summary['onboarded']:
        result_of = summary['results'][domain]
        assert result_of['waf']['site'] == domain.replace('.', '-')
        assert result_of['dns']['records'] == 1
        # each domain's own part of the fleet-wide runs
        assert result_of['monitoring']['created'] == [domain] and result_of['monitoring']['hosts'] == [domain]
        assert result_of['virusdie']['added'] == [domain] and result_of['virusdie']['changed']
    # One Hardenize run for the six: one listing, one bulk create; no domain ran its own. Virusdie: one run for all
    # six (one sites_add), then d02's own (its site sent again and refused again); no other domain ran its own.
    hardenize = emulators.counters('hardenize')['counts']
    assert hardenize.get('GET /hosts') == 1 and hardenize.get('POST /hosts') == 1, hardenize
    assert emulators.counters('virusdie')['counts'].get('sites_add') == 2
    assert own_runs(result.stdout, 'Monitor in Hardenize on its own') == []
    assert own_runs(result.stdout, 'Malware scanning in Virusdie on its own') == ['fatal: [d02.example]']
    # DNS: one ssdns_zones run for the six, one login and one listing. WAF: one sigsci_sites run for the five that
    # reach it (one listing of the corp's sites), where d04's site failed; d04 runs its own (a second listing) and
    # fails there, alone.
    securityspace = emulators.counters('securityspace')['counts']
    assert securityspace.get('auth') == 1 and securityspace.get('dnsGetDomainList') == 1, securityspace
    assert own_runs(result.stdout, 'DNS zone and records on its own') == []
    assert emulators.counters('sigsci')['counts'].get('GET /corps/{corp}/sites') == 2
    assert own_runs(result.stdout, 'WAF site in Signal Sciences on its own') == ['fatal: [d04.example]']
    assert_no_secrets(result.stdout, emulators)


def own_runs(output, task):
    """The result lines of the hosts that ran ``task`` (the first TASK header starting with it), skips left out."""
    section = output.split('TASK [domainsec.onboard.onboard_domain : %s' % task, 1)[1].split('\nTASK [', 1)[0]
    return sorted(line.split(']')[0] + ']' for line in section.splitlines()[1:]
                  if re.match(r'^(ok|changed|fatal|failed): \[', line))


def custom_stats(output):
    """What set_stats handed on, as ansible-playbook prints it with ANSIBLE_SHOW_CUSTOM_STATS (the controller keeps
    the same data as the job's artifacts)."""
    text = output.split('CUSTOM STATS:', 1)[1].split('RUN:', 1)[1]
    return json.JSONDecoder().raw_decode(text.strip())[0]


def test_every_domain_failing_still_summarised(emulators, tmp_path):
    """A one-domain run whose domain fails (every SecuritySpace request naming it answered HTTP 500, which is not
    retried): the summary still comes - the text, the onboard_summary_path file and set_stats - and names the stage
    and the vendor's reason; the run then fails (exit status 2), and no later stage ran."""
    reset_all(emulators)
    summary_path = tmp_path / 'summary.json'
    extra = write_vars(tmp_path / 'domains.json', {
        'onboard_domains': [{'name': 'fail.example', 'records': [{'type': 'A', 'name': '', 'value': '192.0.2.66'}],
                             'monitoring': True}],
        'onboard_summary_path': str(summary_path)})
    emulators.fault('securityspace', '*', 'http_500', count=20, match='fail.example')
    result = run_playbook('domainsec.onboard.onboard', ['-e', extra], env={'ANSIBLE_SHOW_CUSTOM_STATS': '1'})
    (tmp_path / 'output.txt').write_text(result.stdout)
    assert result.returncode == 2, failure_excerpt(result.stdout)
    summary = json.loads(summary_path.read_text())
    assert summary['onboarded'] == [] and summary['results'] == {} and list(summary['failed']) == ['fail.example']
    reason = summary['failed']['fail.example']
    assert reason.startswith('DNS stage (ssdns_zones): fail.example: ') and '500' in reason, reason
    assert 'fail.example: FAILED - ' + reason in result.stdout
    assert '0 onboarded, 1 failed' in result.stdout
    assert '1 domain(s) failed: fail.example' in result.stdout
    assert custom_stats(result.stdout) == {'onboard_summary': summary}
    assert emulators.counters('hardenize')['total'] == 0 and 'fail.example' not in emulators.state('securityspace')['domains']
    emulators.reset('securityspace')  # the faults left over
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
    kept; a second offboarding changes nothing. Then offboard_domains with per-domain keys over offboard_defaults
    (delete_zone for both, delete_waf_site and monitoring: false for one) does exactly that; a typo per domain or in
    the defaults is refused before any request; and a run whose every domain fails still ends with the summary."""
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
    # Per domain, over offboard_defaults: off1's WAF site deleted and its hosts left alone, off2's site kept.
    per_domain = write_vars(tmp_path / 'offboard.json', {
        'offboard_domains': [{'name': 'off1.example', 'delete_waf_site': True, 'monitoring': False, 'waf_site': ''},
                             'off2.example'],
        'offboard_defaults': {'delete_zone': True, 'delete_monitoring': True}})
    deleting = run_playbook('domainsec.onboard.offboard', ['-e', per_domain])
    assert deleting.returncode == 0, failure_excerpt(deleting.stdout)
    assert sorted(emulators.state('securityspace')['domains']) == []
    assert sorted(s['name'] for s in emulators.state('sigsci')['sites']) == ['off2-example']
    hosts = dict((h['hostname'], h['status']) for h in emulators.state('hardenize')['hosts'])
    assert hosts == {'off1.example': 'archived', 'www.off1.example': 'archived'}, hosts
    assert 'off1.example: changed - Hardenize hosts kept, zone deleted, Virusdie site kept, WAF site deleted' in deleting.stdout

    # A typo, per domain or in the defaults, refuses the list before any request.
    reset_all(emulators)
    unknown = run_playbook('domainsec.onboard.offboard', ['-e', json.dumps({
        'offboard_domains': [{'name': 'off1.example', 'delete_wafsite': True}],
        'offboard_defaults': {'delete_everything': True}})])
    assert unknown.returncode == 2, failure_excerpt(unknown.stdout)
    assert 'offboard_defaults: unknown variable(s) delete_everything' in unknown.stdout
    assert 'off1.example: unknown variable(s) delete_wafsite' in unknown.stdout
    assert sum(emulators.counters(vendor)['total'] for vendor in VENDORS) == 0

    # Every domain failing: the summary still comes (text, file, set_stats), and the run fails.
    emulators.fault('hardenize', '*', 'http_500', count=20)
    summary_path = tmp_path / 'offboarded.json'
    failing = run_playbook('domainsec.onboard.offboard', ['-e', json.dumps({
        'offboard_domains': ['off1.example'], 'offboard_summary_path': str(summary_path)})],
        env={'ANSIBLE_SHOW_CUSTOM_STATS': '1'})
    assert failing.returncode == 2, failure_excerpt(failing.stdout)
    summary = json.loads(summary_path.read_text())
    assert summary['offboarded'] == [] and list(summary['failed']) == ['off1.example'], summary
    assert 'off1.example: FAILED - domainsec.onboard.hardenize_host_info: ' in failing.stdout
    assert '0 offboarded, 1 failed' in failing.stdout and '1 domain(s) failed: off1.example' in failing.stdout
    assert custom_stats(failing.stdout) == {'offboard_summary': summary}
    emulators.reset('hardenize')  # the faults left over
    assert_no_secrets(first.stdout + again.stdout + deleting.stdout + failing.stdout, emulators)


# The credential variables of the collection playbooks (playbooks/vars/credentials.yml): variable -> the
# environment variable the module reads when the variable is not set.
CREDENTIAL_VARIABLES = {
    'domainsec_securityspace_api_key': 'SECURITYSPACE_API_KEY', 'domainsec_securityspace_userid': 'SECURITYSPACE_USERID',
    'domainsec_securityspace_password': 'SECURITYSPACE_PASSWORD', 'domainsec_securityspace_api_url': 'SECURITYSPACE_API_URL',
    'domainsec_cyberssl_api_key': 'CYBERSSL_API_KEY', 'domainsec_cyberssl_api_url': 'CYBERSSL_API_URL',
    'domainsec_hardenize_api_user': 'HARDENIZE_API_USER', 'domainsec_hardenize_api_password': 'HARDENIZE_API_PASSWORD',
    'domainsec_hardenize_org': 'HARDENIZE_ORG', 'domainsec_hardenize_api_url': 'HARDENIZE_API_URL',
    'domainsec_virusdie_api_key': 'VIRUSDIE_API_KEY', 'domainsec_virusdie_mac_key': 'VIRUSDIE_MAC_KEY',
    'domainsec_virusdie_api_url': 'VIRUSDIE_API_URL',
    'domainsec_sigsci_email': 'SIGSCI_EMAIL', 'domainsec_sigsci_api_token': 'SIGSCI_TOKEN',
    'domainsec_sigsci_corp': 'SIGSCI_CORP', 'domainsec_sigsci_api_url': 'SIGSCI_API_URL',
}


def vault_file(tmp_path, data):
    """``data`` as a vars file encrypted by ansible-vault, and its password file: (``-e`` argument, password path)."""
    password = tmp_path / 'vault-password'
    password.write_text('vault-pass-7c1e04\n')
    path = tmp_path / 'vault.yml'
    path.write_text(yaml.safe_dump(data))
    command = [ansible_bin('ansible-vault'), 'encrypt', '--vault-password-file', str(password), str(path)]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert done.returncode == 0, done.stdout
    assert path.read_text().startswith('$ANSIBLE_VAULT;')
    return '@%s' % path, str(password)


def test_credentials_only_from_a_vault_file(emulators, tmp_path, monkeypatch):
    """One domain through a stage of every vendor (DNS, certificate, monitoring, Virusdie, WAF) with every vendor's
    credentials and URL only in a vault-encrypted vars file (-e @vault.yml --vault-password-file): the vendors'
    environment variables are removed, and each vendor's secret is in the environment with a wrong value, which the
    variable beats. The run succeeds at -v, and neither its output, the set_stats data nor the summary file holds a
    secret (nor does the encrypted file)."""
    reset_all(emulators)
    env = emulators.env
    data = dict((variable, env[name]) for variable, name in CREDENTIAL_VARIABLES.items())
    for name in CREDENTIAL_VARIABLES.values():
        monkeypatch.delenv(name, raising=False)
    wrong = dict((name, 'wrong-%s-0' % name.lower()) for name in (
        'SECURITYSPACE_API_KEY', 'CYBERSSL_API_KEY', 'HARDENIZE_API_PASSWORD', 'VIRUSDIE_API_KEY', 'SIGSCI_TOKEN'))
    monkeypatch.setenv('ANSIBLE_SHOW_CUSTOM_STATS', '1')
    for name, value in wrong.items():
        monkeypatch.setenv(name, value)
    vault, password = vault_file(tmp_path, data)
    assert_no_secrets(open(vault[1:]).read(), emulators)
    summary_path = tmp_path / 'summary.json'
    extra = write_vars(tmp_path / 'domains.json', {'onboard_domains': [{
        'name': 'vault.example', 'admin_email': 'hostmaster@vault.example',
        'records': [{'type': 'A', 'name': '', 'value': '192.0.2.71'}],
        'certificate': True, 'certificate_dir': str(tmp_path / 'tls'), 'certificate_wait_interval': 1,
        'certificate_csr_subject': {'city': 'Springfield', 'state': 'Oregon', 'country': 'US', 'organization': 'Vault'},
        'certificate_admin_contact': {'first_name': 'Jane', 'last_name': 'Doe', 'phone': '+1.5555550100', 'title': 'Ops',
                                      'email': 'hostmaster@vault.example'},
        'certificate_max_price': 10, 'monitoring': True, 'virusdie': True, 'waf': True}],
        'onboard_summary_path': str(summary_path)})
    result = run_playbook('domainsec.onboard.onboard', ['-e', extra, '-e', vault, '--vault-password-file', password, '-v'])
    (tmp_path / 'output.txt').write_text(result.stdout)
    assert result.returncode == 0, failure_excerpt(result.stdout)
    summary = json.loads(summary_path.read_text())
    assert summary['onboarded'] == ['vault.example'] and summary['failed'] == {}, summary
    r = summary['results']['vault.example']
    assert r['stages'] == ['dns', 'certificate', 'monitoring', 'virusdie', 'waf'], r['stages']
    assert r['certificate']['status'] == 'Activated' and r['waf']['site'] == 'vault-example'
    assert 'vault.example' in emulators.state('securityspace')['domains']
    assert [h['hostname'] for h in emulators.state('hardenize')['hosts']] == ['vault.example']
    assert custom_stats(result.stdout) == {'onboard_summary': summary}
    secrets = known_secrets(emulators)
    assert set(data[v] for v in ('domainsec_securityspace_password', 'domainsec_sigsci_api_token',
                                 'domainsec_virusdie_mac_key', 'domainsec_cyberssl_api_key')) <= secrets
    assert_no_secrets(result.stdout + summary_path.read_text(), emulators)
    assert not leaked_forms(result.stdout, {'vault-pass-7c1e04'})


def test_domains_from_inventory_limit_retry_and_own_accounts(emulators, tmp_path):
    """Three domains from a CSV file through the inventory plugin domainsec.onboard.domains, DNS and monitoring,
    --limit two of them: only those two are asked for, and the third's zone and hosts are never made. One of the two
    has a Hardenize password of its own as a host variable (host_vars/, beside the inventory) that Hardenize refuses:
    it fails alone, the summary names it without the password, and the retry file names exactly it. Then a second
    inventory whose file holds an unknown variable and state: absent, given with onboard_domains as well, is refused
    whole (every reason named) before any request."""
    reset_all(emulators)
    inventory_dir = tmp_path / 'inventory'
    (inventory_dir / 'host_vars').mkdir(parents=True)
    (inventory_dir / 'fleet.domains.yml').write_text('plugin: domainsec.onboard.domains\npath: ../domains.csv\n')
    (tmp_path / 'domains.csv').write_text(
        'name,records,monitoring\n'
        'inv1.example,"[{type: A, name: \'\', value: 192.0.2.81}]",true\n'
        'inv2.example,"[{type: A, name: \'\', value: 192.0.2.82}]",true\n'
        'inv3.example,,true\n')
    own_password = 'own-hardenize-pass-3e9a'
    (inventory_dir / 'host_vars' / 'inv3.example.yml').write_text('domainsec_hardenize_api_password: %s\n' % own_password)
    summary_path = tmp_path / 'summary.json'
    result = run_playbook('domainsec.onboard.onboard', [
        '-i', str(inventory_dir / 'fleet.domains.yml'), '--limit', 'inv2.example,inv3.example',
        '-e', json.dumps({'onboard_summary_path': str(summary_path)})],
        env={'ANSIBLE_RETRY_FILES_ENABLED': '1', 'ANSIBLE_RETRY_FILES_SAVE_PATH': str(tmp_path)})
    (tmp_path / 'output.txt').write_text(result.stdout)
    assert result.returncode == 2, failure_excerpt(result.stdout)
    summary = json.loads(summary_path.read_text())
    assert summary['onboarded'] == ['inv2.example'] and list(summary['failed']) == ['inv3.example'], summary
    assert summary['failed']['inv3.example'].startswith('monitoring stage (hardenize_host): Hardenize refused GET /hosts (HTTP 401)')
    assert summary['results']['inv2.example']['dns']['records'] == 1  # the CSV cell, read as YAML
    assert sorted(d for d in emulators.state('securityspace')['domains'] if d.startswith('inv')) == ['inv2.example', 'inv3.example']
    assert [h['hostname'] for h in emulators.state('hardenize')['hosts']] == ['inv2.example']
    assert (tmp_path / 'onboard.retry').read_text().split() == ['inv3.example']
    assert '1 onboarded, 1 failed' in result.stdout and 'inv1.example' not in result.stdout
    assert_no_secrets(result.stdout + summary_path.read_text(), emulators)
    assert not leaked_forms(result.stdout + summary_path.read_text(), {own_password})

    # Refused whole, before any request: an unknown variable and state: absent in the file, and the list as well.
    reset_all(emulators)
    (tmp_path / 'bad.yml').write_text(yaml.safe_dump({'onboard_domains': [
        {'name': 'bad1.example', 'recods': [], 'domainsec_hardenize_api_password': 'in-the-file-by-mistake-71c2'},
        {'name': 'bad2.example', 'state': 'absent'}, 'bad3.example']}))
    (tmp_path / 'bad.domains.yml').write_text('plugin: domainsec.onboard.domains\npath: bad.yml\n')
    refused = run_playbook('domainsec.onboard.onboard', ['-v', '-i', str(tmp_path / 'bad.domains.yml'), '--limit', 'bad3.example',
                                                         '-e', json.dumps({'onboard_domains': ['x.example']})])
    assert refused.returncode == 2, failure_excerpt(refused.stdout)
    for reason in ('bad1.example: unknown variable(s) domainsec_hardenize_api_password, recods',
                   'bad2.example: state absent - the onboarding never deletes',
                   'give the domains either as the inventory group domainsec_domains or as onboard_domains, not both'):
        assert reason in refused.stdout, reason
    # an unknown variable is named, its value never shown (the plan is printed at -v: a credential put in the file)
    assert 'domainsec_hardenize_api_password' in refused.stdout and 'in-the-file-by-mistake-71c2' not in refused.stdout
    assert sum(emulators.counters(vendor)['total'] for vendor in VENDORS) == 0

    # Offboarding the inventory's domains takes --limit or offboard_all_domains: the whole fleet is not the default.
    whole = run_playbook('domainsec.onboard.offboard', ['-i', str(inventory_dir / 'fleet.domains.yml')])
    assert whole.returncode == 2, failure_excerpt(whole.stdout)
    assert 'holds 3 domain(s): pick the ones to offboard with --limit' in whole.stdout
    assert sum(emulators.counters(vendor)['total'] for vendor in VENDORS) == 0
