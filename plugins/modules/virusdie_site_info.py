#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: virusdie_site_info
short_description: Read Virusdie sites, their latest scan report and firewall history
version_added: 1.0.0
description:
  - Lists the sites of the account (or of one unit), with the latest scan report and the firewall history of the last
    30 days turned into a list of named daily fields - in one C(sites_list) request.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.virusdie
  - domainsec.onboard.transport
  - domainsec.onboard.attributes.INFO_MODULE
options:
  domains:
    description: Only these sites (Unicode or punycode).
    type: list
    elements: str
  unit:
    description: Only the sites shared with this unit (end customer e-mail).
    type: str
  scan_report:
    description: Include each site's latest scan report.
    type: bool
    default: true
  firewall_history:
    description: Include each site's firewall history.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Sites with threats
  domainsec.onboard.virusdie_site_info:
  register: vd

- name: Show them
  ansible.builtin.debug:
    msg: "{{ vd.sites | selectattr('scan_report.threats', 'defined') | selectattr('scan_report.threats', '>', 0)
             | map(attribute='domain') | list }}"

- name: Firewall history of one shop
  domainsec.onboard.virusdie_site_info:
    domains: [shop.example.com]
    firewall_history: true
'''

RETURN = r'''
sites:
  description: The sites, in the order of their domains.
  returned: always
  type: list
  elements: dict
  contains:
    domain:
      description: Domain name in UTF-8.
      type: str
    host:
      description: Punycode host name.
      type: str
    scan_period:
      description: Seconds between scans.
      type: int
    firewall:
      description: Whether the firewall is on.
      type: bool
    auto_treatment:
      description: Whether malware is cleaned automatically.
      type: bool
    shared_with:
      description: The unit the site is shared with when O(unit) is given (every site listed then is); null otherwise,
        since Virusdie's site objects name no owner.
      type: str
    scan_report:
      description: The latest scan report as Virusdie returns it (threats, incurable, doubt, treated, files...), or null.
      type: dict
    firewall_history:
      description: One entry per day, oldest first - date, allowed, blocked, dos, injections, uploads, other, blocked_ips.
      type: list
      elements: dict
      sample: [{date: "20201201", allowed: 100, blocked: 18, dos: 6, injections: 5, uploads: 4, other: 3, blocked_ips: 2}]
missing:
  description: Domains asked for that are not sites of the account.
  returned: with O(domains)
  type: list
  elements: str
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

from ansible_collections.domainsec.onboard.plugins.module_utils import virusdie as vd
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_email, check_name
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module


def main():
    spec = vd.VirusdieClient.argument_spec()
    spec.update(domains=dict(type='list', elements='str'), unit=dict(type='str'),
                scan_report=dict(type='bool', default=True), firewall_history=dict(type='bool', default=False))
    module = new_module(argument_spec=spec, supports_check_mode=True)
    params = module.params
    try:
        hosts = None if params['domains'] is None else [
            check_name(d, 'domains[%d]' % index) for index, d in enumerate(params['domains'])]
        if params['unit'] is not None:
            check_email(params['unit'], 'unit')  # sent as given: Virusdie matches a unit in any case
    except ValueError as exc:
        module.fail_json(msg=str(exc))

    run_module(module, vd.VirusdieClient, lambda client: read(client, params, hosts), result=dict(changed=False))


def read(client, params, hosts):
    sites = client.list_sites(unit=params['unit'], scan_report=params['scan_report'],
                              firewall_history=params['firewall_history'])
    chosen = [sites[h] for h in hosts if h in sites] if hosts is not None else [sites[h] for h in sorted(sites)]
    listed = []
    for site in chosen:
        view = vd.site_view(site)
        if params['scan_report']:
            view['scan_report'] = site.get('scanreport')
        if params['firewall_history']:
            view['firewall_history'] = vd.firewall_days(site.get('fwhistory'))
        listed.append(view)
    result = dict(sites=listed)
    if hosts is not None:
        result['missing'] = [h for h in hosts if h not in sites]
    return result


if __name__ == '__main__':
    main()
