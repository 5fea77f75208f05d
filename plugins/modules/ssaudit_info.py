#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ssaudit_info
short_description: List SecuritySpace security audits, or read one audit report
version_added: 1.0.0
description:
  - Without O(scanuid), lists the audits of the account (C(saGetAuditList)), optionally filtered.
  - With O(scanuid), returns that audit's report (C(saGetAuditReport)) - risk counts, open ports and the findings
    grouped by risk.
  - Never changes anything.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.securityspace
  - domainsec.onboard.transport
  - domainsec.onboard.attributes.info_module
options:
  scanuid:
    description: The audit whose report to read.
    type: str
  hostip:
    description: Without O(scanuid), only list audits of this address.
    type: str
  audit_type:
    description: Without O(scanuid), only list audits of this type.
    type: str
    choices: [advanced, standard, norisk, desktop, basic]
  finished:
    description: Without O(scanuid), only list finished (V(true)) or unfinished (V(false)) audits.
    type: bool
'''

EXAMPLES = r'''
- name: Finished audits of one host
  domainsec.onboard.ssaudit_info:
    hostip: 192.0.2.10
    finished: true
  register: audits

- name: The newest report
  domainsec.onboard.ssaudit_info:
    scanuid: "{{ (audits.scans | last).scanuid }}"
  register: report
  when: audits.scans | length > 0
'''

RETURN = r'''
scans:
  description: The audits (without O(scanuid)), oldest first.
  returned: when O(scanuid) is not given
  type: list
  elements: dict
  sample: [{scanuid: "1100005104", hostip: 192.0.2.10, type: standard, folder: API, time_queued: "2026-11-23 10:00:00",
            time_start: "2026-11-23 10:00:01", time_end: "2026-11-23 10:20:00", finished: true}]
report:
  description: Summary of the report (with O(scanuid)).
  returned: when O(scanuid) is given
  type: dict
  sample: {scanuid: "1100005104", hostip: 192.0.2.10, title: "Audit of 192.0.2.10", scantype: standard,
           risk: {high: 0, medium: 1, low: 2, other: 4}, ports: [{port: "443", port_end: -1, protocol: tcp, service: https}],
           entries: {high: [], medium: [{entrykey: 1100005104_3, id: "1.3.6.1.4.1.25623.1.0.10330", title: "...",
                                          cat: "Web", cve: "", ip: 192.0.2.10, port: "443", risk: medium, type: HOLE}]}}
scaninfo:
  description: The report exactly as SecuritySpace returns it.
  returned: when O(scanuid) is given
  type: dict
'''

from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace as ss
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace_audit as sa
from ansible_collections.domainsec.onboard.plugins.module_utils.names import normalize_ip
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module


def main():
    spec = ss.SecuritySpaceClient.argument_spec()
    spec.update(scanuid=dict(type='str'), hostip=dict(type='str'),
                audit_type=dict(type='str', choices=list(sa.AUDIT_TYPES)), finished=dict(type='bool'))
    module = new_module(argument_spec=spec, supports_check_mode=True,
                        mutually_exclusive=[['scanuid', 'hostip'], ['scanuid', 'audit_type'], ['scanuid', 'finished']])
    params = module.params
    if params['scanuid'] is not None and not params['scanuid'].strip().isdigit():
        module.fail_json(msg='scanuid must be a number such as 1100005104, got %r' % params['scanuid'])
    if params['hostip'] is not None:
        try:
            params['hostip'] = normalize_ip(params['hostip'], 'hostip')
        except ValueError as exc:
            module.fail_json(msg=str(exc))

    run_module(module, ss.SecuritySpaceClient, lambda client: read(client, params), result=dict(changed=False))


def read(client, params):
    if params['scanuid'] is not None:
        scaninfo = client.get_report(params['scanuid'].strip())
        return dict(report=sa.report_summary(scaninfo), scaninfo=scaninfo)
    scans = []
    for scan in client.list_audits():
        scan = dict(scan, scanuid=str(scan.get('scanuid')), finished=sa.scan_finished(scan))
        if params['hostip'] and scan.get('hostip') != params['hostip']:
            continue
        if params['audit_type'] and scan.get('type') != params['audit_type']:
            continue
        if params['finished'] is not None and scan['finished'] != params['finished']:
            continue
        scans.append(scan)
    # Oldest first: by queue time ("YYYY-MM-DD hh:mm:ss" sorts as text), then by the numeric scan id.
    scans.sort(key=lambda scan: (scan.get('time_queued') or '', int(scan['scanuid']) if scan['scanuid'].isdigit() else 0))
    return dict(scans=scans)


if __name__ == '__main__':
    main()
