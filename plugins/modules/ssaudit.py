#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ssaudit
short_description: Run a SecuritySpace network security audit
version_added: 1.0.0
description:
  - Starts a security audit (C(saRunAudit)) of one or more IPv4 addresses, ranges or networks.
  - The API answers without an audit id; the module finds the audits it started by comparing the audit list
    before and after (C(saGetAuditList)).
  - With O(wait=true) it polls until the audits end and returns each report's summary; O(fail_on_risk) then fails
    the task when a report has findings at or above a risk level.
  - Running an audit is an action, not a state, so every run that starts one reports a change.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.securityspace
  - domainsec.onboard.transport
attributes:
  check_mode:
    support: full
    description: Reports that an audit would be started, and starts none.
  diff_mode:
    support: none
    description: An audit has no before and after.
options:
  targets:
    description:
      - Addresses to audit. Each is an IPv4 address, a pattern the API accepts (V(192.0.2.*), V(10.1.1-2.32-63)) or
        a CIDR network (V(10.1.1.32/27)), which is sent as the matching pattern.
      - Leave out to audit the address SecuritySpace sees the request come from.
    type: list
    elements: str
  audit_type:
    description: Kind of audit; your subscription must include it.
    type: str
    required: true
    choices: [advanced, standard, norisk, desktop, basic]
  exclude_dos:
    description: Leave out the tests of the denial-of-service category.
    type: bool
    default: false
  notify:
    description: Have SecuritySpace send an e-mail when the audit has finished.
    type: bool
    default: false
  wait:
    description: Wait until the audits end and return their report summaries.
    type: bool
    default: false
  wait_timeout:
    description: How long to wait, in seconds, with O(wait=true).
    type: int
    default: 3600
  poll_interval:
    description: Seconds between two looks at the audit list while waiting.
    type: int
    default: 30
  fail_on_risk:
    description:
      - With O(wait=true), fail when a report has findings at this risk level or above
        (V(low) also counts medium and high findings).
    type: str
    choices: [high, medium, low]
'''

EXAMPLES = r'''
- name: Audit the web servers and wait for the result
  domainsec.onboard.ssaudit:
    targets: [192.0.2.10, 192.0.2.11]
    audit_type: standard
    exclude_dos: true
    wait: true
    wait_timeout: 7200
    fail_on_risk: high
  register: audit

- name: Show the risk counts
  ansible.builtin.debug:
    msg: "{{ audit.risk }}"

- name: Start an audit of a /27 and do not wait
  domainsec.onboard.ssaudit:
    targets: [10.1.1.32/27]
    audit_type: basic
    notify: true
'''

RETURN = r'''
scans:
  description: The audits the run started, from the audit list (one per address).
  returned: success, except in check mode
  type: list
  elements: dict
  sample: [{scanuid: "1100005104", hostip: 192.0.2.10, type: standard, time_queued: "2026-11-23 10:00:00",
            time_start: "", time_end: "", folder: API, finished: false}]
targets:
  description: The targets as sent to the API.
  returned: success
  type: list
  elements: str
  sample: [192.0.2.10, 10.1.1.32-63]
reports:
  description: Summary of each finished audit's report.
  returned: when O(wait=true)
  type: list
  elements: dict
  sample: [{scanuid: "1100005104", hostip: 192.0.2.10, risk: {high: 0, medium: 1, low: 2, other: 4},
            ports: [{port: "443", protocol: tcp, service: https}], entries: {high: [], medium: [], low: [], other: []}}]
risk:
  description: Findings per risk level, added up over all reports.
  returned: when O(wait=true)
  type: dict
  sample: {high: 0, medium: 1, low: 2, other: 4}
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace as ss
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace_audit as sa
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.vendor_client import WaitTimeout
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module


def main():
    spec = ss.SecuritySpaceClient.argument_spec()
    spec.update(
        targets=dict(type='list', elements='str'),
        audit_type=dict(type='str', required=True, choices=list(sa.AUDIT_TYPES)),
        exclude_dos=dict(type='bool', default=False),
        notify=dict(type='bool', default=False),
        wait=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=3600),
        poll_interval=dict(type='int', default=30),
        fail_on_risk=dict(type='str', choices=['high', 'medium', 'low']),
    )
    module = new_module(argument_spec=spec, supports_check_mode=True,
                        required_by={'fail_on_risk': 'wait'})
    params = module.params
    try:
        targets = [sa.audit_target(t) for t in params['targets'] or []]
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    if params['targets'] is not None and not targets:
        module.fail_json(msg='targets must not be empty; leave it out to audit the address the request comes from')
    if params['fail_on_risk'] and not params['wait']:
        module.fail_json(msg='fail_on_risk requires wait=true (the report is only known when the audit ends)')
    if not 1 <= params['poll_interval'] <= 3600 or not 1 <= params['wait_timeout'] <= 86400:
        module.fail_json(msg='poll_interval must be 1-3600 and wait_timeout 1-86400 seconds')

    if module.check_mode:
        module.exit_json(changed=True, targets=targets)

    # Filled in as the run goes, so a failure after the audit started still reports it (and changed=true).
    result = dict(changed=False, targets=targets)
    run_module(module, ss.SecuritySpaceClient, lambda client: run(module, client, targets, result),
               check=risk_problem(params['fail_on_risk']), result=result)


def risk_problem(level):
    """A run_module check: findings at ``level`` or above fail the task."""
    def check(result):
        found = sa.risk_at_or_above(result['risk'], level) if level else 0
        if found:
            return 'The audit found %d finding(s) at risk %s or above: %s' % (
                found, level, ', '.join('%s=%d' % (k, result['risk'][k]) for k in sa.RISK_LEVELS))
        return None
    return check


def new_scans(scans, before, targets, audit_type):
    """The scans not in ``before`` that match what this run asked for."""
    found = []
    for scan in scans:
        if str(scan.get('scanuid')) in before or scan.get('type') != audit_type:
            continue
        if targets and not any(sa.pattern_contains(t, scan.get('hostip') or '') for t in targets):
            continue
        found.append(dict(scan, scanuid=str(scan.get('scanuid')), finished=sa.scan_finished(scan)))
    return found


def claim(module, scans, targets):
    """The new scans this run started: at most one per address it asked for.

    saRunAudit returns no scan id, so a run tells its scans from others' only by type, address and time: an audit
    started by a concurrent run for the same addresses is indistinguishable. The earliest scans (by scan id) are
    claimed, one per address, and the others are named in a warning.
    """
    expected = sa.address_count(targets) if targets else 1
    by_address = {}
    for scan in sorted(scans, key=lambda s: int(s['scanuid']) if s['scanuid'].isdigit() else 0):
        by_address.setdefault(scan.get('hostip'), []).append(scan)
    claimed = [found[0] for found in by_address.values()][:expected]
    others = [s['scanuid'] for s in scans if s not in claimed]
    if others:
        module.warn('Other new %s audits of the same addresses appeared while this one started (scanuid %s): another '
                    'run started them, or this run cannot tell them apart; this run follows scanuid %s.'
                    % (module.params['audit_type'], ', '.join(others), ', '.join(s['scanuid'] for s in claimed)))
    return claimed


def run(module, client, targets, result):
    params = module.params
    before = set(str(s.get('scanuid')) for s in client.list_audits())

    def started():
        return new_scans(client.list_audits(), before, targets, params['audit_type'])
    client.run_audit(params['audit_type'], targets, exclude_dos=params['exclude_dos'], notify=params['notify'],
                     landed=started)
    result['changed'] = True
    scans = claim(module, started(), targets)
    if not scans:
        raise DomainsecError('SecuritySpace accepted the audit but it does not appear in the audit list')
    result['scans'] = scans
    if not params['wait']:
        return result

    uids = set(s['scanuid'] for s in scans)

    def finished():
        now = [s for s in new_scans(client.list_audits(), before, targets, params['audit_type']) if s['scanuid'] in uids]
        result['scans'] = now or result['scans']
        return now if now and all(s['finished'] for s in now) else None

    try:
        scans = finished() if all(s['finished'] for s in scans) else client.wait_until(
            finished, params['wait_timeout'], params['poll_interval'], what='the audit')
    except WaitTimeout:
        done = sum(1 for s in result['scans'] if s['finished'])
        raise DomainsecError('The audit did not end within wait_timeout=%ds (%d of %d finished); it keeps running '
                             'at SecuritySpace - read it later with ssaudit_info (scanuid %s).' % (
                                 params['wait_timeout'], done, len(result['scans']),
                                 ', '.join(s['scanuid'] for s in result['scans'])))
    reports = [sa.report_summary(client.get_report(s['scanuid'])) for s in scans]
    risk = dict((level, sum(r['risk'][level] for r in reports)) for level in sa.RISK_LEVELS)
    result.update(scans=scans, reports=reports, risk=risk)
    return result


if __name__ == '__main__':
    main()
